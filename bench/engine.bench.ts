/**
 * The embedded engine against a loopback server answering after 20 ms, 150 VUs:
 * (a) no think time: requests/s against wrk -t2 -c150, and peak RSS against the same number of idle
 * worker threads (the floor of one thread per VU);
 * (b) 1 s think time: median http_req_duration, against wrk -t1 -c1.
 * Without wrk, the reference is bench/engine-client.ts in wrk's shape. Every reference is measured
 * in the same run, against the same server. Targets (issue 15): ≥ 0.9× the reference's requests/s,
 * peak RSS ≤ 1.5 GiB, median within 1 ms of the reference's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_THINK, THINK_1S } from './engine-scripts.ts';
import { engineRun, hasWrk, runNodeClient, runWrk, startServer, threadFloorRss } from './engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = Number(process.env.BENCH_VUS ?? 150);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const fmt = (n: number, d = 1): string => n.toFixed(d);
const mib = (bytes: number): string => fmt(bytes / 2 ** 20, 0);
const load = (): string => `load average ${loadavg()[0]!.toFixed(1)}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  const server = await startServer(join(here, 'engine-server.ts'));
  try {
    const wrk = hasWrk();
    const reference = wrk ? runWrk : runNodeClient;
    const refName = (t: number, c: number): string => `${wrk ? 'wrk' : 'Node reference client (wrk not installed)'} -t${t} -c${c}`;
    process.stdout.write(`engine bench: ${VUS} VUs, ${SECONDS}s per run, server answers after 20 ms; ${load()}\n`);

    const a = await engineRun(NO_THINK, server.url, dir, VUS, SECONDS);
    const refA = reference(server.url, 2, VUS, SECONDS);
    const floor = await threadFloorRss(VUS);
    process.stdout.write(
      `(a) no think time: ${fmt(a.rps, 0)} req/s, failed ${a.failed}; ${refName(2, VUS)}: ${fmt(refA.rps, 0)} req/s → ratio ${fmt(a.rps / refA.rps, 2)} (target ≥ 0.9: ${a.rps >= 0.9 * refA.rps ? 'met' : 'NOT met'}); ${load()}\n`,
    );
    process.stdout.write(
      `    peak RSS ${mib(a.peakRssBytes)} MiB (≤ 1536: ${a.peakRssBytes <= 1.5 * 2 ** 30 ? 'met' : 'NOT met'}); ${VUS} idle worker threads alone: ${mib(floor)} MiB → ratio ${fmt(a.peakRssBytes / floor, 2)}, ${fmt((a.peakRssBytes - floor) / VUS / 2 ** 20, 2)} MiB per VU above the thread floor\n`,
    );

    const b = await engineRun(THINK_1S, server.url, dir, VUS, SECONDS);
    const refB = reference(server.url, 1, 1, SECONDS);
    const delta = b.medianMs - refB.medianMs;
    process.stdout.write(
      `(b) 1 s think time: median http_req_duration ${fmt(b.medianMs, 2)} ms; ${refName(1, 1)} median ${fmt(refB.medianMs, 2)} ms → ${delta >= 0 ? '+' : ''}${fmt(delta, 2)} ms, ratio ${fmt(b.medianMs / refB.medianMs, 3)} (target within 1 ms: ${Math.abs(delta) <= 1 ? 'met' : 'NOT met'}); ${load()}\n`,
    );
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
