import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Starts the benchmark server in its own process; resolves with its base URL. */
export async function startServer(serverPath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`benchmark server exited (${c})`)));
    child.stdout!.on('data', (d: Buffer) => {
      const m = /PORT=(\d+)/.exec(d.toString());
      if (m) resolve(`http://127.0.0.1:${m[1]}/`);
    });
  });
  return { url, child };
}

/** Peak resident memory (VmHWM) of a live process, in bytes; 0 once it is gone. */
export function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

/** wrk's figures: requests/s and the median latency (ms). */
export function runWrk(url: string, threads: number, connections: number, seconds: number): { rps: number; medianMs: number } {
  const r = spawnSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const m = /\s50%\s+([\d.]+)(us|ms|s)\b/.exec(r.stdout);
  if (!m || !Number.isFinite(rps)) throw new Error(`cannot read wrk's output:\n${r.stdout}`);
  const unit = m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1;
  return { rps, medianMs: Number(m[1]) * unit };
}

/** The reference without wrk: bench/engine-client.ts in its own process, wrk's shape and figures. */
export function runNodeClient(url: string, threads: number, connections: number, seconds: number): { rps: number; medianMs: number } {
  const client = join(dirname(fileURLToPath(import.meta.url)), 'engine-client.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', client, url, String(threads), String(connections), String(seconds)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the reference client failed: ${r.stderr}`);
  return z.object({ rps: z.number(), medianMs: z.number() }).parse(JSON.parse(r.stdout));
}

/**
 * The thread floor: peak RSS (bytes) of a Node process holding `n` idle worker threads made as the
 * engine makes its VUs (same resource limits, the same V8 flag set first), nothing run in them.
 */
export async function threadFloorRss(n: number): Promise<number> {
  const code = `
    require('node:v8').setFlagsFromString('--max-semi-space-size=1');
    const { Worker } = require('node:worker_threads');
    const limits = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 256, stackSizeMb: 2 };
    const ws = Array.from({ length: ${n} }, () => new Worker('setInterval(() => {}, 1000)', { eval: true, resourceLimits: limits }));
    Promise.all(ws.map((w) => new Promise((r) => w.once('online', r)))).then(() => setTimeout(() => process.exit(0), 1500));
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 100);
  await new Promise((r) => child.on('exit', r));
  clearInterval(poll);
  return peak;
}

const Export = z.object({
  metrics: z.object({
    http_reqs: z.object({ count: z.number(), rate: z.number() }),
    http_req_duration: z.object({ med: z.number(), avg: z.number() }),
    http_req_failed: z.object({ passes: z.number() }),
  }),
});

/** The embedded engine (`k6 run`, a gzipped CSV and a summary export, as a stage) on a bench script; its figures and peak RSS. */
export async function engineRun(
  script: string,
  url: string,
  dir: string,
  vus: number,
  seconds: number,
): Promise<{ rps: number; medianMs: number; failed: number; peakRssBytes: number }> {
  const path = join(dir, `s-${Date.now()}.js`);
  writeFileSync(path, script);
  const out = join(dir, `summary-${Date.now()}.json`);
  // As the runner starts it: prebuilt JavaScript (runner/launch.mjs), not TypeScript transpiled at start.
  const launch = join(dirname(fileURLToPath(import.meta.url)), '..', 'runner', 'launch.mjs');
  const args = ['run', '--quiet', '--no-summary', '-e', `BASE_URL=${url}`, '-e', `VUS=${vus}`, '-e', `DURATION=${seconds}s`];
  args.push('--out', `csv=${join(dir, 'out.csv.gz')}`, '--summary-export', out, path);
  const child = spawn(process.execPath, [launch, 'engine/cli.ts', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
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
