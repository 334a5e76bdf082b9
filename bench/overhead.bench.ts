/**
 * The runner's overhead per stage: a tiny real run (`stages --demo --users 2,4 --duration 5s`, the
 * default scenario and think time, the embedded engine), its wall time from the command's start
 * to its exit, minus what the engine itself spent running the test (k6's test run duration:
 * the planned ramp + hold and k6's own graceful stop, which waits for in-flight iterations),
 * divided by the number of stages; and the wall time as a ratio to those test runs (the reference
 * measured in the same run, issue 15). Target (issue 13): ≤ 2 s per stage.
 * Where it goes: the command's start-up before the run, each engine's start-up and exit around
 * its test run, and the gaps between stages (statistics, files).
 * BENCH_ROOT runs another checkout of the toolkit (an A/B against older code); BENCH_RUNS repeats.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = resolve(process.env.BENCH_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
/** How `npm run` starts the CLI in that checkout: prebuilt (runner/launch.mjs) where it exists, else tsx. */
function cliOf(checkout: string): string[] {
  const launch = join(checkout, 'runner', 'launch.mjs');
  return existsSync(launch) ? [launch, 'runner/cli.ts'] : ['--import', 'tsx', join(checkout, 'runner', 'cli.ts')];
}
const ARGS = ['--demo', '--users', '2,4', '--duration', '5s', '--engine', 'embedded'];

/** Only what the bench reads; run.json of any schema version has these. */
const Manifest = z.object({
  startedAt: z.string(),
  stages: z.array(
    z.object({ users: z.number(), startedAt: z.string(), endedAt: z.string(), files: z.object({ summary: z.string().optional() }) }),
  ),
  plan: z.object({ stages: z.array(z.object({ rampMs: z.number(), holdMs: z.number() })) }),
});
const Export = z.object({ metrics: z.object({ http_reqs: z.object({ count: z.number(), rate: z.number() }) }) });

interface Measured {
  wallMs: number;
  startupMs: number;
  stages: Array<{ users: number; plannedMs: number; testRunMs: number; engineMs: number; gapAfterMs: number }>;
}

async function measure(): Promise<Measured> {
  const results = mkdtempSync(join(tmpdir(), 'overhead-bench-'));
  try {
    const t0 = Date.now();
    const child = spawn(process.execPath, [...cliOf(root), 'stages', ...ARGS, '--results', results], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const wallMs = Date.now() - t0;
    if (code !== 0) throw new Error(`stages exited ${code}`);
    const [id] = readdirSync(join(results, 'runs'));
    const dir = join(results, 'runs', id!);
    const m = Manifest.parse(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')));
    const stages = m.stages.map((s, i) => {
      // k6's summary export: rate = count / test run duration, so the ratio is that duration.
      const e = Export.parse(JSON.parse(readFileSync(join(dir, s.files.summary!), 'utf8'))).metrics.http_reqs;
      const next = m.stages[i + 1];
      return {
        users: s.users,
        plannedMs: m.plan.stages[i]!.rampMs + m.plan.stages[i]!.holdMs,
        testRunMs: (e.count / e.rate) * 1000,
        engineMs: Date.parse(s.endedAt) - Date.parse(s.startedAt),
        gapAfterMs: (next ? Date.parse(next.startedAt) : t0 + wallMs) - Date.parse(s.endedAt),
      };
    });
    return { wallMs, startupMs: Date.parse(m.stages[0]!.startedAt) - t0, stages };
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}

const s1 = (ms: number): string => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  process.stdout.write(`overhead bench: stages ${ARGS.join(' ')} (${root}), ${RUNS} run(s)\n`);
  const perStage: number[] = [];
  for (let r = 1; r <= RUNS; r += 1) {
    const m = await measure();
    const testRun = m.stages.reduce((t, s) => t + s.testRunMs, 0);
    const overhead = (m.wallMs - testRun) / m.stages.length;
    perStage.push(overhead);
    process.stdout.write(
      `run ${r}: wall ${s1(m.wallMs)} s, planned ${s1(m.stages.reduce((t, s) => t + s.plannedMs, 0))} s, ` +
        `engine test runs ${s1(testRun)} s (the reference) → ratio ${(m.wallMs / testRun).toFixed(2)}, overhead ${s1(overhead)} s per stage\n`,
    );
    process.stdout.write(`  before the first stage (start-up, bundle, demo target, preflight): ${s1(m.startupMs)} s\n`);
    for (const s of m.stages) {
      process.stdout.write(
        `  ${s.users} users: planned ${s1(s.plannedMs)} s, k6 test run ${s1(s.testRunMs)} s (graceful stop ${s1(s.testRunMs - s.plannedMs)} s), ` +
          `engine process ${s1(s.engineMs)} s (+${s1(s.engineMs - s.testRunMs)} s start-up and exit), then ${s1(s.gapAfterMs)} s to the next stage or exit\n`,
      );
    }
  }
  const worst = Math.max(...perStage);
  process.stdout.write(`overhead per stage: ${perStage.map(s1).join(' · ')} s; target ≤ 2.0 s ${worst <= 2000 ? 'met' : 'NOT met'}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
