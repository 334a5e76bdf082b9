/**
 * The engine benchmark's reference client when wrk is not installed: wrk's shape (`-t<threads>
 * -c<connections> -d<seconds>`), keep-alive connections each sending its next request as soon as
 * the last one is answered, in its own process (its CPU is not the bench's). Threads are worker
 * threads, the connections split between them; undici, the HTTP client the engine itself uses.
 * Prints one JSON line: { rps, medianMs, requests }.
 * Usage: node --import tsx bench/engine-client.ts <url> <threads> <connections> <seconds>
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

interface Job {
  url: string;
  connections: number;
  endAt: number;
  undici: string;
}

/**
 * One thread's connections, as plain JavaScript (a worker does not get the TypeScript loader):
 * posts their latencies (ms), measured as wrk does (request sent to last byte read).
 */
const DRIVE = `
const { parentPort, workerData: job } = require('node:worker_threads');
const { Agent, request } = require(job.undici);
const agent = new Agent({ connections: job.connections, pipelining: 1 });
const times = [];
const loop = async () => {
  while (performance.timeOrigin + performance.now() < job.endAt) {
    const t0 = performance.now();
    const r = await request(job.url, { dispatcher: agent });
    await r.body.arrayBuffer();
    times.push(performance.now() - t0);
  }
};
Promise.all(Array.from({ length: job.connections }, loop))
  .then(() => agent.close())
  .then(() => parentPort.postMessage(Float64Array.from(times)));
`;

async function main(): Promise<void> {
  const [url, t, c, s] = process.argv.slice(2);
  const threads = Number(t);
  const connections = Number(c);
  const seconds = Number(s);
  if (!url || !(threads >= 1) || !(connections >= threads) || !(seconds > 0)) {
    process.stderr.write('usage: engine-client.ts <url> <threads ≥ 1> <connections ≥ threads> <seconds > 0>\n');
    process.exit(2);
  }
  const t0 = performance.now();
  const endAt = performance.timeOrigin + t0 + seconds * 1000;
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, i) => {
      const share = Math.floor(connections / threads) + (i < connections % threads ? 1 : 0);
      const job: Job = { url, connections: share, endAt, undici: createRequire(import.meta.url).resolve('undici') };
      const w = new Worker(DRIVE, { eval: true, workerData: job });
      return new Promise<Float64Array>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  all.sort();
  process.stdout.write(`${JSON.stringify({ rps: all.length / elapsedS, medianMs: all[all.length >> 1] ?? 0, requests: all.length })}\n`);
}

await main();
