/**
 * The VU's life inside its own context: evaluate the script's init code, then obey the main
 * thread's commands (iterate, setup, teardown, handleSummary) until told to exit. Bundled with
 * the k6 modules into one script run in every VU's context.
 */
import type { IterationEnd, VuCommand } from '../protocol.ts';
import { host, lazyModule, ownBuffer } from './host.ts';
import { COUNTER } from '../protocol.ts';
import { Interrupt, TestAbort, callForCommand, iterationEnded, iterationStarts, metadata, vu } from './state.ts';
import k6, * as k6Named from './k6.ts';
import http, * as httpNamed from './http.ts';
import metrics, * as metricsNamed from './metrics.ts';
import data, * as dataNamed from './data.ts';
import exec, { setTestOptions } from './execution.ts';
import { timers } from './timers.ts';
import encoding, * as encodingNamed from './encoding.ts';
import { esm } from './esm.ts';
import ws, * as wsNamed from './ws.ts';
import websockets, { socketsClosed } from './websockets.ts';
import { LAZY_K6_MODULES, jslibModuleFor } from '../jslib-urls.ts';

const g = globalThis as unknown as Record<string, unknown>;

const MODULES: Record<string, object> = {
  k6: esm('k6', k6, k6Named),
  'k6/http': esm('k6/http', http, httpNamed),
  'k6/metrics': esm('k6/metrics', metrics, metricsNamed),
  'k6/data': esm('k6/data', data, dataNamed),
  'k6/execution': esm('k6/execution', exec, {}),
  'k6/experimental/timers': esm('k6/experimental/timers', timers, timers),
  'k6/timers': esm('k6/timers', timers, timers),
  'k6/encoding': esm('k6/encoding', encoding, encodingNamed),
  'k6/ws': esm('k6/ws', ws, wsNamed),
  'k6/experimental/websockets': esm('k6/experimental/websockets', websockets, websockets),
  'k6/websockets': esm('k6/websockets', websockets, websockets),
};

/** Every k6 module a script may import: the ones above and those of the lazy bundle. */
const SUPPORTED_MODULES = [...Object.keys(MODULES), ...LAZY_K6_MODULES];

function requireModule(id: string): unknown {
  const m = MODULES[id];
  if (m) return m;
  if ((LAZY_K6_MODULES as readonly string[]).includes(id)) return lazyModule(id);
  const lib = jslibModuleFor(id);
  if (lib) return lazyModule(lib);
  if (/^https?:\/\//.test(id)) throw new Error(`remote module "${id}" is not supported by the embedded engine (bundle it into the script)`);
  throw new Error(`module "${id}" is not supported by the embedded engine (supported: ${SUPPORTED_MODULES.join(', ')})`);
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.stack ?? String(v);
  if (v && typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/** __ITER's value (the global is an accessor on it). */
let iterGlobal: unknown = 0;

function installGlobals(): void {
  const log =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (...args: unknown[]) =>
      host.log(level, args.map(show).join(' '), 'source=console');
  g.console = { log: log('info'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
  g.__ENV = JSON.parse(host.envJson) as Record<string, string>;
  g.__VU = vu.id;
  // An accessor, defined once: a store to the context's global goes through Node's vm interceptor
  // (C++), which cost ~3 % of a VU thread's CPU when __ITER was assigned at every iteration.
  Object.defineProperty(g, '__ITER', {
    get: () => iterGlobal,
    set: (v: unknown) => (iterGlobal = v),
    enumerable: true,
    configurable: true,
  });
  g.open = (path: string, mode?: string): string | ArrayBuffer => {
    if (vu.stage !== 'init') throw new Error('open() can only be called in the init context');
    const r = host.open(String(path), mode === 'b');
    if (typeof r === 'string') return r;
    return ownBuffer(r);
  };
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const stack = e.stack ?? `${e.name}: ${e.message}`;
  // Frames below the script's own (the engine's runtime and worker) mean nothing to its author.
  const cut = stack.indexOf('\n    at start (k6-embedded-runtime.js');
  return cut > 0 ? stack.slice(0, cut) : stack;
}

const globalTags: Record<string, string> = {};
/** The scenario env now in __ENV ('' for none). */
let currentEnvKey = '';

/** A JSON copy of the script's options (functions dropped, as k6 would not accept them). */
function plain(o: unknown): unknown {
  return o === undefined ? {} : JSON.parse(JSON.stringify(o) ?? '{}');
}

/** What a command came to: an error, the script's abort, an interruption, a result (setup, handleSummary). */
interface Outcome {
  error?: string;
  abort?: string;
  interrupted?: boolean;
  result?: string;
}

const isThenable = (r: unknown): r is Promise<unknown> => !!r && typeof (r as Promise<unknown>).then === 'function';

/** The init code ran: the options and exports go to the main thread, which answers with the first command. */
function initialised(ex: Record<string, unknown>): VuCommand {
  const options = plain(ex.options);
  setTestOptions(options);
  httpNamed.configureHttp(options);
  // options.tags: on every sample of the test, setup and teardown included (as k6's global tags).
  const ot = (options as { tags?: unknown } | undefined)?.tags;
  if (ot && typeof ot === 'object') for (const [k, v] of Object.entries(ot)) globalTags[k] = String(v);
  return callForCommand<VuCommand>({ op: 'init', ok: true, options, exports: Object.keys(ex).filter((k) => typeof ex[k] === 'function') });
}

/** setup()'s data, parsed once per JSON text (every iteration gets the same object back). */
function dataCache(): (text: string | null) => unknown {
  let dataText: string | null = null;
  let dataValue: unknown;
  return (text) => {
    if (text !== dataText) {
      dataText = text;
      dataValue = text === null ? undefined : JSON.parse(text);
    }
    return dataValue;
  };
}

/** The VU's state for an iteration of `cmd`; returns the log fields of its errors. */
function enterIteration(cmd: Extract<VuCommand, { op: 'iterate' }>): string {
  vu.stage = 'vu';
  if (vu.scenario !== cmd.scenario) {
    // A VU moves between scenarios that do not overlap: __ENV is the test's env plus the scenario's.
    const envKey = cmd.env ? JSON.stringify(cmd.env) : '';
    if (envKey !== currentEnvKey) {
      g.__ENV = { ...(JSON.parse(host.envJson) as Record<string, string>), ...cmd.env };
      currentEnvKey = envKey;
    }
  }
  vu.scenario = cmd.scenario;
  vu.scenarioTags = cmd.tags ?? {};
  vu.sysMeta = cmd.sysMeta;
  vu.executor = cmd.executor;
  // The VU counts its own iterations (__ITER), as the main thread does not see leased ones at once.
  vu.iterInVu += 1;
  vu.iterInScenario = cmd.iterInScenario;
  vu.iterInTest = cmd.iterInTest;
  vu.scenarioStartMs = cmd.scenarioStartMs;
  iterGlobal = vu.iterInVu;
  iterationStarts();
  return `executor=${cmd.executor} scenario=${cmd.scenario}`;
}

/** The VU's state for setup() or teardown(): the test's tags, no scenario. */
function enterHook(op: 'setup' | 'teardown'): void {
  vu.stage = op;
  vu.scenario = '';
  vu.sysMeta = undefined;
  vu.scenarioTags = globalTags;
  vu.group = `::${op}`;
}

/** handleSummary()'s map as JSON, its non-string values as JSON text. */
function summaryResult(r: unknown): string {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((r ?? {}) as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return JSON.stringify(out);
}

function caught(e: unknown, out: Outcome, fields: string): void {
  if (e instanceof Interrupt) out.interrupted = true;
  else if (e instanceof TestAbort) out.abort = e.reason;
  else {
    out.error = describe(e);
    host.log('error', out.error, fields);
  }
}

/**
 * After a command: on a lease the VU reports the iteration with its next call and goes on by
 * itself while it may; otherwise it reports to the main thread and waits for the next command.
 */
function next(cmd: VuCommand, startMs: number, out: Outcome): VuCommand {
  const endMs = host.now();
  vu.group = '';
  const tags: Record<string, string> = { ...vu.scenarioTags, ...vu.tags };
  if (vu.scenario) tags.scenario = vu.scenario;
  // Fields set one by one, the command reused: no object spread on this per-iteration path.
  const ended: IterationEnd = { startMs, endMs, tags };
  const md = metadata();
  if (md) ended.metadata = md;
  if (out.error !== undefined) ended.error = out.error;
  if (out.interrupted) ended.interrupted = true;
  if (cmd.op === 'iterate' && cmd.lease && out.abort === undefined && host.mayContinue()) {
    iterationEnded(ended);
    iterationStarts();
    cmd.iterInScenario = host.nextCount(COUNTER.scenarioBase + cmd.scenarioIndex);
    cmd.iterInTest = host.nextCount(COUNTER.iterInTest);
    return cmd;
  }
  return callForCommand<VuCommand>({
    op: 'done',
    ...ended,
    ...(out.abort !== undefined ? { abort: out.abort } : {}),
    ...(out.result !== undefined ? { result: out.result } : {}),
  });
}

/**
 * The VU's life. The script's functions are called here and nowhere deeper: `describe` cuts a
 * stack trace at this function's frame, so the author sees only the script's frames.
 */
export async function start(): Promise<void> {
  installGlobals();
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  try {
    host.userModule()(requireModule, mod, mod.exports);
  } catch (e) {
    const abort = e instanceof TestAbort ? e.reason : undefined;
    callForCommand<VuCommand>({ op: 'init', ok: false, error: describe(e), ...(abort ? { abort } : {}) });
    return;
  }
  const ex = mod.exports;
  let cmd = initialised(ex);
  const dataFor = dataCache();
  while (cmd.op !== 'exit') {
    const out: Outcome = {};
    const startMs = host.now();
    let fields = '';
    try {
      if (cmd.op === 'iterate') {
        fields = enterIteration(cmd);
        const fn = ex[cmd.exec];
        if (typeof fn !== 'function') throw new Error(`function "${cmd.exec}" is not exported by the script`);
        const r = (fn as (d: unknown) => unknown)(dataFor(cmd.data));
        if (isThenable(r)) await r;
        // As k6: the iteration goes on until its WebSockets are closed.
        const open = socketsClosed();
        if (open) await open;
      } else if (cmd.op === 'setup' || cmd.op === 'teardown') {
        enterHook(cmd.op);
        const fn = ex[cmd.op] as ((d?: unknown) => unknown) | undefined;
        let r = fn ? (cmd.op === 'setup' ? fn() : fn(dataFor(cmd.data))) : undefined;
        if (isThenable(r)) r = await r;
        if (cmd.op === 'setup' && r !== undefined) out.result = JSON.stringify(r);
      } else if (cmd.op === 'handleSummary') {
        vu.stage = 'teardown';
        let r = (ex.handleSummary as (d: unknown) => unknown)(JSON.parse(cmd.summary));
        if (isThenable(r)) r = await r;
        out.result = summaryResult(r);
      }
    } catch (e) {
      caught(e, out, fields);
    }
    cmd = next(cmd, startMs, out);
  }
}

(globalThis as unknown as { __k6start: () => Promise<void> }).__k6start = start;
