import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStagesCommand } from '../commands/stages.ts';
import { startDemoTarget, type DemoTarget } from '../demo-target/server.ts';
import { runManifestFormat } from '../../formats/run-manifest.ts';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import type { Io } from '../io.ts';
import { readFormat } from '../../formats/files.ts';

/**
 * `--open-stage` for real: the embedded engine against a demo target with one worker (so that the
 * target, not the load generator, is the bottleneck) and no think time. The closed stage of 3
 * users keeps that worker busy; the open stage then offers twice the measured iteration rate,
 * which the worker cannot serve: requests queue, iterations last longer, VUs run out up to
 * maxVUs and the executor drops arrivals (k6's `dropped_iterations`).
 */
vi.mock(import('../engines/index.ts'), async (original) =>
  (await import('../../test/testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

describe('the open-model stage on the embedded engine', () => {
  let demo: DemoTarget;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'open-stage-e2e-'));
    demo = await startDemoTarget({
      workers: 1,
      serviceMs: { home: 30, search: 60, result: 30 },
      spread: 0.2,
      queueLength: 10_000,
      timeoutMs: 20_000,
      seed: 7,
    });
  });
  afterAll(async () => {
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a constant-arrival-rate stage after the target stage and reports its p95 and dropped iterations', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => (text += c));
    const io: Io = { cwd: dir, env: {}, stdout, stderr: new PassThrough(), now: () => Date.now(), signal: new AbortController().signal };
    const results = join(dir, 'results');
    const r = await runStagesCommand(
      {
        host: demo.url,
        users: '3',
        duration: '4s',
        'spawn-rate': 10,
        engine: 'embedded',
        results,
        env: ['THINK_MIN=0', 'THINK_MAX=0'],
        'open-stage': '2',
      },
      io,
    );
    expect(r.exitCode).toBe(0);
    const [id] = await readdir(join(results, 'runs'));
    const runDir = join(results, 'runs', id!);
    const manifest = await readFormat(runManifestFormat, join(runDir, 'run.json'));
    expect(manifest.stages.map((s) => s.status)).toEqual(['completed']);
    const open = manifest.openStage!;
    expect(open).toMatchObject({
      kind: 'open',
      executor: 'constant-arrival-rate',
      factor: 2,
      afterStage: 3,
      status: 'completed',
      timeUnit: expect.any(String),
    });
    const closed = await readFormat(stageStatsFormat, join(runDir, 'stage-3.stats.json'));
    // The rate asked for is twice the closed stage's, rounded to whole iterations per time unit.
    expect(open.ratePerS! / closed.iterations.ratePerS).toBeCloseTo(2, 0);
    expect(open.maxVUs!).toBeGreaterThanOrEqual(open.preAllocatedVUs!);

    const stats = await readFormat(stageStatsFormat, join(runDir, 'stage-open.stats.json'));
    const dropped = stats.metrics.dropped_iterations?.count ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(open.figures).toMatchObject({ droppedIterations: dropped, keyP95Ms: stats.key.p95Ms });
    // The samples came from the script's env-built scenario, not from a --stage plan.
    const csv = gunzipSync(await readFile(join(runDir, 'stage-open.csv.gz'))).toString('utf8');
    expect(csv).toMatch(/^http_reqs,.*,open_model,/m);
    expect(csv).toMatch(/^dropped_iterations,/m);
    expect(text).toMatch(
      new RegExp(
        `open-model stage \\(×2, [\\d.]+ it/s, \\d+–\\d+ VUs\\): p95 search \\d+ ms \\(closed model at 3 users: \\d+ ms\\), dropped iterations ${dropped} `,
      ),
    );

    // `collect --run` recomputes the open stage's statistics from its raw CSV, as it does the others'.
    await rm(join(runDir, 'stage-open.stats.json'));
    const { command: collect } = await import('../commands/collect.ts');
    expect(await collect.run({ run: runDir, json: false }, io)).toBe(0);
    expect((await readFormat(stageStatsFormat, join(runDir, 'stage-open.stats.json'))).key.p95Ms).toBe(stats.key.p95Ms);
  }, 60_000);
});
