/**
 * The VU's life inside its own context: evaluate the script's init code, then obey the main
 * thread's commands (iterate, setup, teardown, handleSummary) until told to exit. Bundled with
 * the k6 modules into one script run in every VU's context.
 */
import type { VuCommand } from '../protocol.ts';
import { host, lazyModule, ownBuffer } from './host.ts';
import { COUNTER } from '../protocol.ts';
import { Interrupt, TestAbort, callForCommand, iterationEnded, metadata, vu } from './state.ts';
import k6, * as k6Named from './k6.ts';
import http, * as httpNamed from './http.ts';
import metrics, * as metricsNamed from './metrics.ts';
import data, * as dataNamed from './data.ts';
import exec, { setTestOptions } from './execution.ts';
import { timers } from './extras.ts';
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

function installGlobals(): void {
  const log =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (...args: unknown[]) =>
      host.log(level, args.map(show).join(' '), 'source=console');
  g.console = { log: log('info'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
  g.__ENV = JSON.parse(host.envJson) as Record<string, string>;
  g.__VU = vu.id;
  g.__ITER = 0;
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

export async function start(): Promise<void> {
  installGlobals();
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  let cmd: VuCommand;
  try {
    host.userModule()(requireModule, mod, mod.exports);
  } catch (e) {
    const abort = e instanceof TestAbort ? e.reason : undefined;
    callForCommand<VuCommand>({ op: 'init', ok: false, error: describe(e), ...(abort ? { abort } : {}) });
    return;
  }
  const ex = mod.exports;
  const options = plain(ex.options);
  setTestOptions(options);
  httpNamed.configureHttp(options);
  // options.tags: on every sample of the test, setup and teardown included (as k6's global tags).
  const ot = (options as { tags?: unknown } | undefined)?.tags;
  if (ot && typeof ot === 'object') for (const [k, v] of Object.entries(ot)) globalTags[k] = String(v);
  cmd = callForCommand<VuCommand>({ op: 'init', ok: true, options, exports: Object.keys(ex).filter((k) => typeof ex[k] === 'function') });
  let dataText: string | null = null;
  let dataValue: unknown;
  const dataFor = (text: string | null): unknown => {
    if (text !== dataText) {
      dataText = text;
      dataValue = text === null ? undefined : JSON.parse(text);
    }
    return dataValue;
  };

  for (;;) {
    if (cmd.op === 'exit') return;
    let error: string | undefined;
    let abort: string | undefined;
    let interrupted = false;
    let result: string | undefined;
    const startMs = host.now();
    let fields = '';
    try {
      if (cmd.op === 'iterate') {
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
        g.__ITER = vu.iterInVu;
        vu.freshIteration = true;
        fields = `executor=${cmd.executor} scenario=${cmd.scenario}`;
        const fn = ex[cmd.exec];
        if (typeof fn !== 'function') throw new Error(`function "${cmd.exec}" is not exported by the script`);
        const r = (fn as (d: unknown) => unknown)(dataFor(cmd.data));
        if (r && typeof (r as Promise<unknown>).then === 'function') await r;
        // As k6: the iteration goes on until its WebSockets are closed.
        const open = socketsClosed();
        if (open) await open;
      } else if (cmd.op === 'setup' || cmd.op === 'teardown') {
        vu.stage = cmd.op;
        vu.scenario = '';
        vu.sysMeta = undefined;
        vu.scenarioTags = cmd.op === 'setup' || cmd.op === 'teardown' ? globalTags : {};
        vu.group = `::${cmd.op}`;
        const fn = ex[cmd.op] as ((d?: unknown) => unknown) | undefined;
        let r = fn ? (cmd.op === 'setup' ? fn() : fn(dataFor(cmd.data))) : undefined;
        if (r && typeof (r as Promise<unknown>).then === 'function') r = await r;
        if (cmd.op === 'setup' && r !== undefined) result = JSON.stringify(r);
      } else if (cmd.op === 'handleSummary') {
        vu.stage = 'teardown';
        const fn = ex.handleSummary as (d: unknown) => unknown;
        let r = fn(JSON.parse(cmd.summary));
        if (r && typeof (r as Promise<unknown>).then === 'function') r = await r;
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries((r ?? {}) as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
        result = JSON.stringify(out);
      }
    } catch (e) {
      if (e instanceof Interrupt) interrupted = true;
      else if (e instanceof TestAbort) abort = e.reason;
      else {
        error = describe(e);
        host.log('error', error, fields);
      }
    }
    const endMs = host.now();
    vu.group = '';
    const tags: Record<string, string> = { ...vu.scenarioTags, ...vu.tags };
    if (vu.scenario) tags.scenario = vu.scenario;
    const md = metadata();
    if (cmd.op === 'iterate' && cmd.lease && abort === undefined && host.mayContinue()) {
      iterationEnded({
        startMs,
        endMs,
        tags,
        ...(md ? { metadata: md } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(interrupted ? { interrupted } : {}),
      });
      vu.freshIteration = true;
      cmd = {
        ...cmd,
        iterInScenario: host.nextCount(COUNTER.scenarioBase + cmd.scenarioIndex),
        iterInTest: host.nextCount(COUNTER.iterInTest),
      };
      continue;
    }
    cmd = callForCommand<VuCommand>({
      op: 'done',
      startMs,
      endMs,
      tags,
      ...(md ? { metadata: md } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(abort !== undefined ? { abort } : {}),
      ...(interrupted ? { interrupted } : {}),
      ...(result !== undefined ? { result } : {}),
    });
  }
}

(globalThis as unknown as { __k6start: () => Promise<void> }).__k6start = start;
