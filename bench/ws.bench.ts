/**
 * WebSocket sessions on the embedded engine (issue 16): 150 VUs, each holding one `k6/ws`
 * session against a loopback echo and sending a message as soon as the previous one came back,
 * for BENCH_WS_SECONDS (default 10). Messages per second and the median round trip, as a ratio
 * to a reference measured in the same run: 150 clients of the `ws` package in one Node process
 * (bench/ws-client.ts) against the same echo server (bench/ws-echo-server.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startServer } from './engine-tools.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VUS = 150;
const SECONDS = Number(process.env.BENCH_WS_SECONDS ?? 10);

const SCRIPT = `
import ws from 'k6/ws';
import { Trend } from 'k6/metrics';
const rtt = new Trend('ws_rtt', true);
export const options = { scenarios: { echo: { executor: 'per-vu-iterations', vus: Number(__ENV.VUS), iterations: 1, maxDuration: '5m' } } };
export default function () {
  ws.connect(__ENV.URL, {}, (socket) => {
    let sentAt = 0;
    const send = () => { sentAt = Date.now(); socket.send('ping'); };
    socket.on('open', send);
    socket.on('message', () => { rtt.add(Date.now() - sentAt); send(); });
    socket.setTimeout(() => socket.close(), Number(__ENV.SECONDS) * 1000);
  });
}
`;

const Export = z.object({
  metrics: z.object({ ws_msgs_received: z.object({ count: z.number() }), ws_rtt: z.object({ med: z.number() }) }),
});

function reference(url: string): { perS: number; medianMs: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'ws-client.ts'), url, String(VUS), String(SECONDS)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`reference client failed: ${r.stderr}`);
  const out = z.object({ messages: z.number(), medianMs: z.number() }).parse(JSON.parse(r.stdout));
  return { perS: out.messages / SECONDS, medianMs: out.medianMs };
}

async function engine(url: string): Promise<{ perS: number; medianMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bench-'));
  try {
    writeFileSync(join(dir, 'script.js'), SCRIPT);
    const args = ['run', '--quiet', '--no-summary', '--summary-export', 'summary.json', '-e', `URL=${url}`, '-e', `VUS=${VUS}`];
    args.push('-e', `SECONDS=${SECONDS}`, 'script.js');
    const child = spawn(process.execPath, [join(here, '..', 'runner', 'launch.mjs'), 'engine/cli.ts', ...args], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`the engine exited ${code}`);
    const m = Export.parse(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).metrics;
    // Messages over the sessions' hold (each session lasts SECONDS once open).
    return { perS: m.ws_msgs_received.count / SECONDS, medianMs: m.ws_rtt.med };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { url: httpUrl, child: server } = await startServer(join(here, 'ws-echo-server.ts'));
const url = httpUrl.replace(/^http/, 'ws');
try {
  const load = loadavg()[0]!.toFixed(1);
  const ref = reference(url);
  const ours = await engine(url);
  process.stdout.write(
    [
      `WebSocket echo, ${VUS} sessions, ${SECONDS} s each (load average ${load} at the start)`,
      `  reference (${VUS} ws clients, one Node process): ${ref.perS.toFixed(0)} messages/s, median round trip ${ref.medianMs.toFixed(2)} ms`,
      `  embedded engine (k6/ws, ${VUS} VUs):              ${ours.perS.toFixed(0)} messages/s, median round trip ${ours.medianMs.toFixed(2)} ms`,
      `  ratio: ${(ours.perS / ref.perS).toFixed(2)}× the reference's messages/s; round trip ${(ours.medianMs - ref.medianMs).toFixed(2)} ms above it`,
      '',
    ].join('\n'),
  );
} finally {
  server.kill();
}
