/**
 * The embedded engine against a loopback server answering after 20 ms, 150 VUs:
 * (a) no think time: requests/s and peak RSS, against wrk -c150 (or nothing when wrk is absent);
 * (b) 1 s think time: median http_req_duration, against wrk -t1 -c1 (or a Node keep-alive client).
 * Targets (issue #2 §4): ≥ 5,000 req/s, peak RSS ≤ 1.5 GiB, median within 1 ms of the reference.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NO_THINK, THINK_1S } from './engine-scripts.ts';
import { hasWrk, nodeClientMedian, peakRss, runWrk, startServer } from './engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = Number(process.env.BENCH_VUS ?? 150);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const Export = z.object({
  metrics: z.object({
    http_reqs: z.object({ count: z.number(), rate: z.number() }),
    http_req_duration: z.object({ med: z.number(), avg: z.number() }),
    http_req_failed: z.object({ passes: z.number() }),
  }),
});

async function engineRun(
  script: string,
  url: string,
  dir: string,
): Promise<{ rps: number; medianMs: number; failed: number; peakRssBytes: number }> {
  const path = join(dir, `s-${Date.now()}.js`);
  writeFileSync(path, script);
  const out = join(dir, `summary-${Date.now()}.json`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(here, '..', 'engine', 'cli.ts'),
      'run',
      '--quiet',
      '--no-summary',
      '-e',
      `BASE_URL=${url}`,
      '-e',
      `VUS=${VUS}`,
      '-e',
      `DURATION=${SECONDS}s`,
      '--out',
      `csv=${join(dir, 'out.csv.gz')}`,
      '--summary-export',
      out,
      path,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 200);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`engine exited ${code}`);
  const s = Export.parse(JSON.parse(readFileSync(out, 'utf8')));
  return {
    rps: s.metrics.http_reqs.rate,
    medianMs: s.metrics.http_req_duration.med,
    failed: s.metrics.http_req_failed.passes,
    peakRssBytes: peak,
  };
}

const fmt = (n: number, d = 1): string => n.toFixed(d);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  const server = await startServer(join(here, 'engine-server.ts'));
  try {
    const wrk = hasWrk();
    process.stdout.write(
      `engine bench: ${VUS} VUs, ${SECONDS}s per run, server answers after 20 ms; reference: ${wrk ? 'wrk' : 'Node keep-alive client (wrk not installed)'}\n`,
    );

    const a = await engineRun(NO_THINK, server.url, dir);
    const refA = wrk ? runWrk(server.url, 2, VUS, SECONDS) : null;
    process.stdout.write(
      `(a) no think time: ${fmt(a.rps, 0)} req/s, peak RSS ${fmt(a.peakRssBytes / 2 ** 20, 0)} MiB, failed ${a.failed}\n`,
    );
    if (refA) process.stdout.write(`    wrk -t2 -c${VUS}: ${fmt(refA.rps, 0)} req/s → ratio engine/wrk ${fmt(a.rps / refA.rps, 2)}\n`);
    process.stdout.write(
      `    targets: ≥ 5000 req/s ${a.rps >= 5000 ? 'met' : 'NOT met'}; peak RSS ≤ 1536 MiB ${a.peakRssBytes <= 1.5 * 2 ** 30 ? 'met' : 'NOT met'}\n`,
    );

    const b = await engineRun(THINK_1S, server.url, dir);
    const refMedian = wrk ? runWrk(server.url, 1, 1, SECONDS).medianMs : await nodeClientMedian(server.url, SECONDS);
    const delta = b.medianMs - refMedian;
    process.stdout.write(
      `(b) 1 s think time: median http_req_duration ${fmt(b.medianMs, 2)} ms; ${wrk ? 'wrk -t1 -c1' : 'Node client'} median ${fmt(refMedian, 2)} ms → +${fmt(delta, 2)} ms, ratio ${fmt(b.medianMs / refMedian, 3)}\n`,
    );
    process.stdout.write(`    target: within 1 ms ${Math.abs(delta) <= 1 ? 'met' : 'NOT met'}\n`);
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
