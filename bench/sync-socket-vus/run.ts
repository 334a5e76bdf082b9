/**
 * The sync-socket VU experiment (issue 15), measured: `npx tsx bench/sync-socket-vus/run.ts`.
 * A VU thread that does its own HTTP over a blocking socket (sync_socket.c, a Node-API addon built
 * here with the machine's C compiler, `CC` or cc) instead of asking the main thread for it: the
 * kernel wakes the VU when its answer arrives, with no main-thread relay and no futex hop.
 * vus.cjs is the floor of that design (HTTP/1.1 with Content-Length, no k6 runtime, no samples),
 * measured in one run against the engine benchmark's server (20 ms answers) beside the reference
 * client and the embedded engine:
 * (a) 150 VUs, no think time: requests/s as a ratio to the reference (wrk -t2 -c150 or
 *     bench/engine-client.ts), CPU per request in a steady window, peak RSS;
 * (b) 150 VUs, 1 s think time: median against the reference's -t1 -c1.
 * BENCH_VUS, BENCH_SECONDS change the load and the length.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NO_THINK } from '../engine-scripts.ts';
import { engineRun, hasWrk, peakRss, runNodeClient, runWrk, startServer, threadFloorRss } from '../engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = Number(process.env.BENCH_VUS ?? 150);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_S = 2;

const Figures = z.object({ rps: z.number(), cpuPerRequestUs: z.number(), medianMs: z.number(), requests: z.number() });

/** The addon, built into `dir`; exits with one line when there is no C compiler. */
function buildAddon(dir: string): string {
  const out = join(dir, 'sync_socket.node');
  const cc = process.env.CC ?? 'cc';
  const includes = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'];
  const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', ...includes.map((i) => `-I${i}`), '-o', out, join(here, 'sync_socket.c')], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) {
    process.stderr.write(
      `error: cannot build the addon with ${cc} (a C compiler and Node's headers are needed): ${r.error?.message ?? r.stderr.trim()}\n`,
    );
    process.exit(2);
  }
  return out;
}

/** vus.cjs in its own process: its figures and peak RSS. */
async function syncRun(
  addon: string,
  url: string,
  seconds: number,
  thinkMs: number,
): Promise<z.infer<typeof Figures> & { peakRssBytes: number }> {
  const child = spawn(
    process.execPath,
    [join(here, 'vus.cjs'), addon, url, String(VUS), String(seconds), String(WARM_S), String(thinkMs)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 200);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`sync-socket VUs exited ${code}`);
  return { ...Figures.parse(JSON.parse(out)), peakRssBytes: peak };
}

const fmt = (n: number, d = 1): string => n.toFixed(d);
const mib = (b: number): string => fmt(b / 2 ** 20, 0);
const load = (): string => `load average ${loadavg()[0]!.toFixed(1)}`;
const say = (s: string): void => void process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sync-socket-vus-'));
  const server = await startServer(join(here, '..', 'engine-server.ts'));
  try {
    const addon = buildAddon(dir);
    const reference = hasWrk() ? runWrk : runNodeClient;
    const refName = hasWrk() ? 'wrk' : 'Node reference client';
    say(`sync-socket VUs: ${VUS} VUs, ${SECONDS} s per run (+${WARM_S} s warm-up for the sync VUs), server answers after 20 ms; ${load()}`);
    const sync = await syncRun(addon, server.url, SECONDS, 0);
    const engine = await engineRun(NO_THINK, server.url, dir, VUS, SECONDS);
    const ref = reference(server.url, 2, VUS, SECONDS);
    const floor = await threadFloorRss(VUS);
    say(`(a) no think time; ${refName} -t2 -c${VUS}: ${fmt(ref.rps, 0)} req/s; ${load()}`);
    say(
      `    sync-socket VUs: ${fmt(sync.rps, 0)} req/s → ratio ${fmt(sync.rps / ref.rps, 2)}, ${fmt(sync.cpuPerRequestUs, 0)} µs CPU/request, median ${fmt(sync.medianMs, 2)} ms, peak RSS ${mib(sync.peakRssBytes)} MiB (thread floor ${mib(floor)} MiB)`,
    );
    say(
      `    engine (today's design): ${fmt(engine.rps, 0)} req/s → ratio ${fmt(engine.rps / ref.rps, 2)}, peak RSS ${mib(engine.peakRssBytes)} MiB`,
    );
    const think = await syncRun(addon, server.url, SECONDS, 1000);
    const ref1 = reference(server.url, 1, 1, SECONDS);
    const delta = think.medianMs - ref1.medianMs;
    say(
      `(b) 1 s think time: sync-socket VUs median ${fmt(think.medianMs, 2)} ms; ${refName} -t1 -c1 ${fmt(ref1.medianMs, 2)} ms → ${delta >= 0 ? '+' : ''}${fmt(delta, 2)} ms; ${load()}`,
    );
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
