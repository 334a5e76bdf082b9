import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runManifestFormat } from '../../formats/run-manifest.ts';
import { COMPARE_HOST_VARIABLES, COMPARE_TARGETS } from '../../runner/commands/demo.ts';
import { runCli } from '../testkit/cli-in-process.ts';
import { useTempDir } from '../testkit/temp-dir.ts';

/**
 * The migration rehearsal end to end (issue 17): `npm run demo -- --compare` (the real CLI,
 * in-process) runs the same stages against its two demo targets, then prints the verdict.
 *
 * The demo's own config is written beforehand with one tiny stage (the demo keeps a config it
 * finds): 30 users held 3 s, one run deciding. At 30 users of the demo's think time (0.2–0.6 s)
 * the users ask for about 60 requests/s. The current target (3 workers of ~70 ms, 6 places in its
 * queue) serves about 43/s and holds at most 9 requests: the others are answered 503 at once, so
 * its error rate is far above SPEC's 3 % whatever the machine's load (a slower engine only sends
 * fewer requests, each still meeting a full queue). The candidate (18 workers, a queue of 20)
 * is a third busy and answers every request. trendAlpha 0.001: a 3 s hold's windows are noise.
 * The engine runs in this process too (test/testkit/in-process-engine.ts).
 */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

describe('npm run demo -- --compare', () => {
  const tmp = useTempDir('demo-compare-');

  it('two demo targets of different capacity → the verdict names the one that holds the target', async () => {
    expect(COMPARE_TARGETS.candidate.workers).toBeGreaterThan(COMPARE_TARGETS.current.workers);
    const results = join(tmp(), 'compare');
    await mkdir(results, { recursive: true });
    const host = (side: keyof typeof COMPARE_HOST_VARIABLES) => `\${${COMPARE_HOST_VARIABLES[side]}}`;
    await writeFile(
      join(results, 'capacity.config.json'),
      JSON.stringify({
        environment: 'current',
        environments: [
          { name: 'current', host: host('current') },
          { name: 'candidate', host: host('candidate') },
        ],
        stages: [30],
        duration: '3s',
        spawnRate: 60,
        targetStage: 30,
        criteria: { held: { trendAlpha: 0.001 } },
        runsToCompare: 1,
      }),
    );

    const cli = await runCli(['demo', '--compare', '--runs', '1', '--results', results]);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    const verdict = cli.stdout.split('\n').find((l) => l.startsWith('Verdict: '));
    expect(verdict, cli.stdout).toMatch(
      /^Verdict: current: No-Go \(.*\); candidate: Go — the candidate holds the target, the current host does not$/,
    );

    // One run per environment, each recording its own environment and its own host.
    const runs = await Promise.all(
      (await readdir(join(results, 'runs'))).map(async (id) =>
        runManifestFormat.parse(await readFile(join(results, 'runs', id, 'run.json'), 'utf8'), id),
      ),
    );
    expect(runs.map((r) => r.environment).sort()).toEqual(['candidate', 'current']);
    expect(new Set(runs.map((r) => r.host)).size).toBe(2);
    expect(cli.stdout).toMatch(/current: http:\/\/127\.0\.0\.1:\d+ \(3 workers/);
  }, 120_000);
});
