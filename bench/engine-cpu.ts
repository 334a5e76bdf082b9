/**
 * CPU per request, the steadier figure on a shared machine (bench/README.md "Engine"): the
 * process's CPU time (user + system, every thread, from /proc/<pid>/task/<tid>/stat) over a
 * steady window of a running test, divided by the requests the server answered in it. Runs the
 * embedded engine (150 VUs, no think time), then the reference client, against the same server.
 * Usage: npx tsx bench/engine-cpu.ts [warmup s = 5] [window s = 8]; BENCH_VUS, BENCH_ONLY=engine|reference,
 * BENCH_ENGINE_ROOT=<another checkout> (its engine instead of this one: before/after pairs),
 * BENCH_NODE_FLAGS="--flag …" (Node/V8 flags for the engine's process: flag experiments).
 * Linux only (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_THINK } from './engine-scripts.ts';
import { startServer } from './engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = Number(process.env.BENCH_VUS ?? 150);
const WARMUP = Number(process.argv[2] ?? 5);
const WINDOW = Number(process.argv[3] ?? 8);
/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK: 100 on Linux). */
const TICK_MS = 10;

/**
 * CPU ms of the threads of `pid`: the main thread, the VU threads (the newest VUS tids: the
 * workers are made last) and the others (V8's platform threads, libuv's pool).
 */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>([
    ['main', 0],
    ['VU threads', 0],
    ['others', 0],
  ]);
  const tids = readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .sort((a, b) => a - b);
  const firstVu = tids.length > VUS ? tids[tids.length - VUS]! : Infinity;
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = tid === pid ? 'main' : tid >= firstVu ? 'VU threads' : 'others';
    // utime, stime: fields 14 and 15
    out.set(group, out.get(group)! + Number(f[11]) * TICK_MS);
    out.set(`${group} sys`, (out.get(`${group} sys`) ?? 0) + Number(f[12]) * TICK_MS);
    out.set('faults', (out.get('faults') ?? 0) + Number(f[7])); // minflt: field 10
  }
  return out;
}

const served = async (url: string): Promise<number> => Number(await (await fetch(`${url}__count`)).text());
const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));

async function measure(name: string, child: ChildProcess, url: string): Promise<void> {
  // The window starts WARMUP s after the load does: 150 VUs' start-up takes seconds on a busy machine.
  const before = await served(url);
  while ((await served(url)) - before < VUS) await sleep(0.2);
  await sleep(WARMUP);
  const cpu0 = threadCpu(child.pid!);
  const n0 = await served(url);
  const load0 = loadavg()[0]!;
  await sleep(WINDOW);
  const cpu1 = threadCpu(child.pid!);
  const n = (await served(url)) - n0;
  const per = (ms: number): string => ((ms * 1000) / n).toFixed(0);
  let total = 0;
  const parts: string[] = [];
  const delta = (g: string): number => (cpu1.get(g) ?? 0) - (cpu0.get(g) ?? 0);
  for (const g of ['main', 'VU threads', 'others']) {
    const [user, sys] = [delta(g), delta(`${g} sys`)];
    total += user + sys;
    parts.push(`${g} ${per(user + sys)} (sys ${per(sys)})`);
  }
  const faults = (delta('faults') / n).toFixed(1);
  process.stdout.write(
    `${name}: ${per(total)} µs CPU/request (${(n / WINDOW).toFixed(0)} req/s; ${parts.join(' · ')}; ${faults} page faults/request); load average ${load0.toFixed(1)}–${loadavg()[0]!.toFixed(1)}\n`,
  );
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

const dir = mkdtempSync(join(tmpdir(), 'engine-cpu-'));
const server = await startServer(join(here, 'engine-server.ts'));
try {
  // Long enough for any start-up: each run is ended once its window is measured.
  const seconds = '600';
  if (process.env.BENCH_ONLY !== 'reference') {
    const script = join(dir, 'no-think.js');
    writeFileSync(script, NO_THINK);
    const args = ['run', '--quiet', '--no-summary', '-e', `BASE_URL=${server.url}`, '-e', `VUS=${VUS}`, '-e', `DURATION=${seconds}s`];
    args.push('--out', `csv=${join(dir, 'out.csv.gz')}`, script);
    const engine = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
        join(process.env.BENCH_ENGINE_ROOT ?? join(here, '..'), 'runner', 'launch.mjs'),
        'engine/cli.ts',
        ...args,
      ],
      { stdio: 'inherit' },
    );
    await measure('engine', engine, server.url);
  }
  if (process.env.BENCH_ONLY !== 'engine') {
    const client = spawn(process.execPath, ['--import', 'tsx', join(here, 'engine-client.ts'), server.url, '2', String(VUS), seconds], {
      stdio: 'ignore',
    });
    await measure('reference -t2', client, server.url);
  }
} finally {
  server.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
