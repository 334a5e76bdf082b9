/**
 * `npx tsx bench/engine-sharedarray.ts`: peak RSS of the embedded engine running a script whose
 * SharedArray holds about 20 MB of JSON, at 50 VUs (BENCH_VUS, BENCH_MB change them). The VUs
 * read random elements and sleep; no HTTP, so the memory is the engine's and the array's.
 * BENCH_ENGINE_CLI points at another checkout's `engine/cli.ts` to measure it the same
 * way (how the "before" figure in bench/README.md was taken).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRss } from './engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = Number(process.env.BENCH_VUS ?? 50);
const MB = Number(process.env.BENCH_MB ?? 20);
const cli = resolve(process.env.BENCH_ENGINE_CLI ?? join(here, '..', 'engine', 'cli.ts'));

/** About `mb` MB of JSON: records of ~200 bytes, like users or products read from a data file. */
function dataJson(mb: number): string {
  const rows: string[] = [];
  let size = 2;
  for (let i = 0; size < mb * 1e6; i++) {
    const row = JSON.stringify({
      id: i,
      username: `user-${i}`,
      email: `user-${i}@example.test`,
      password: `pw-${(i * 7919).toString(36)}`,
      tags: ['bench', `group-${i % 50}`],
      score: (i % 1000) / 10,
      active: i % 3 !== 0,
    });
    rows.push(row);
    size += row.length + 1;
  }
  return `[${rows.join(',')}]`;
}

const SCRIPT = `import { sleep } from 'k6';
import { SharedArray } from 'k6/data';
const users = new SharedArray('users', () => JSON.parse(open('./data.json')));
export const options = { scenarios: { s: { executor: 'constant-vus', vus: ${VUS}, duration: '5s', gracefulStop: '0s' } } };
export default function () {
  const u = users[Math.floor(Math.random() * users.length)];
  if (!u.username) throw new Error('bad row');
  sleep(0.1);
}
`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-sharedarray-'));
  try {
    const json = dataJson(MB);
    writeFileSync(join(dir, 'data.json'), json);
    writeFileSync(join(dir, 'script.js'), SCRIPT);
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', '--quiet', '--no-summary', join(dir, 'script.js')], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 100);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearInterval(poll);
    const s = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `SharedArray of ${(json.length / 1e6).toFixed(1)} MB JSON, ${VUS} VUs, 5 s: peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB, exit ${code}, ${s} s in all (${cli})\n`,
    );
    if (code !== 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
