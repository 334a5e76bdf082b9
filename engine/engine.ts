/**
 * `k6 run` on Node: spawns one worker per VU (plus k6's "VU 0" for options, setup, teardown and
 * handleSummary), walks the scenarios' executors, owns every sample (aggregation, CSV outputs),
 * and ends with thresholds, summaries and k6's exit code.
 */
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { writeFileAtomic } from '../formats/files.ts';
import { UserError } from '../formats/errors.ts';
import { parseDuration } from '../formats/duration.ts';
import { HTTP_REQUEST_METRICS, ITERATION_METRICS, httpStatusErrorCode } from '../formats/k6/csv.ts';
import { K6ExitCode } from '../formats/k6/exit-codes.ts';
import { cleanUrl } from '../formats/k6/url.ts';
import { bundleAll, type Bundles } from './bundle.ts';
import { csvTimeFormat, UsageError, type RunFlags } from './flags.ts';
import { httpOptions, summaryOptions, type HttpOptions } from './options.ts';
import {
  deriveScenarios,
  describeScenario,
  initialVUs,
  maxVUs,
  peakVUs,
  scenarioDurationMs,
  totalDurationMs,
  type Scenario,
} from './scenarios.ts';
import { executorOf } from './executors/index.ts';
import { formatMs, type ScenarioRun } from './executors/executor.ts';
import { CsvOutput, tagColumns } from './csv-output.ts';
import { parseSystemTags, systemTagPlan, withoutTags } from './system-tags.ts';
import { goErrorOp, type Hop } from './http-client.ts';
import { logLine } from './logfmt.ts';
import { MetricStore, bindThresholds, evaluateThresholds, parseThresholds, type Threshold } from './metrics.ts';
import {
  COUNTER,
  USER_MODULE_PREFIX,
  type ExecState,
  type IterationEnd,
  type SharedData,
  type VuCall,
  type VuCommand,
  type VuReply,
  type WireHttpRequest,
  type WireHttpResponse,
} from './protocol.ts';
import { progressText, type ScenarioProgress } from './progress.ts';
import { stackMapper } from './stack.ts';
import { summaryData, summaryExport, textSummary } from './summary.ts';
import { Vu, type ControlCall, type ServedCall, type VuHooks } from './vu.ts';
import { WsSessions } from './ws-sessions.ts';

export const ENGINE_VERSION = '0.1.0';

export interface EngineIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted on Ctrl-C: the test stops, outputs are completed, exit 105. */
  readonly signal: AbortSignal;
}

type StopReason = 'abort' | 'sigint' | 'threshold' | 'output';

const nowMs = (): number => performance.timeOrigin + performance.now();

/** Response.timings to the nanosecond, as k6 shows them (no float noise in 21.403139000000001). */
function roundTimings(t: Hop['timings']): Hop['timings'] {
  const r = (x: number): number => Math.round(x * 1e6) / 1e6;
  return {
    blocked: r(t.blocked),
    connecting: r(t.connecting),
    tls_handshaking: r(t.tls_handshaking),
    sending: r(t.sending),
    waiting: r(t.waiting),
    receiving: r(t.receiving),
    duration: r(t.duration),
  };
}

function hopResponse(req: WireHttpRequest, hop: Hop): WireHttpResponse {
  let body: string | null = null;
  let bodyBase64 = false;
  if (hop.body && req.responseType !== 'none') {
    if (req.responseType === 'binary') {
      body = hop.body.toString('base64');
      bodyBase64 = true;
    } else body = hop.body.toString('utf8');
  }
  return {
    status: hop.status,
    status_text: hop.status ? `${hop.status} ${hop.statusText}`.trim() : '',
    proto: hop.proto,
    url: hop.url,
    headers: hop.headers,
    body,
    ...(bodyBase64 ? { bodyBase64 } : {}),
    timings: roundTimings(hop.timings),
    error: hop.error,
    error_code: hop.errorCode || (httpStatusErrorCode(hop.status) ?? 0),
    remote_ip: hop.remoteIp,
    remote_port: hop.remotePort,
    request: { method: hop.method, url: hop.url, headers: req.headers, body: req.body ?? '' },
    ...(hop.cookies ? { cookies: hop.cookies } : {}),
  };
}

/** Runs a test as `k6 run` does; resolves with k6's exit code. Never throws for a script's failure. */
export async function runK6(flags: RunFlags, io: EngineIo): Promise<number> {
  const err = (level: string, msg: string, fields = ''): void => void io.stderr.write(logLine(level, msg, fields));
  const scriptPath = resolve(io.cwd, flags.script);
  let timeFormat;
  try {
    timeFormat = csvTimeFormat(io.env);
  } catch (e) {
    err('error', (e as Error).message);
    return K6ExitCode.badUsage;
  }
  if (!existsSync(scriptPath)) {
    err(
      'error',
      `The moduleSpecifier "${flags.script}" couldn't be found on local disk. Make sure that you've specified the right path to the file.`,
    );
    return K6ExitCode.scriptException;
  }
  const env: Record<string, string> = {};
  if (flags.includeSystemEnv) for (const [k, v] of Object.entries(io.env)) if (typeof v === 'string') env[k] = v;
  Object.assign(env, flags.env);

  let bundles: Bundles;
  try {
    bundles = await bundleAll(scriptPath);
  } catch (e) {
    err('error', (e as Error).message);
    return K6ExitCode.scriptException;
  }
  // Stack traces name the user's files and lines, not the bundle's (as k6's do).
  const scriptStack = stackMapper(bundles.userMap, scriptPath, USER_MODULE_PREFIX.split('\n').length - 1, dirname(scriptPath));

  const store = new MetricStore();
  const outputs: CsvOutput[] = [];
  // SharedArrays, once for the process (VUs get the same SharedArrayBuffers). A promise while a
  // VU runs the array's function: others asking for that name wait for it (the function runs once).
  const shared = new Map<string, SharedData | Promise<void>>();
  const sharedBuilt = new Map<string, () => void>();
  const allVus: Vu[] = [];
  let thresholds: Threshold[] = [];
  let outputError: Error | null = null;
  const state = {
    stopped: false,
    reason: null as StopReason | null,
    abortMessage: '',
    completed: 0,
    interrupted: 0,
    active: 0,
    initialized: 0,
    startedAt: 0,
    progress: 0,
  };
  const stopWaiters = new Set<() => void>();
  const stop = (reason: StopReason): void => {
    if (state.stopped) return;
    state.stopped = true;
    state.reason = reason;
    for (const v of allVus) {
      v.hold(true);
      v.interrupt();
    }
    for (const w of stopWaiters) w();
  };
  const wait = (ms: number): Promise<void> =>
    new Promise((res) => {
      if (state.stopped || ms <= 0) return res();
      const done = (): void => {
        clearTimeout(t);
        stopWaiters.delete(done);
        res();
      };
      const t = setTimeout(done, ms);
      stopWaiters.add(done);
    });

  // systemTags: which system tags samples keep (k6's default set unless the script or --system-tags
  // says otherwise). Decided once before the test; with the default set nothing is dropped.
  let sysTags = systemTagPlan(null);
  const emit = (metric: string, value: number, time: number, tags: Record<string, string>, metadata?: Record<string, string>): void => {
    // The summary's checks and groups still see check/group (k6 builds them from the script, not tags).
    const rec = sysTags.drop.length ? withoutTags(tags, sysTags.drop) : tags;
    try {
      store.add(metric, value, rec, tags);
    } catch (e) {
      err('warning', (e as Error).message);
      return;
    }
    for (const o of outputs) o.add(metric, time, value, rec, metadata);
  };

  const wsSessions = new WsSessions(emit, (name, type, contains) => store.declare({ name, type, contains }));
  /** Bytes on the VU's sockets, HTTP and WebSocket (k6's data_sent / data_received count both). */
  const socketBytes = (vu: Vu): { read: number; written: number } => {
    const h = vu.http.bytes();
    const w = wsSessions.bytes(vu);
    return { read: h.read + w.read, written: h.written + w.written };
  };

  /** `digestChallenge`: the first answer of a digest exchange, expected when it is the 401 (as k6). */
  const emitHop = (req: WireHttpRequest, hop: Hop, redirected: boolean, digestChallenge: boolean): void => {
    const tags: Record<string, string> = { ...req.tags, method: hop.method, status: String(hop.status), proto: hop.proto };
    // A redirect's hop has its own URL in the tags, unless the script named the request.
    if (redirected && req.tags.url === cleanUrl(req.url)) {
      tags.url = cleanUrl(hop.url);
      tags.name = tags.url;
    }
    let expected: boolean | null = null;
    if (req.expected) {
      expected = digestChallenge ? hop.status === 401 : req.expected.some(([a, b]) => hop.status >= a && hop.status <= b);
      tags.expected_response = String(expected);
    }
    const code = hop.errorCode || httpStatusErrorCode(hop.status);
    if (code) tags.error_code = String(code);
    if (hop.error) tags.error = hop.error;
    if (!hop.proto) delete tags.proto;
    if (hop.tlsVersion) tags.tls_version = hop.tlsVersion;
    const tm = hop.timings;
    const vals = [1, tm.duration, tm.blocked, tm.connecting, tm.tls_handshaking, tm.sending, tm.waiting, tm.receiving];
    const names: readonly string[] = expected === null ? HTTP_REQUEST_METRICS.slice(0, 8) : HTTP_REQUEST_METRICS;
    if (expected !== null) vals.push(expected ? 0 : 1);
    const rec = sysTags.drop.length ? withoutTags(tags, sysTags.drop) : tags;
    for (let i = 0; i < names.length; i++) store.add(names[i]!, vals[i]!, rec);
    for (const o of outputs) o.addMany(names, vals, hop.endMs, rec, req.metadata);
  };

  const runRequest = async (vu: Vu, req: WireHttpRequest, signal: AbortSignal): Promise<WireHttpResponse | null> => {
    const ex = await vu.http.request(req, signal);
    if (signal.aborted) return null;
    const { hops } = ex;
    hops.forEach((h, i) => emitHop(req, h, i > 0, i === 0 && req.auth === 'digest'));
    const last = hops[hops.length - 1]!;
    const res = hopResponse(req, last);
    if (ex.jar) res.jar = ex.jar;
    if (last.errorDetail) {
      // As k6: Go's words for a transport error, the URL without its credentials.
      const detail = `${goErrorOp(last.method)} "${cleanUrl(last.url)}": ${last.errorDetail}`;
      if (req.throw) res.errorDetail = detail;
      else err('warning', 'Request Failed', `error=${JSON.stringify(detail)}`);
    }
    if (ex.stoppedAfter !== undefined) {
      err(
        'warning',
        `Stopped after ${hops.length} redirects and returned the redirection; pass { redirects: n } in request params or set global maxRedirects to silence this`,
        `url=${JSON.stringify(cleanUrl(req.url))}`,
      );
    }
    return res;
  };

  const currentScenarioProgress = 0;
  const execState = (): ExecState => ({
    vusActive: state.active,
    vusInitialized: state.initialized,
    iterationsCompleted: state.completed,
    iterationsInterrupted: state.interrupted,
    currentTestRunDuration: state.startedAt ? performance.now() - state.startedAt : 0,
    scenarioProgress: currentScenarioProgress,
  });

  /** The scenario each VU is iterating in (for its iteration metrics). */
  const vuScenario = new Map<Vu, Scenario>();
  /** An iteration's end: data_sent/data_received (the VU's socket bytes since the last one), iteration_duration, iterations. */
  const iterationEnd = (vu: Vu, e: IterationEnd): void => {
    const s = vuScenario.get(vu);
    const b = socketBytes(vu);
    const tags = s ? { ...e.tags, scenario: s.name } : e.tags;
    const values = [b.written - vu.bytesMark.written, b.read - vu.bytesMark.read, e.endMs - e.startMs, 1];
    vu.bytesMark = b;
    // An interrupted iteration still moved bytes, but is neither timed nor counted (as k6).
    const names: readonly string[] = e.interrupted ? ITERATION_METRICS.slice(0, 2) : ITERATION_METRICS;
    const rec = sysTags.drop.length ? withoutTags(tags, sysTags.drop) : tags;
    for (let i = 0; i < names.length; i++) store.add(names[i]!, values[i]!, rec);
    for (const o of outputs) o.addMany(names, values, e.endMs, rec, e.metadata);
    if (e.interrupted) state.interrupted++;
    else state.completed++;
  };

  const hooks: VuHooks = {
    onCall(vu, call: VuCall) {
      if (call.iterations) for (const e of call.iterations) iterationEnd(vu, e);
      if (call.metrics) {
        for (const m of call.metrics) {
          try {
            store.declare({ name: m.name, type: m.type, contains: m.isTime ? 'time' : 'default' });
          } catch (e) {
            err('error', (e as Error).message);
          }
        }
      }
      if (call.samples) for (const s of call.samples) emit(s[0], s[1], s[2], s[3], s[4]);
    },
    async serve(vu, call: ServedCall, signal): Promise<VuReply> {
      switch (call.op) {
        case 'http': {
          if (call.resetCookies) vu.http.newIteration();
          const res =
            call.requests.length === 1
              ? [await runRequest(vu, call.requests[0]!, signal)]
              : await vu.http.batch(call.requests, (r) => runRequest(vu, r, signal));
          if (res.some((r) => r === null)) return { op: 'interrupted' };
          return { op: 'http', responses: res as WireHttpResponse[] };
        }
        case 'async-http':
          if (call.resetCookies) vu.http.newIteration();
          runRequest(vu, call.request, signal).then(
            (response) => vu.postEvent({ kind: 'async-result', id: call.id, response, ...(response ? {} : { interrupted: true }) }),
            (e: unknown) => {
              err('error', `embedded engine: async request failed: ${String(e)}`);
              vu.postEvent({ kind: 'async-result', id: call.id, response: null, interrupted: true });
            },
          );
          return { op: 'async-started' };
        case 'cookies':
          if (call.resetCookies) vu.http.newIteration();
          try {
            return { op: 'cookies', ...vu.http.jarCall(call.jar, call.call) };
          } catch (e) {
            return { op: 'cookies', error: (e as Error).message };
          }
        case 'shared-get': {
          let got = shared.get(call.name);
          while (got instanceof Promise) {
            await got;
            got = shared.get(call.name);
          }
          if (got) {
            vu.postShared(got);
            return { op: 'shared', found: true };
          }
          shared.set(call.name, new Promise<void>((res) => sharedBuilt.set(call.name, res)));
          return { op: 'shared', found: false };
        }
        case 'shared-put':
        case 'shared-fail': {
          const data = call.op === 'shared-put' ? vu.takeShared() : null;
          const cur = shared.get(call.name);
          if (data && (cur === undefined || cur instanceof Promise)) shared.set(call.name, data);
          else if (!data && cur instanceof Promise) shared.delete(call.name);
          sharedBuilt.get(call.name)?.();
          sharedBuilt.delete(call.name);
          return { op: 'ok' };
        }
        case 'exec-state':
          return { op: 'exec-state', state: execState() };
        case 'flush':
          return { op: 'ok' };
        case 'ws-open':
        case 'ws-wait':
        case 'ws-send':
        case 'ws-ping':
        case 'ws-close':
          return wsSessions.serve(vu, call, signal);
      }
    },
    onLog(_vu, m) {
      if (m.level === 'debug') return;
      err(m.level === 'warn' ? 'warning' : m.level, scriptStack(m.text), m.fields ?? '');
    },
    onExit() {},
  };

  // Measured: any V8 flag set now makes the 150 VU isolates start lazily (Node's code cache of
  // its internals no longer matches the flags), ~0.6 MiB less each; this one also bounds their
  // young generation. The main thread's heap is already configured and keeps its own.
  setFlagsFromString('--max-semi-space-size=1');
  const counters = new SharedArrayBuffer(4 * 64);
  // The lazy bundle (k6/crypto, k6/html with its parser, jslib) is shared memory read only by the
  // VUs that need it: as a string it would be copied into every VU's workerData (~220 KB × 150 VUs).
  const lazyBytes = Buffer.from(bundles.lazy, 'utf8');
  const lazyCode = new SharedArrayBuffer(lazyBytes.length);
  lazyBytes.copy(Buffer.from(lazyCode));
  const count = new Int32Array(counters);
  const spawn = (id: number, controller: boolean, scenarioEnv: Record<string, string> = {}): Vu => {
    const vu = new Vu(
      id,
      bundles.worker,
      { code: bundles.user, runtimeCode: bundles.runtime, lazyCode, scriptPath, env: { ...env, ...scenarioEnv }, controller, counters },
      hooks,
    );
    allVus.push(vu);
    return vu;
  };

  const closeAll = async (): Promise<void> => {
    wsSessions.closeAll();
    await Promise.all(
      allVus.map(async (v) => {
        if (!v.exited) void v.command({ op: 'exit' });
        await v.close();
      }),
    );
  };

  const onSigint = (): void => stop('sigint');
  io.signal.addEventListener('abort', onSigint, { once: true });

  const initFailed = (c: ControlCall): number => {
    const abort = c.op === 'init' && !c.ok ? c.abort : c.op === 'done' ? c.abort : undefined;
    if (abort) {
      err('error', `test aborted: ${abort}`);
      return K6ExitCode.scriptAborted;
    }
    const text = c.op === 'init' && !c.ok ? c.error : c.op === 'done' ? (c.error ?? 'init failed') : 'init failed';
    err('error', scriptStack(text), 'hint="script exception"');
    return K6ExitCode.scriptException;
  };

  try {
    // VU 0: reads the options, runs setup and teardown.
    const ctl = spawn(0, true);
    const init0 = await ctl.nextControl();
    if (init0.op !== 'init' || !init0.ok) return initFailed(init0);
    const options = (init0.options ?? {}) as Record<string, unknown>;
    const globalTags: Record<string, string> = {};
    if (options.tags && typeof options.tags === 'object') for (const [k, v] of Object.entries(options.tags)) globalTags[k] = String(v);
    const exportsOf = new Set(init0.exports);
    let scenarios: Scenario[];
    let sumOpts: { trendStats: string[]; timeUnit: string };
    let http: HttpOptions;
    try {
      scenarios = deriveScenarios(options, flags);
      sumOpts = summaryOptions(options, flags);
      http = httpOptions(options);
      sysTags = systemTagPlan(
        flags.systemTags ??
          (options.systemTags === undefined || options.systemTags === null
            ? null
            : parseSystemTags(options.systemTags, 'invalid option systemTags')),
      );
      if (!flags.noThresholds)
        thresholds = bindThresholds(
          store,
          parseThresholds(options.thresholds, (s) => parseDuration(s, 'delayAbortEval')),
        );
    } catch (e) {
      err('error', (e as Error).message);
      return e instanceof UsageError ? K6ExitCode.badUsage : K6ExitCode.invalidConfig;
    }
    for (const s of scenarios) {
      if (!exportsOf.has(s.exec)) {
        err(
          'error',
          s.exec === 'default'
            ? 'no exported functions in script (export a default function)'
            : `scenario ${s.name}: exec function "${s.exec}" is not exported by the script`,
        );
        return K6ExitCode.invalidConfig;
      }
    }
    ctl.http.configure(http);
    const columns = tagColumns(sysTags.columns);
    for (const p of flags.csvOutputs) outputs.push(CsvOutput.open(resolve(io.cwd, p), timeFormat, columns));

    // The VUs, initialised before the test starts (as k6 does): as many as the scenarios hold at
    // once; a scenario takes its VUs from the idle ones when it starts and gives them back at its
    // end. A scenario's env reaches __ENV with each iteration command.
    let nextId = 1;
    const newVu = (): Vu => {
      const v = spawn(nextId++, false);
      v.http.configure(http);
      return v;
    };
    const idle: Vu[] = [];
    for (let i = peakVUs(scenarios, initialVUs); i > 0; i--) idle.push(newVu());
    // vus_max follows the VUs allocated (arrival-rate executors add some during the test).
    let vusMax = nextId - 1;
    const inits = await Promise.all(idle.map((v) => v.nextControl()));
    const badInit = inits.find((c) => c.op !== 'init' || !c.ok);
    if (badInit) return initFailed(badInit);
    state.initialized = vusMax;
    /** Allocates one more VU during the test (arrival-rate executors); null if its init failed. */
    const allocateVu = async (s: Scenario): Promise<Vu | null> => {
      const v = newVu();
      const c = await v.nextControl();
      if (c.op !== 'init' || !c.ok) {
        err(
          'error',
          `scenario ${s.name}: a VU allocated during the test failed to initialise: ${c.op === 'init' && !c.ok ? c.error : 'init failed'}`,
        );
        return null;
      }
      vusMax++;
      state.initialized++;
      return v;
    };

    const totalMs = totalDurationMs(scenarios);
    const vusMaxPlanned = peakVUs(scenarios, maxVUs);
    // As k6: --quiet leaves out the execution description too, not only the progress bars.
    if (!flags.quiet) banner(io.stdout, flags, scenarios, vusMaxPlanned, totalMs);

    // setup()
    let data: string | null = null;
    if (exportsOf.has('setup')) {
      const r = await ctl.command({ op: 'setup' });
      if (r.op !== 'done' || r.error || r.abort) {
        if (r.op === 'done' && r.abort) {
          err('error', `test aborted: ${r.abort}`);
          return K6ExitCode.scriptAborted;
        }
        return K6ExitCode.scriptException;
      }
      data = r.result ?? null;
    }

    // Each scenario's own VUs and times, for its progress bar.
    const bars: ScenarioProgress[] = scenarios.map((s) => ({
      name: s.name,
      active: 0,
      maxVUs: maxVUs(s),
      durationMs: scenarioDurationMs(s),
      startedMs: null,
      endedMs: null,
    }));
    const sinceStart = (): number => performance.now() - state.startedAt;
    const show = (): void =>
      void io.stdout.write(
        progressText(sinceStart(), { active: state.active, vusMax, completed: state.completed, interrupted: state.interrupted }, bars),
      );

    // The test itself.
    state.startedAt = performance.now();
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks++;
      const t = nowMs();
      emit('vus', state.active, t, {});
      emit('vus_max', vusMax, t, {});
      for (const o of outputs) {
        o.flush().catch((e: Error) => {
          outputError ??= new Error(`writing ${o.path}: ${e.message}`);
          stop('output');
        });
      }
      if (!flags.quiet) show();
      const elapsed = performance.now() - state.startedAt;
      // As k6 during the run: only abortOnFail ones past their delayAbortEval, on metrics with samples.
      const abortable = thresholds.filter((x) => x.abortOnFail && elapsed >= x.delayAbortEvalMs && x.sink.count > 0);
      if (abortable.length && ticks % 2 === 0) {
        const crossed = evaluateThresholds(abortable, elapsed / 1000);
        if (crossed.length) {
          err(
            'error',
            `thresholds on metrics '${crossedNames(crossed)}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
          );
          stop('threshold');
        }
      }
    }, 1000);

    const runScenario = async (s: Scenario, index: number): Promise<void> => {
      await wait(s.startTimeMs);
      if (state.stopped) return;
      const vus: Vu[] = idle.splice(0, initialVUs(s));
      // The plan counts the VUs each scenario needs; a shortfall (a VU that exited) is allocated.
      while (vus.length < initialVUs(s)) {
        const v = await allocateVu(s);
        if (!v) break;
        vus.push(v);
      }
      bars[index]!.startedMs = sinceStart();
      try {
        await scenarioBody(s, index, vus);
      } finally {
        bars[index]!.endedMs = sinceStart();
        // Back to the idle VUs for the scenarios that start later.
        for (const v of vus) if (!v.exited) idle.push(v);
      }
    };
    const scenarioBody = async (s: Scenario, index: number, vus: Vu[]): Promise<void> => {
      const executor = executorOf(s);
      const scenStart = performance.now();
      const scenStartEpoch = nowMs();
      const endAt = scenStart + executor.durationMs(s);
      const timers = new Set<NodeJS.Timeout>();
      const after = (delayMs: number, fn: () => void): void => {
        const t = setTimeout(() => {
          timers.delete(t);
          fn();
        }, delayMs);
        timers.add(t);
      };
      // At the end, VUs finish their iteration (gracefulStop), then are stopped. One flag decides
      // the end: a timer may fire a fraction of a ms before performance.now() reaches endAt, and
      // a VU sent on after its hold was set would go on iterating on its lease.
      let ended = false;
      const onEnd: Array<() => void> = [];
      after(endAt - performance.now(), () => {
        for (const fn of onEnd) fn();
        ended = true;
        vus.forEach((v) => v.hold(true));
      });
      after(endAt + s.gracefulStopMs - performance.now(), () => vus.forEach((v) => v.interrupt()));
      const scenTags = { ...globalTags, ...s.tags };
      const sysMeta = sysTags.vu || sysTags.iter ? { vu: sysTags.vu, iter: sysTags.iter } : null;
      const hasEnv = Object.keys(s.env).length > 0;
      const lease = executor.lendsIterations;
      const inIteration = new Map<Vu, number>();
      let seq = 0;
      /** VUs busy with this scenario: in the test's count and in its own bar. */
      const addActive = (n: number): void => {
        state.active += n;
        bars[index]!.active += n;
      };
      const over = (): boolean => ended || state.stopped;
      /** One iteration (or, on a lease, several) on a VU; false when the VU is gone. */
      const iterate = async (vu: Vu): Promise<boolean> => {
        vu.clearInterrupt();
        vu.hold(false);
        const cmd: VuCommand = {
          op: 'iterate',
          scenario: s.name,
          scenarioIndex: index,
          executor: s.executor,
          exec: s.exec,
          iterInScenario: Atomics.add(count, COUNTER.scenarioBase + index, 1),
          iterInTest: Atomics.add(count, COUNTER.iterInTest, 1),
          scenarioStartMs: scenStartEpoch,
          data,
          lease,
          tags: scenTags,
          ...(hasEnv ? { env: s.env } : {}),
          ...(sysMeta ? { sysMeta } : {}),
        };
        vu.bytesMark = socketBytes(vu);
        vuScenario.set(vu, s);
        inIteration.set(vu, ++seq);
        const done = await vu.command(cmd);
        inIteration.delete(vu);
        if (done.op !== 'done') return !vu.exited;
        const end = done.endMs ?? nowMs();
        iterationEnd(vu, {
          startMs: done.startMs ?? end,
          endMs: end,
          tags: done.tags ?? {},
          ...(done.metadata ? { metadata: done.metadata } : {}),
          ...(done.interrupted ? { interrupted: true } : {}),
        });
        if (done.abort !== undefined) {
          state.abortMessage = done.abort;
          stop('abort');
        }
        return !vu.exited;
      };
      const run: ScenarioRun = {
        vus,
        iterate,
        async loop(vu, canStart) {
          addActive(1);
          try {
            while (!over() && canStart()) if (!(await iterate(vu))) break;
          } finally {
            addActive(-1);
          }
        },
        iteration: (vu) => inIteration.get(vu),
        elapsedMs: () => performance.now() - scenStart,
        after,
        over,
        onEnd: (fn) => void onEnd.push(fn),
        untilEnd: () => wait(endAt - performance.now()),
        addActive,
        dropped: () => emit('dropped_iterations', 1, nowMs(), { ...scenTags, scenario: s.name }),
        allocate: () => allocateVu(s),
      };
      try {
        await executor.run(s, run);
      } finally {
        for (const t of timers) clearTimeout(t);
      }
    };
    await Promise.all(scenarios.map((s, i) => runScenario(s, i)));
    clearInterval(ticker);
    const durationMs = sinceStart();
    if (!flags.quiet) show();

    // teardown()
    let exitCode: number = K6ExitCode.ok;
    if (exportsOf.has('teardown') && state.reason !== 'output') {
      ctl.clearInterrupt();
      const r = await ctl.command({ op: 'teardown', data });
      if (r.op === 'done' && r.abort) {
        state.abortMessage = r.abort;
        state.reason ??= 'abort';
      } else if (r.op === 'done' && r.error) exitCode = K6ExitCode.scriptException;
    }

    // Thresholds, summaries, outputs.
    const crossed = evaluateThresholds(thresholds, durationMs / 1000);
    const summary = summaryData(store, thresholds, durationMs, { ...sumOpts, noColor: flags.noColor }, io.stdout, io.stderr);
    let printedByHandleSummary = false;
    if (exportsOf.has('handleSummary')) {
      const r = await ctl.command({ op: 'handleSummary', summary: JSON.stringify(summary) });
      if (r.op === 'done' && r.result) {
        printedByHandleSummary = true;
        for (const [k, v] of Object.entries(JSON.parse(r.result) as Record<string, string>)) {
          if (k === 'stdout') io.stdout.write(v);
          else if (k === 'stderr') io.stderr.write(v);
          else {
            try {
              await writeFileAtomic(resolve(io.cwd, k), v);
            } catch (e) {
              outputError ??= new Error(`writing ${k} (from handleSummary): ${(e as Error).message}`);
            }
          }
        }
      }
    }
    // As k6: colours only on a terminal, and never with --no-color (or NO_COLOR).
    const color = !flags.noColor && summary.state.isStdOutTTY && io.env.NO_COLOR === undefined;
    if (!flags.noSummary && !printedByHandleSummary) io.stdout.write(textSummary(summary, { color }));
    if (flags.summaryExport) {
      try {
        await writeFileAtomic(resolve(io.cwd, flags.summaryExport), `${JSON.stringify(summaryExport(summary), null, 4)}\n`);
      } catch (e) {
        outputError ??= new Error(`writing the summary export ${flags.summaryExport}: ${(e as Error).message}`);
      }
    }
    for (const o of outputs) {
      try {
        await o.close();
      } catch (e) {
        outputError ??= new Error(`writing ${o.path}: ${(e as Error).message}`);
      }
    }
    outputs.length = 0;

    if (outputError) {
      err('error', outputError.message);
      return K6ExitCode.genericEngine;
    }
    if (state.reason === 'abort') {
      err('error', `test aborted: ${state.abortMessage}`);
      return K6ExitCode.scriptAborted;
    }
    if (state.reason === 'sigint') return K6ExitCode.externalAbort;
    if (crossed.length && state.reason !== 'threshold') {
      err('error', `thresholds on metrics '${crossedNames(crossed)}' have been crossed`);
    }
    if (crossed.length || state.reason === 'threshold') return K6ExitCode.thresholdsHaveFailed;
    return exitCode;
  } catch (e) {
    if (e instanceof UserError) {
      err('error', e.message);
      return K6ExitCode.invalidConfig;
    }
    throw e;
  } finally {
    io.signal.removeEventListener('abort', onSigint);
    for (const o of outputs) await o.close().catch((e: Error) => err('error', `writing ${o.path}: ${e.message}`));
    await closeAll();
  }
}

/** The metrics whose thresholds were crossed, as k6 names them in its error: sorted, comma-separated. */
function crossedNames(crossed: readonly Threshold[]): string {
  return [...new Set(crossed.map((x) => x.metricKey))].sort().join(', ');
}

function banner(out: Writable, flags: RunFlags, scenarios: Scenario[], vusMax: number, totalMs: number): void {
  const outputs = flags.csvOutputs.length ? flags.csvOutputs.map((p) => `csv (${p})`).join(', ') : '-';
  let s = `\n  k6-embedded v${ENGINE_VERSION} (k6 v0.48 compatible)\n\n  execution: local\n     script: ${flags.script}\n     output: ${outputs}\n\n`;
  s += `  scenarios: (100.00%) ${scenarios.length} scenario${scenarios.length > 1 ? 's' : ''}, ${vusMax} max VUs, ${formatMs(totalMs)} max duration (incl. graceful stop):\n`;
  for (const sc of scenarios) s += `           * ${sc.name}: ${describeScenario(sc)}\n`;
  out.write(`${s}\n\n`);
}
