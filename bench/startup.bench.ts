/**
 * Start-up of a command (issue 15): `npm run decide -- --help`, the whole npm command, against
 * `npm -v` and `node -e 0` measured in the same run. Target: at most `npm -v` + 0.3 s. Also the
 * command without npm (runner/launch.mjs, prebuilt JavaScript), the same command transpiled by
 * tsx at start as before (for the record), and `decide` and `report` over a 100-run results folder
 * (target < 1 s each). The commands take turns (one start of each per round, BENCH_RUNS rounds,
 * default 7) so that the machine's load swings hit all of them alike; each figure is the median.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeResultsFolder } from '../test/testkit/results-folder.ts';
import { runId, storedRun } from '../test/testkit/runs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const launch = [join(root, 'runner', 'launch.mjs'), 'runner/cli.ts'];

/** A results folder of `n` healthy nightly runs, written as the runner writes them. */
async function hundredRuns(n: number): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const folder = await makeResultsFolder('bench-startup-');
  for (let i = 0; i < n; i++) await folder.write(storedRun({ id: runId(i) }));
  return folder;
}

const results = await hundredRuns(100);
const reportDir = await mkdtemp(join(tmpdir(), 'bench-report-'));
const commands: Record<string, readonly [string, readonly string[]]> = {
  node: [process.execPath, ['-e', '0']],
  npmV: ['npm', ['-v']],
  npmDecide: ['npm', ['run', '--silent', 'decide', '--', '--help']],
  launched: [process.execPath, [...launch, 'decide', '--help']],
  tsx: [process.execPath, ['--import', 'tsx', join(root, 'runner', 'cli.ts'), 'decide', '--help']],
  decide100: ['npm', ['run', '--silent', 'decide', '--', '--results', results.dir]],
  report100: ['npm', ['run', '--silent', 'report', '--', '--results', results.dir, '--out', join(reportDir, 'weekly.md'), '--force']],
};

// Built once before timing: the first start after a change of the sources builds (not start-up).
spawnSync(process.execPath, [join(root, 'runner', 'launch.mjs'), '--build'], { cwd: root, stdio: 'ignore' });
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, [] as number[]]));
for (let round = 0; round < RUNS; round++) {
  for (const [name, [command, args]] of Object.entries(commands)) {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
    times[name]!.push((performance.now() - t0) / 1000);
  }
}
await results.cleanup();
await rm(reportDir, { recursive: true, force: true });

const median = (name: string) => {
  const sorted = [...times[name]!].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const [node, npmV, npmDecide, launched, tsx] = ['node', 'npmV', 'npmDecide', 'launched', 'tsx'].map(median) as number[];
const row = (what: string, s: number) => `  ${what.padEnd(60)} ${s.toFixed(2)} s`;
process.stdout.write(
  [
    `start-up, median of ${RUNS} rounds (load average ${loadavg()[0]!.toFixed(1)})`,
    row('node -e 0 (reference)', node!),
    row('npm -v (reference)', npmV!),
    row('npm run decide -- --help (the whole command)', npmDecide!),
    row('node runner/launch.mjs runner/cli.ts decide --help', launched!),
    row('node --import tsx runner/cli.ts decide --help (before)', tsx!),
    row('npm run decide over 100 runs (target < 1 s)', median('decide100')),
    row('npm run report over 100 runs (target < 1 s)', median('report100')),
    `  npm run decide -- --help − npm -v: ${(npmDecide! - npmV!).toFixed(2)} s (target ≤ 0.30 s); ${(npmDecide! / npmV!).toFixed(2)}× npm -v`,
    `  the command alone: ${(launched! / node!).toFixed(2)}× node -e 0; tsx at start was ${(tsx! / launched!).toFixed(2)}× slower`,
    '',
  ].join('\n'),
);
