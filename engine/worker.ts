/**
 * A VU's worker thread: builds the VU's own vm context (k6's globals, no Node ones), runs the
 * k6 modules and the user's script in it, and blocks on shared memory while the main thread
 * serves its calls. Bundled to plain JS at start-up (no TypeScript loader in 150 workers).
 */
import type * as NodeCrypto from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, resolve } from 'node:path';
import vm from 'node:vm';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import {
  BELL,
  HEADER_BYTES,
  SLOT,
  STATE,
  USER_MODULE_PREFIX,
  USER_MODULE_SUFFIX,
  type PortMessage,
  type SharedData,
  type LocalHttpReply,
  type VuWorkerData,
  type WireHttpRequest,
  type WorkerPortMessage,
} from './protocol.ts';
import { MessageBytes } from './message-bytes.ts';
import { exchangeResponse, hopToWire } from './hop-response.ts';
import { loadVuSocketAddon } from './native/vu-socket.ts';
import type { Host } from './runtime/host.ts';
import { SocketHttp } from './socket-http.ts';

interface Data extends VuWorkerData {
  runtimeCode: string;
  /** The lazy bundle's UTF-8, shared by every VU (engine.ts), decoded only by a VU that needs it. */
  lazyCode: SharedArrayBuffer;
  events: MessagePort;
}

const wd = workerData as Data;

// VU threads run at a lower priority (nice 10; K6_EMBEDDED_VU_NICE=0 turns it off) than the main
// thread, which serves every VU: when 150 VUs wake at once (after a sleep) they no longer starve
// it. Measured at 150 VUs: requests/s +5-10 %, and the median http_req_duration with 1 s think
// time 20.7 ms instead of 21.4-23.6 ms (wrk -c1: 20.4 ms). Linux: a thread id works as a pid here.
const nice = Number(process.env.K6_EMBEDDED_VU_NICE ?? 10);
if (nice > 0) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) setPriority(tid, Math.min(19, nice));
  } catch {
    // Not Linux (no /proc/thread-self): VUs keep the process's priority.
  }
}
const i32 = new Int32Array(wd.sab, 0, HEADER_BYTES / 4);
// The shared bytes read and written in place, where TextDecoder needs a copy first.
const bytes = new MessageBytes(wd.sab);
const scriptDir = dirname(wd.scriptPath);
const counters = new Int32Array(wd.counters);
/** Read once: performance.timeOrigin is a getter that calls into Node at every read (samples read the clock often). */
const timeOrigin = performance.timeOrigin;
const bell = new Int32Array(wd.bell);
/** When the VU last called the main thread: ended iterations and samples ride on calls, so they must be frequent. */
let lastCallMs = 0;
/** At most this long between a VU's calls while it runs (a lease: iterations, requests on its own sockets). */
const LEASE_MS = 250;

function callJson(json: string): string {
  const len = bytes.write(json);
  if (len < 0) wd.port.postMessage({ kind: 'call', json });
  Atomics.store(i32, SLOT.length, len);
  Atomics.store(i32, SLOT.state, STATE.call);
  // The main thread takes every waiting call once awake: only the first caller while it sleeps rings.
  if (Atomics.load(bell, BELL.asleep) === 1 && Atomics.compareExchange(bell, BELL.asleep, 1, 0) === 1) Atomics.notify(bell, BELL.asleep);
  for (;;) {
    const st = Atomics.load(i32, SLOT.state);
    if (st === STATE.reply) break;
    Atomics.wait(i32, SLOT.state, st);
  }
  const rlen = Atomics.load(i32, SLOT.length);
  let out: string;
  if (rlen >= 0) out = bytes.read(rlen);
  else {
    const m = receiveMessageOnPort(wd.port);
    if (!m) throw new Error('embedded engine: reply missing from the VU port');
    out = (m.message as PortMessage & { kind: 'reply' }).json;
  }
  Atomics.store(i32, SLOT.state, STATE.idle);
  lastCallMs = performance.now();
  return out;
}

/** The main thread stopped this VU's iteration (the end of a stage, Ctrl-C). */
const interrupted = (): boolean => Atomics.load(i32, SLOT.interrupt) !== 0;

/** Plain HTTP on the VU's own sockets, when the main thread gave it the addon (docs/engine-vu-sockets.md). */
const sockets = wd.sockets
  ? new SocketHttp(loadVuSocketAddon(wd.sockets.addon), wd.sockets.wakeFd, interrupted, wd.sockets.userAgent)
  : null;

/** k6's warnings about a request (Request Failed…), logged as the script's own log lines are. */
const warn = (text: string, fields: string): void => wd.events.postMessage({ kind: 'log', level: 'warn', text, fields });

function localHttp(req: WireHttpRequest): LocalHttpReply | null {
  if (!sockets?.takes(req)) return null;
  const ex = sockets.request(req);
  let reply: LocalHttpReply;
  if (ex === 'interrupted') reply = ex;
  else if ('handOver' in ex) reply = { prior: ex.handOver.map((h, i) => hopToWire(h, i === ex.handOver.length - 1)) };
  else {
    const response = exchangeResponse(req, ex, warn);
    reply = { response, endMs: ex.hops[ex.hops.length - 1]!.endMs };
    if (ex.hops.length > 1)
      reply.hops = ex.hops.map((h, i) => ({
        hop: {
          method: h.method,
          url: h.url,
          status: h.status,
          proto: h.proto,
          timings: h.timings,
          error: h.error,
          errorCode: h.errorCode,
          endMs: h.endMs,
        },
        redirected: i > 0,
      }));
  }
  return reply;
}

/** The runtime's receivers of port events (async HTTP results, WebSocket events): each takes its own kind. */
const asyncReceivers: ((json: string) => void)[] = [];
wd.events.on('message', (m: PortMessage) => {
  const json = JSON.stringify(m);
  for (const r of asyncReceivers) r(json);
});
wd.events.unref();

const b64 = (s: string, urlSafe: boolean, raw: boolean): string => {
  let out = s;
  if (urlSafe) out = out.replaceAll('+', '-').replaceAll('/', '_');
  if (raw) out = out.replace(/=+$/, '');
  return out;
};

// A script's stray promise or timer callback must not take the VU down: k6 logs it and goes on.
process.on('unhandledRejection', (e: unknown) => {
  if (e instanceof Error && e.name === 'Interrupt') return;
  wd.events.postMessage({
    kind: 'log',
    level: 'error',
    text: `Uncaught (in promise) ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  });
});
process.on('uncaughtException', (e: unknown) => {
  wd.events.postMessage({ kind: 'log', level: 'error', text: `Uncaught ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
});

/**
 * node:crypto, loaded on a script's first k6/crypto call: loading it in every VU thread cost
 * about 1 MiB per VU (measured: +146 MiB peak RSS at 150 VUs).
 */
let cryptoModule: typeof NodeCrypto | null = null;
const nodeCrypto = (): typeof NodeCrypto => (cryptoModule ??= require('node:crypto') as typeof NodeCrypto);

/** The SharedArrays this VU opened: views on the process-wide buffers (nothing copied). */
const sharedArrays: { data: Buffer; offsets: Float64Array }[] = [];
const openShared = (d: SharedData): number => {
  sharedArrays.push({ data: Buffer.from(d.data), offsets: new Float64Array(d.offsets) });
  return sharedArrays.length - 1;
};

const context: Record<string, unknown> = {};
const host: Host = {
  vuId: wd.vuId,
  envJson: JSON.stringify(wd.env),
  callJson,
  http: localHttp,
  localBytes: () => (sockets ? [sockets.bytesRead, sockets.bytesWritten] : null),
  sleep(ms) {
    return Atomics.wait(i32, SLOT.interrupt, 0, ms) !== 'timed-out';
  },
  interrupted,
  mayContinue: () => Atomics.load(i32, SLOT.hold) === 0 && !interrupted() && performance.now() - lastCallMs < LEASE_MS,
  callDue: () => performance.now() - lastCallMs >= LEASE_MS,
  nextCount: (slot) => Atomics.add(counters, slot, 1),
  open(path, binary) {
    const buf = readFileSync(resolve(scriptDir, path));
    return binary ? new Uint8Array(buf) : buf.toString('utf8');
  },
  log(level, text, fields) {
    wd.events.postMessage({ kind: 'log', level, text, fields });
  },
  now: () => timeOrigin + performance.now(),
  onAsync(receiver) {
    asyncReceivers.push(receiver);
  },
  ref(on) {
    if (on) wd.events.ref();
    else wd.events.unref();
  },
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number,
  clearTimeout: (id) => clearTimeout(id as unknown as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms) as unknown as number,
  clearInterval: (id) => clearInterval(id as unknown as NodeJS.Timeout),
  b64encode: (input, urlSafe, raw) => b64(Buffer.from(input).toString('base64'), urlSafe, raw),
  b64decode: (input, urlSafe) => new Uint8Array(Buffer.from(input, urlSafe ? 'base64url' : 'base64')),
  b64decodeText: (input, urlSafe) => Buffer.from(input, urlSafe ? 'base64url' : 'base64').toString('utf8'),
  hash(algorithm, input, key) {
    const c = nodeCrypto();
    const h = key === null ? c.createHash(algorithm) : c.createHmac(algorithm, key);
    for (const x of input) h.update(x);
    return new Uint8Array(h.digest());
  },
  randomBytes: (n) => new Uint8Array(nodeCrypto().randomBytes(n)),
  URL,
  URLSearchParams,
  sharedTake() {
    const m = receiveMessageOnPort(wd.port)?.message as PortMessage | undefined;
    if (m?.kind !== 'shared') throw new Error('embedded engine: SharedArray data missing from the VU port');
    return openShared(m);
  },
  sharedPost(items) {
    const offsets = new Float64Array(new SharedArrayBuffer((items.length + 1) * 8));
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      offsets[i] = total;
      total += Buffer.byteLength(items[i]!, 'utf8');
    }
    offsets[items.length] = total;
    const sab = new SharedArrayBuffer(total);
    const data = Buffer.from(sab);
    for (let i = 0; i < items.length; i++) data.write(items[i]!, offsets[i]!, 'utf8');
    const d: SharedData = { data: sab, offsets: offsets.buffer as SharedArrayBuffer };
    wd.port.postMessage({ kind: 'shared-put', ...d } satisfies WorkerPortMessage);
    return openShared(d);
  },
  sharedLength: (h) => sharedArrays[h]!.offsets.length - 1,
  sharedItem(h, i) {
    const a = sharedArrays[h]!;
    return a.data.toString('utf8', a.offsets[i], a.offsets[i + 1]);
  },
  loadLazy() {
    vm.runInContext(Buffer.from(wd.lazyCode).toString('utf8'), context, { filename: 'k6-embedded-lazy.js' });
  },
  userModule() {
    return vm.runInContext(USER_MODULE_PREFIX + wd.code + USER_MODULE_SUFFIX, context, { filename: wd.scriptPath }) as ReturnType<
      Host['userModule']
    >;
  },
};
context.__k6host = host;
vm.createContext(context, { name: `VU ${wd.vuId}` });
vm.runInContext(wd.runtimeCode, context, { filename: 'k6-embedded-runtime.js' });
const start = context.__k6start as () => Promise<void>;
start().then(
  () => {
    sockets?.close();
    wd.events.close();
    wd.port.close();
  },
  (e: unknown) => {
    wd.events.postMessage({ kind: 'log', level: 'error', text: `embedded engine: VU ${wd.vuId} failed: ${String(e)}` });
    process.exit(1);
  },
);
