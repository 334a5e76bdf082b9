import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runEngineInProcess } from '../test/testkit/engine-runs.ts';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'k6-shared-array-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const Checks = z.object({ root_group: z.object({ checks: z.record(z.string(), z.object({ passes: z.number(), fails: z.number() })) }) });

describe('SharedArray (k6/data)', () => {
  it('builds the array once for the test and every VU reads the same read-only data', async () => {
    const r = await runEngineInProcess(['run', '--no-color', '--summary-export', 'sa.json', join(fixtures, 'shared-array.js')], dir);
    expect(r.code, r.stderr).toBe(0);
    // The function ran once for the whole test (VU 0 and the three VUs), not once per VU.
    expect(r.stderr.match(/msg="building rows"/g)).toHaveLength(1);
    // Its random values are the same in every VU: one copy, not one per VU.
    const nonces = [...r.stderr.matchAll(/msg="nonce ([\d.e-]+)"/g)].map((m) => m[1]);
    expect(nonces).toHaveLength(6);
    expect(new Set(nonces).size).toBe(1);
    const checks = Checks.parse(JSON.parse(readFileSync(join(dir, 'sa.json'), 'utf8'))).root_group.checks;
    expect(Object.keys(checks)).toEqual([
      'length',
      'index',
      'out of range',
      'undefined element reads null',
      'fresh copies',
      'frozen copies',
      'for of',
      'spread',
      'array methods',
      'in and keys',
      'same name same data',
      'different names',
      'writes throw',
    ]);
    for (const [name, c] of Object.entries(checks)) expect({ name, ...c }).toEqual({ name, passes: 6, fails: 0 });
  });

  it('runs the function once when several VUs reach it together: the others wait for its data', async () => {
    // VU 0 does not build it (__VU is 0 there): VUs 1-4 initialise at once and race for the name.
    const path = join(dir, 'sa-race.js');
    writeFileSync(
      path,
      `import { SharedArray } from 'k6/data';
const late = __VU > 0 ? new SharedArray('late', () => {
  console.log('building late');
  const t = Date.now();
  while (Date.now() - t < 150);
  return [__VU];
}) : null;
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 4, iterations: 1 } } };
export default function () { console.log('built by VU ' + late[0]); }
`,
    );
    const r = await runEngineInProcess(['run', '-q', '--no-summary', path], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/msg="building late"/g)).toHaveLength(1);
    const builders = [...r.stderr.matchAll(/msg="built by VU (\d+)"/g)].map((m) => m[1]);
    expect(builders).toHaveLength(4);
    expect(new Set(builders).size).toBe(1);
  });

  it('stops the test in init (exit 107) when the function throws or returns no array', async () => {
    const script = (body: string): string => {
      const path = join(dir, `sa-${body.length}.js`);
      writeFileSync(
        path,
        `import { SharedArray } from 'k6/data';\nconst a = new SharedArray('a', () => ${body});\nexport default function () { a.length; }\n`,
      );
      return path;
    };
    const thrown = await runEngineInProcess(
      ['run', '-q', '--vus', '2', '--iterations', '2', script(`{ throw new Error('no such data file'); }`)],
      dir,
    );
    expect(thrown.code).toBe(107);
    expect(thrown.stderr).toContain('no such data file');
    const notArray = await runEngineInProcess(['run', '-q', script('({ rows: [1, 2] })')], dir);
    expect(notArray.code).toBe(107);
    expect(notArray.stderr).toContain('SharedArray \\"a\\": the function must return an array');
  });
});
