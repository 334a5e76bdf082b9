/**
 * The memory experiment of issue 15: VUs that are not threads. Every VU is a QuickJS context
 * (QuickJS compiled to WebAssembly with asyncify, quickjs-emscripten) in ONE Node thread, running
 * the engine's own k6 runtime (engine/runtime, the same bundle the worker threads run) on the
 * engine's own HTTP client (engine/http-client.ts). The runtime's synchronous host calls
 * (callJson: http.*; sleep) are asyncified: the VU's WebAssembly stack is unwound while Node
 * does the I/O and rewound with the answer, so `http.get` stays synchronous for the script.
 * Asyncify allows one suspended call per WebAssembly instance, so each VU has its own instance
 * of the one compiled module (the code is shared, the linear memory is the VU's).
 *
 * Not the engine: only what the measurement needs is served (init, http, done, exec-state; no
 * SharedArray, timers, cookies jar calls, crypto, thresholds or outputs); what is missing fails
 * with one line naming it. Prints one JSON line: requests, rps, medianMs, iterations, errors.
 * Usage: node --import tsx bench/wasm-vus/vus.ts <script.js> <vus> <seconds> [KEY=VALUE env…]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import variant from '@jitl/quickjs-wasmfile-release-asyncify';
import {
  newQuickJSAsyncWASMModuleFromVariant,
  newVariant,
  type QuickJSAsyncContext,
  type QuickJSAsyncVariant,
  type QuickJSHandle,
} from 'quickjs-emscripten-core';
import { bundleAll } from '../../engine/bundle.ts';
import { VuHttp } from '../../engine/http-client.ts';
import {
  USER_MODULE_PREFIX,
  USER_MODULE_SUFFIX,
  type VuCall,
  type VuCommand,
  type WireHttpRequest,
  type WireHttpResponse,
} from '../../engine/protocol.ts';

const [scriptArg, vusArg, secondsArg, ...envArgs] = process.argv.slice(2);
if (!scriptArg || !(Number(vusArg) >= 1) || !(Number(secondsArg) > 0)) {
  process.stderr.write('usage: vus.ts <script.js> <vus ≥ 1> <seconds > 0> [KEY=VALUE…]\n');
  process.exit(2);
}
const scriptPath = resolve(scriptArg);
const env = Object.fromEntries(envArgs.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const bundles = await bundleAll(scriptPath);
const wasmPath = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-asyncify/wasm');
// Compiled once: every VU's instance shares the code (the project's lib typings have no WebAssembly values).
const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object> } }).WebAssembly;
const wasmModule = (await wasm.compile(readFileSync(wasmPath))) as never;

const vus = Number(vusArg);
const figures = { requests: 0, iterations: 0, checks: 0, checksPassed: 0, errors: [] as string[], durations: [] as number[] };
const counters = new Map<number, number>();
let endAt = Number.POSITIVE_INFINITY;
let iterInTest = 0;
/** The test starts once every VU is initialised (as k6's): `started` resolves then. */
let waiting = 0;
let release: () => void = () => {};
const started = new Promise<void>((r) => (release = r));
let testStart = 0;

function iterate(exports: string[]): VuCommand {
  const exec = exports.includes('default') ? 'default' : exports[0]!;
  const cmd: VuCommand = {
    op: 'iterate',
    scenario: 'default',
    scenarioIndex: 0,
    executor: 'constant-vus',
    exec,
    iterInScenario: iterInTest,
    iterInTest: iterInTest++,
    scenarioStartMs: Date.now(),
    data: null,
    lease: true,
  };
  return performance.now() < endAt ? cmd : { op: 'exit' };
}

function response(req: WireHttpRequest, hop: Awaited<ReturnType<VuHttp['request']>>['hops'][number]): WireHttpResponse {
  return {
    status: hop.status,
    status_text: hop.status ? `${hop.status} ${hop.statusText}` : '',
    proto: hop.proto,
    url: hop.url,
    headers: hop.headers,
    body: hop.body && req.responseType !== 'none' ? hop.body.toString('utf8') : null,
    timings: hop.timings,
    error: hop.error,
    error_code: hop.errorCode,
    remote_ip: hop.remoteIp,
    remote_port: hop.remotePort,
    ...(hop.method !== req.method ? { method: hop.method } : {}),
  };
}

/** The main thread's part of a call, for the ops the experiment serves. */
async function serve(http: VuHttp, call: VuCall, exports: string[]): Promise<unknown> {
  if (call.iterations) figures.iterations += call.iterations.length;
  for (const [metric, value] of call.samples ?? []) {
    if (metric !== 'checks') continue;
    figures.checks++;
    figures.checksPassed += value;
  }
  switch (call.op) {
    case 'init':
      if (!call.ok) throw new Error(`init failed: ${call.error}`);
      exports.push(...call.exports);
      if (++waiting === vus) {
        testStart = performance.now();
        endAt = testStart + Number(secondsArg) * 1000;
        release();
      }
      await started;
      return iterate(exports);
    case 'done':
      if (call.error) figures.errors.push(call.error);
      figures.iterations++;
      return iterate(exports);
    case 'http': {
      const responses: WireHttpResponse[] = [];
      for (const req of call.requests) {
        const ex = await http.request(req, new AbortController().signal);
        for (const h of ex.hops) {
          figures.requests++;
          figures.durations.push(h.timings.duration);
        }
        responses.push(response(req, ex.hops[ex.hops.length - 1]!));
      }
      return { op: 'http', responses };
    }
    case 'exec-state':
      return {
        op: 'exec-state',
        state: {
          vusActive: 0,
          vusInitialized: 0,
          iterationsCompleted: 0,
          iterationsInterrupted: 0,
          currentTestRunDuration: 0,
          scenarioProgress: 0,
        },
      };
    default:
      throw new Error(`wasm-vus experiment: "${call.op}" calls are not served`);
  }
}

/** The runtime's Host (engine/runtime/host.ts) inside one VU's QuickJS context. */
function installHost(ctx: QuickJSAsyncContext, vuId: number, http: VuHttp): void {
  const exports: string[] = [];
  const host = ctx.newObject();
  const fn = (name: string, f: (...a: QuickJSHandle[]) => QuickJSHandle | undefined): void =>
    ctx.newFunction(name, f).consume((h) => ctx.setProp(host, name, h));
  const asyncFn = (name: string, f: (...a: QuickJSHandle[]) => Promise<QuickJSHandle | undefined>): void =>
    ctx.newAsyncifiedFunction(name, f).consume((h) => ctx.setProp(host, name, h));
  const str = (h: QuickJSHandle): string => ctx.getString(h);
  ctx.setProp(host, 'vuId', ctx.newNumber(vuId));
  ctx.newString(JSON.stringify(env)).consume((h) => ctx.setProp(host, 'envJson', h));
  asyncFn('callJson', async (json) => ctx.newString(JSON.stringify(await serve(http, JSON.parse(str(json)) as VuCall, exports))));
  asyncFn('sleep', async (ms) => {
    await new Promise((r) => setTimeout(r, ctx.getNumber(ms)));
    return ctx.false;
  });
  fn('interrupted', () => ctx.false);
  fn('mayContinue', () => (performance.now() < endAt ? ctx.true : ctx.false));
  fn('nextCount', (slot) => {
    const s = ctx.getNumber(slot);
    const n = counters.get(s) ?? 0;
    counters.set(s, n + 1);
    return ctx.newNumber(n);
  });
  fn('now', () => ctx.newNumber(performance.timeOrigin + performance.now()));
  fn('log', (level, text) => void process.stderr.write(`VU ${vuId} ${str(level)}: ${str(text)}\n`));
  fn('open', (path) => ctx.newString(readFileSync(resolve(dirname(scriptPath), str(path)), 'utf8')));
  fn('userModule', () => ctx.unwrapResult(ctx.evalCode(USER_MODULE_PREFIX + bundles.user + USER_MODULE_SUFFIX, scriptPath)));
  fn('loadLazy', () => void ctx.unwrapResult(ctx.evalCode(bundles.lazy, 'k6-embedded-lazy.js')).dispose());
  // Bytes cross as Uint8Array, as the worker's host gives them.
  const u8 = ctx.unwrapResult(ctx.evalCode('(b) => new Uint8Array(b)'));
  const bytesOut = (b: Buffer): QuickJSHandle =>
    ctx
      .newArrayBuffer(b.buffer.slice(b.byteOffset, b.byteOffset + b.length))
      .consume((ab) => ctx.unwrapResult(ctx.callFunction(u8, ctx.undefined, ab)));
  const bytesIn = (h: QuickJSHandle): Buffer =>
    ctx.typeof(h) === 'string' ? Buffer.from(str(h)) : ctx.getArrayBuffer(ctx.getProp(h, 'buffer')).consume((v) => Buffer.from(v.value));
  fn('b64encode', (input, urlSafe, raw) => {
    let out = bytesIn(input).toString(ctx.dump(urlSafe) ? 'base64url' : 'base64');
    if (ctx.dump(urlSafe) && !ctx.dump(raw)) out += '='.repeat((4 - (out.length % 4)) % 4);
    if (!ctx.dump(urlSafe) && ctx.dump(raw)) out = out.replace(/=+$/, '');
    return ctx.newString(out);
  });
  fn('b64decode', (input, urlSafe) => bytesOut(Buffer.from(str(input), ctx.dump(urlSafe) ? 'base64url' : 'base64')));
  fn('b64decodeText', (input, urlSafe) =>
    ctx.newString(Buffer.from(str(input), ctx.dump(urlSafe) ? 'base64url' : 'base64').toString('utf8')),
  );
  // Async requests are not served (serve() names them), so their receiver is never called.
  fn('onAsync', () => undefined);
  fn('ref', () => undefined);
  for (const missing of [
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'hash',
    'randomBytes',
    'sharedTake',
    'sharedPost',
    'sharedLength',
    'sharedItem',
  ])
    fn(missing, () => {
      throw new Error(`wasm-vus experiment: the host's ${missing}() is not implemented`);
    });
  ctx.setProp(ctx.global, '__k6host', host);
  host.dispose();
}

/** One VU: its own WebAssembly instance of the shared module, its context, its life until the end. */
async function runVu(vuId: number): Promise<void> {
  const quickjs = await newQuickJSAsyncWASMModuleFromVariant(newVariant(variant as unknown as QuickJSAsyncVariant, { wasmModule }));
  const ctx = quickjs.newContext();
  const http = new VuHttp();
  try {
    installHost(ctx, vuId, http);
    ctx.unwrapResult(await ctx.evalCodeAsync(bundles.runtime, 'k6-embedded-runtime.js')).dispose();
    const started = ctx.unwrapResult(await ctx.evalCodeAsync('__k6start()', 'start.js'));
    // start() is async: its promise settles once the VU is told to exit.
    const settled = ctx.resolvePromise(started);
    started.dispose();
    ctx.runtime.executePendingJobs();
    ctx.unwrapResult(await settled).dispose();
  } catch (e) {
    figures.errors.push(`VU ${vuId}: ${(e as Error).message}`);
  } finally {
    await http.close();
  }
}

await Promise.all(Array.from({ length: vus }, (_, i) => runVu(i + 1)));
const elapsedS = (performance.now() - testStart) / 1000;
const d = figures.durations.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ requests: figures.requests, rps: figures.requests / elapsedS, medianMs: d[d.length >> 1] ?? 0, iterations: figures.iterations, checks: figures.checks, checksPassed: figures.checksPassed, errors: figures.errors.slice(0, 5) })}\n`,
);
