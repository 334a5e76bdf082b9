/**
 * Start-up of a command (issue 15): `npm run decide -- --help`, the whole npm command, against
 * `npm -v` and `node -e 0` measured in the same run (median of BENCH_RUNS, default 7). Target:
 * at most `npm -v` + 0.3 s. Also the command without npm (runner/launch.mjs, prebuilt JavaScript)
 * and, for the record, the same command transpiled by tsx at start as before.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function medianSeconds(command: string, args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd: root, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

// Built once before timing: the first start after a change of the sources builds (not start-up).
spawnSync(process.execPath, [join(root, 'runner', 'launch.mjs'), '--build'], { cwd: root, stdio: 'ignore' });
const node = medianSeconds(process.execPath, ['-e', '0']);
const npmV = medianSeconds('npm', ['-v']);
const npmDecide = medianSeconds('npm', ['run', '--silent', 'decide', '--', '--help']);
const launched = medianSeconds(process.execPath, [join(root, 'runner', 'launch.mjs'), 'runner/cli.ts', 'decide', '--help']);
const tsx = medianSeconds(process.execPath, ['--import', 'tsx', join(root, 'runner', 'cli.ts'), 'decide', '--help']);

const row = (what: string, s: number) => `  ${what.padEnd(56)} ${s.toFixed(2)} s`;
process.stdout.write(
  [
    `start-up, median of ${RUNS} (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`,
    row('node -e 0 (reference)', node),
    row('npm -v (reference)', npmV),
    row('npm run decide -- --help (the whole command)', npmDecide),
    row('node runner/launch.mjs runner/cli.ts decide --help', launched),
    row('node --import tsx runner/cli.ts decide --help (before)', tsx),
    `  npm run decide -- --help − npm -v: ${(npmDecide - npmV).toFixed(2)} s (target ≤ 0.30 s); ${(npmDecide / npmV).toFixed(2)}× npm -v`,
    `  the command alone: ${(launched / node).toFixed(2)}× node -e 0; tsx at start was ${(tsx / launched).toFixed(2)}× slower`,
    '',
  ].join('\n'),
);
