import type {
  ExecState,
  IterationEnd,
  LocalHttpReply,
  VuCall,
  VuReply,
  WireHopSample,
  WireHttpRequest,
  WireMetricDecl,
  WireSample,
} from '../protocol.ts';
import { host } from './host.ts';

/** Thrown through the script when the main thread stops the iteration (end of stage, Ctrl-C). */
export class Interrupt extends Error {
  constructor() {
    super('iteration interrupted');
    this.name = 'Interrupt';
  }
}

/** Thrown by exec.test.abort(): stops the whole test (exit 108). */
export class TestAbort extends Error {
  constructor(readonly reason: string) {
    super(`test aborted: ${reason}`);
    this.name = 'TestAbort';
  }
}

/** The one VU this context is: mutable by design (one context = one VU, nothing shared). */
export const vu = {
  id: host.vuId,
  /** `::a::b`, '' outside any group. */
  group: '',
  scenario: '',
  executor: '',
  iterInVu: -1,
  iterInScenario: -1,
  iterInTest: -1,
  scenarioStartMs: 0,
  /** 'init' | 'setup' | 'teardown' | 'vu' */
  stage: 'init' as 'init' | 'setup' | 'teardown' | 'vu',
  tags: {} as Record<string, string>,
  /** The test's and the scenario's tags (options.tags, scenarios.<name>.tags) for the current iteration. */
  scenarioTags: {} as Record<string, string>,
  metadata: {} as Record<string, string>,
  /** systemTags' vu / iter, into every sample's metadata during iterations (k6: high-cardinality tags). */
  sysMeta: undefined as { vu: boolean; iter: boolean } | undefined,
  /** True until the iteration's first HTTP request (which empties the VU's cookie jar). */
  freshIteration: false,
  /** The VU's jar may hold cookies of this iteration: its requests then go through the main thread, which holds the jar. */
  jarChanged: false,
};

/** An iteration starts: k6 empties the VU's jar (the main thread's, at the iteration's first call to it). */
export function iterationStarts(): void {
  vu.freshIteration = true;
  vu.jarChanged = false;
}

let samples: WireSample[] = [];
let decls: WireMetricDecl[] = [];
let ended: IterationEnd[] = [];
let hops: WireHopSample[] = [];

/** Records an iteration ended under a lease; it goes with the next call. */
export function iterationEnded(e: IterationEnd): void {
  const b = host.localBytes();
  if (b) e.localBytes = b;
  ended.push(e);
}

/** The hops of a request the VU sent on its own sockets: their samples go with the next call, in order with the others. */
export function hopsMade(req: WireHttpRequest, reply: Extract<LocalHttpReply, { response: unknown }>): void {
  const r: WireHopSample['req'] = { url: req.url, tags: req.tags, expected: req.expected };
  if (req.metadata) r.metadata = req.metadata;
  if (reply.hops) {
    for (const h of reply.hops) hops.push({ at: samples.length, req: r, hop: h.hop, redirected: h.redirected });
    return;
  }
  // One hop: its samples are the response's (error_code: the hop's, or its status's, as the main thread's are).
  const w = reply.response;
  const hop = {
    method: req.method,
    url: w.url,
    status: w.status,
    proto: w.proto,
    timings: w.timings,
    error: w.error,
    errorCode: w.error_code,
    endMs: reply.endMs,
  };
  hops.push({ at: samples.length, req: r, hop, redirected: false });
}

function attach(msg: VuCall): void {
  if (samples.length) msg.samples = samples;
  if (decls.length) msg.metrics = decls;
  if (ended.length) msg.iterations = ended;
  if (hops.length) msg.hops = hops;
  const b = host.localBytes();
  if (b) msg.localBytes = b;
  samples = [];
  decls = [];
  ended = [];
  hops = [];
}

/** The tags every sample of this VU carries now (group, scenario, the VU's own tags). */
export function baseTags(): Record<string, string> {
  const t: Record<string, string> = { ...vu.scenarioTags, ...vu.tags };
  t.group = vu.group;
  if (vu.scenario) t.scenario = vu.scenario;
  return t;
}

export function metadata(): Record<string, string> | undefined {
  const sys = vu.sysMeta;
  if (sys) {
    const m: Record<string, string> = { ...vu.metadata };
    if (sys.vu) m.vu = String(vu.id);
    if (sys.iter) m.iter = String(vu.iterInVu);
    return m;
  }
  for (const _ in vu.metadata) return { ...vu.metadata };
  return undefined;
}

export function pushSample(metric: string, value: number, tags: Record<string, string>): void {
  const md = metadata();
  samples.push(md ? [metric, value, host.now(), tags, md] : [metric, value, host.now(), tags]);
}

export function declareMetric(d: WireMetricDecl): void {
  decls.push(d);
}

/** Sends a call with the pending samples; returns the main thread's reply. */
export function call(msg: VuCall): VuReply {
  attach(msg);
  return JSON.parse(host.callJson(JSON.stringify(msg))) as VuReply;
}

/** Like call(), for the control calls whose reply is the next command. */
export function callForCommand<T>(msg: VuCall): T {
  attach(msg);
  return JSON.parse(host.callJson(JSON.stringify(msg))) as T;
}

export function execState(): ExecState {
  const r = call({ op: 'exec-state' });
  if (r.op !== 'exec-state') throw new Error('embedded engine: unexpected reply to exec-state');
  return r.state;
}
