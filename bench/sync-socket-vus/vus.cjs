// The sync-socket VU experiment's load (issue 15): VUS worker threads, each one VU that connects
// once (keep-alive, as a k6 VU's own transport) and then, until the end, sends a GET and sleeps in
// recv() until the whole answer is in: no main-thread hop, no futex. A floor for the design, not
// an engine: HTTP/1.1 with Content-Length only, no k6 runtime, no samples written.
// Usage: node vus.cjs <addon.node> <url> <vus> <seconds> <warm-up seconds> [think ms]; prints one JSON line.
'use strict';
const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads');
const v8 = require('node:v8');

if (isMainThread) {
  const [addon, url, vusArg, secondsArg, warmArg, thinkArg] = process.argv.slice(2);
  const thinkMs = Number(thinkArg ?? 0);
  const vus = Number(vusArg);
  const seconds = Number(secondsArg);
  const warm = Number(warmArg);
  // As the engine makes its VU threads (engine/vu-pool.ts, engine/vu.ts).
  v8.setFlagsFromString('--max-semi-space-size=1');
  const shared = new SharedArrayBuffer(16);
  const i32 = new Int32Array(shared);
  const limits = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 256, stackSizeMb: 2 };
  const workers = [];
  let online = 0;
  const durations = [];
  let finished = 0;
  for (let i = 0; i < vus; i++) {
    const w = new Worker(__filename, { workerData: { addon, url, shared, thinkMs }, resourceLimits: limits });
    w.on('message', (m) => {
      if (m === 'ready') {
        online++;
        if (online === vus) start();
      } else {
        for (const d of m) durations.push(d);
        if (++finished === vus) report();
      }
    });
    w.on('error', (e) => {
      process.stderr.write(`VU ${i}: ${e.message}\n`);
      process.exit(1);
    });
    workers.push(w);
  }
  let n0 = 0;
  let cpu0;
  let t0 = 0;
  let window = null;
  function start() {
    Atomics.store(i32, 0, 1);
    Atomics.notify(i32, 0);
    setTimeout(() => {
      n0 = Atomics.load(i32, 1);
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    }, warm * 1000);
    setTimeout(() => {
      const n = Atomics.load(i32, 1) - n0;
      const cpu = process.cpuUsage(cpu0);
      window = { n, ms: performance.now() - t0, cpuUs: cpu.user + cpu.system };
      Atomics.store(i32, 0, 2); // stop
    }, (warm + seconds) * 1000);
  }
  function report() {
    durations.sort((a, b) => a - b);
    const median = durations.length ? durations[Math.floor(durations.length / 2)] : 0;
    process.stdout.write(
      `${JSON.stringify({ rps: (window.n * 1000) / window.ms, cpuPerRequestUs: window.cpuUs / window.n, medianMs: median, requests: durations.length })}\n`,
    );
    process.exit(0);
  }
} else {
  const { addon, url, shared, thinkMs } = workerData;
  const mod = { exports: {} };
  process.dlopen(mod, addon);
  const net = mod.exports;
  const i32 = new Int32Array(shared);
  const u = new URL(url);
  const fd = net.connect(u.hostname, Number(u.port));
  const out = Buffer.alloc(4096);
  const inb = Buffer.alloc(64 * 1024);
  const durations = [];
  parentPort.postMessage('ready');
  Atomics.wait(i32, 0, 0);
  const target = u.pathname + u.search;
  while (Atomics.load(i32, 0) === 1) {
    const t = performance.now();
    const req = `GET ${target} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: k6/0.48.0 (https://k6.io/)\r\n\r\n`;
    const len = out.utf8Write(req, 0);
    net.send(fd, out, len);
    let got = 0;
    let headEnd = -1;
    let total = -1;
    for (;;) {
      const r = net.recv(fd, inb, got);
      if (r === 0) throw new Error('the server closed the connection');
      got += r;
      if (headEnd < 0) {
        headEnd = inb.indexOf('\r\n\r\n', 0, 'latin1');
        if (headEnd >= 0) {
          const head = inb.latin1Slice(0, headEnd).toLowerCase();
          const at = head.indexOf('content-length:');
          if (at < 0) throw new Error('no Content-Length in the answer');
          total = headEnd + 4 + Number.parseInt(head.slice(at + 15), 10);
          const status = Number(head.slice(9, 12));
          if (status !== 200) throw new Error(`status ${status}`);
        }
      }
      if (total >= 0 && got >= total) break;
    }
    const body = inb.utf8Slice(headEnd + 4, total);
    if (body.length === 0) throw new Error('empty body');
    durations.push(performance.now() - t);
    Atomics.add(i32, 1, 1);
    if (thinkMs > 0) Atomics.wait(i32, 0, 1, thinkMs); // k6's sleep(): wakes early at the stop
  }
  net.close(fd);
  parentPort.postMessage(durations);
}
