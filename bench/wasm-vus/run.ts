/**
 * The wasm-VU experiment (issue 15), measured: `npx tsx bench/wasm-vus/run.ts`.
 * Against the engine benchmark's server (20 ms answers), in one run:
 * (a) 150 VUs, no think time: requests/s of the QuickJS VUs (bench/wasm-vus/vus.ts, one thread)
 *     and of the embedded engine (a worker thread per VU), each as a ratio to the reference client
 *     (wrk -t2 -c150 or bench/engine-client.ts); peak RSS of both, and the cost per VU (150 VUs
 *     against 1 VU of the same kind);
 * (b) 150 VUs, 1 s think time: median http_req_duration against the reference's -t1 -c1;
 * fidelity: scripts of the engine's fixtures run by both with the same servers, 2 VUs: whether the
 *     QuickJS VUs run them without error and with the engine's rate of passed checks.
 * BENCH_VUS, BENCH_SECONDS change the load and the length.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { httpbin } from '../../test/testkit/httpbin.ts';
import { runEngine } from '../../test/testkit/engine-runs.ts';
import { NO_THINK, THINK_1S } from '../engine-scripts.ts';
import { engineRun, hasWrk, peakRss, runNodeClient, runWrk, startServer } from '../engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = Number(process.env.BENCH_VUS ?? 150);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FIXTURES = join(here, '..', '..', 'engine', '__fixtures__');
/** Engine fixtures for fidelity: plain HTTP and checks first, then the k6 APIs the experiment's host lacks. */
const SCRIPTS = [
  'doc-examples/01-http-get.js',
  'doc-examples/09-groups-checks.js',
  'doc-examples/08-custom-metrics.js',
  'doc-examples/11-k6-utils.js',
  'doc-examples/22-cookies.js',
  'doc-examples/30-encoding.js',
  'doc-examples/12-crypto-encoding.js',
  'doc-examples/13-timers.js',
  'features.js',
];

const Figures = z.object({
  requests: z.number(),
  rps: z.number(),
  medianMs: z.number(),
  iterations: z.number(),
  checks: z.number(),
  checksPassed: z.number(),
  errors: z.array(z.string()),
});

/** bench/wasm-vus/vus.ts in its own process: its figures and peak RSS. */
async function wasmRun(
  script: string,
  vus: number,
  seconds: number,
  env: string[],
): Promise<z.infer<typeof Figures> & { peakRssBytes: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'vus.ts'), script, String(vus), String(seconds), ...env], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 200);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`wasm VUs exited ${code}: ${err.trim().split('\n').pop()}`);
  return { ...Figures.parse(JSON.parse(out)), peakRssBytes: peak };
}

const fmt = (n: number, d = 1): string => n.toFixed(d);
const mib = (b: number): string => fmt(b / 2 ** 20, 0);
const load = (): string => `load average ${loadavg()[0]!.toFixed(1)}`;
const say = (s: string): void => void process.stdout.write(`${s}\n`);

async function throughput(url: string, dir: string, scriptFile: (s: string) => string): Promise<void> {
  const reference = hasWrk() ? runWrk : runNodeClient;
  const refName = hasWrk() ? 'wrk' : 'Node reference client';
  const env = [`BASE_URL=${url}`, `VUS=${VUS}`, `DURATION=${SECONDS}s`];
  const wasm = await wasmRun(scriptFile(NO_THINK), VUS, SECONDS, env);
  const engine = await engineRun(NO_THINK, url, dir, VUS, SECONDS);
  const ref = reference(url, 2, VUS, SECONDS);
  say(`(a) ${VUS} VUs, no think time; ${refName} -t2 -c${VUS}: ${fmt(ref.rps, 0)} req/s; ${load()}`);
  say(
    `    wasm VUs (1 thread): ${fmt(wasm.rps, 0)} req/s → ratio ${fmt(wasm.rps / ref.rps, 2)}, median ${fmt(wasm.medianMs, 2)} ms, errors ${wasm.errors.length}`,
  );
  say(`    engine (thread/VU):  ${fmt(engine.rps, 0)} req/s → ratio ${fmt(engine.rps / ref.rps, 2)}, median ${fmt(engine.medianMs, 2)} ms`);
  const wasm1 = await wasmRun(scriptFile(NO_THINK), 1, 2, [`BASE_URL=${url}`]);
  const perVu = (wasm.peakRssBytes - wasm1.peakRssBytes) / (VUS - 1);
  say(
    `    peak RSS: wasm VUs ${mib(wasm.peakRssBytes)} MiB (1 VU: ${mib(wasm1.peakRssBytes)} MiB → ${fmt(perVu / 2 ** 20, 2)} MiB per VU); engine ${mib(engine.peakRssBytes)} MiB → ratio wasm/engine ${fmt(wasm.peakRssBytes / engine.peakRssBytes, 2)}`,
  );
  const think = await wasmRun(scriptFile(THINK_1S), VUS, SECONDS, env);
  const ref1 = reference(url, 1, 1, SECONDS);
  say(
    `(b) 1 s think time: wasm VUs median ${fmt(think.medianMs, 2)} ms; ${refName} -t1 -c1 ${fmt(ref1.medianMs, 2)} ms → +${fmt(think.medianMs - ref1.medianMs, 2)} ms; ${load()}`,
  );
}

async function fidelity(url: string): Promise<void> {
  const bin = await httpbin();
  const dir = mkdtempSync(join(tmpdir(), 'wasm-vus-fid-'));
  try {
    say('fidelity (2 VUs, 2 s; BASE: the bench server, HTTPBIN: test/testkit/httpbin.ts; the engine with the same servers):');
    for (const s of SCRIPTS) {
      const env = [`BASE=${url.replace(/\/$/, '')}`, `HTTPBIN=${bin.base}`];
      const eng = await runEngine(
        ['run', '-q', '--vus', '2', '--duration', '2s', '--summary-export', 'x.json', ...env.flatMap((e) => ['-e', e]), join(FIXTURES, s)],
        dir,
      );
      let engChecks = '';
      try {
        const c = (JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8')) as { metrics: { checks?: { passes: number; fails: number } } })
          .metrics.checks;
        engChecks = c ? `${fmt((100 * c.passes) / Math.max(1, c.passes + c.fails), 0)} %` : 'none';
      } catch {
        engChecks = `exit ${eng.code}`;
      }
      try {
        const w = await wasmRun(join(FIXTURES, s), 2, 2, env);
        const checks = w.checks ? `${fmt((100 * w.checksPassed) / w.checks, 0)} %` : 'none';
        // QuickJS's stacks lack V8's first "Name: message" line: the frames name what failed.
        const first = w.errors[0]?.replace(/\s+/g, ' ').slice(0, 160);
        const bothFail = first !== undefined && eng.stderr.includes('level=error') && !/^VU \d+: init failed/.test(first);
        const same = checks === engChecks && (first === undefined || bothFail);
        const verdict = same
          ? `same as the engine${bothFail ? ' (the script throws in both)' : ''}`
          : `DIFFERS${first ? `: ${first}` : ''}`;
        say(`  ${s}: ${w.iterations} iterations, checks passed ${checks} (engine ${engChecks}) → ${verdict}`);
      } catch (e) {
        say(`  ${s}: FAILS: ${(e as Error).message}`);
      }
      rmSync(join(dir, 'x.json'), { force: true });
    }
  } finally {
    await bin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-vus-'));
  const server = await startServer(join(here, '..', 'engine-server.ts'));
  let n = 0;
  const scriptFile = (text: string): string => {
    const p = join(dir, `s${n++}.js`);
    writeFileSync(p, text);
    return p;
  };
  try {
    if (process.env.BENCH_ONLY !== 'fidelity') await throughput(server.url, dir, scriptFile);
    if (process.env.BENCH_ONLY !== 'throughput') await fidelity(server.url);
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
