import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command } from './bundle.ts';
import type { Io } from '../io.ts';
import { listScenarios } from '../bundle.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bundle-cmd-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function testIo(): { io: Io; out: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const io: Io = { cwd: tmp, env: {}, stdout, stderr: new PassThrough(), now: () => 0, signal: new AbortController().signal };
  return { io, out: () => Buffer.concat(chunks).toString('utf8') };
}

it('npm run bundle writes every scenario and prints name, path and sha256', async () => {
  const { io, out } = testIo();
  const code = await command.run({ scenarios: undefined, 'out-dir': 'out' } as never, io);
  expect(code).toBe(0);
  const names = await listScenarios();
  const lines = out().trim().split('\n');
  expect(lines.map((l) => l.split(':')[0])).toEqual(names);
  for (const [i, name] of names.entries()) {
    expect(lines[i]).toMatch(new RegExp(`^${name}: out/${name}\\.js  sha256 [0-9a-f]{64}$`));
    expect(await readFile(join(tmp, 'out', `${name}.js`), 'utf8')).toContain('from "k6/http"');
  }
});
