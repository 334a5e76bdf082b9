/**
 * The main thread's answers to what VUs ask while they run (k6's modules in the VU call here):
 * HTTP requests (their samples to the sink, their response back), WebSocket sessions
 * (ws-sessions.ts), cookie jars, SharedArrays,
 * k6/execution's state; and what every call carries (samples, metric declarations, ended
 * iterations, logs).
 */
import { exchangeResponse, hopFromWire } from './hop-response.ts';
import type { Log } from './engine-io.ts';
import type { ExecState, VuCall, VuReply, WireHttpRequest, WireHttpResponse } from './protocol.ts';
import type { SampleSink } from './sample-sink.ts';
import { SharedArrays } from './shared-arrays.ts';
import type { ServedCall, SocketBytes, Vu, VuHooks } from './vu.ts';
import { WsSessions } from './ws-sessions.ts';

export interface VuCallDeps {
  sink: SampleSink;
  log: Log;
  /** A stack trace or message in the user's own files and lines. */
  scriptStack: (text: string) => string;
  execState: () => ExecState;
}

/** The hooks every VU's calls go through. */
export class VuCalls implements VuHooks {
  private readonly shared = new SharedArrays();
  private readonly ws: WsSessions;

  constructor(private readonly deps: VuCallDeps) {
    this.ws = new WsSessions(
      (metric, value, time, tags, metadata) => deps.sink.add(metric, value, time, tags, metadata),
      (name, type, contains) => deps.sink.store.declare({ name, type, contains }),
    );
  }

  /** Bytes on the VU's sockets, HTTP and WebSocket (k6's data_sent / data_received count both), its own sockets' too. */
  socketBytes(vu: Vu): SocketBytes {
    const h = vu.http.bytes();
    const w = this.ws.bytes(vu);
    const [read, written] = vu.localBytes;
    return { read: h.read + w.read + read, written: h.written + w.written + written };
  }

  /** Closes every WebSocket still open (the test is over). */
  close(): void {
    this.ws.closeAll();
  }

  /** Every call's ended iterations (on a lease), metric declarations and samples (its own sockets' hops among them), in order. */
  onCall(vu: Vu, call: VuCall): void {
    const { sink, log } = this.deps;
    if (call.iterations) {
      for (const e of call.iterations) {
        if (e.localBytes) vu.localBytes = e.localBytes;
        sink.addIteration(e, vu.scenario, vu.takeBytes(this.socketBytes(vu)));
      }
    }
    if (call.localBytes) vu.localBytes = call.localBytes;
    if (call.metrics) {
      for (const m of call.metrics) {
        try {
          sink.store.declare({ name: m.name, type: m.type, contains: m.isTime ? 'time' : 'default' });
        } catch (e) {
          log('error', (e as Error).message);
        }
      }
    }
    const hops = call.hops ?? [];
    let h = 0;
    const hopsUpTo = (at: number): void => {
      for (; h < hops.length && hops[h]!.at <= at; h++) sink.addHop(hops[h]!.req, hops[h]!.hop, hops[h]!.redirected, false);
    };
    if (call.samples) {
      call.samples.forEach((s, i) => {
        hopsUpTo(i);
        sink.add(s[0], s[1], s[2], s[3], s[4]);
      });
    }
    hopsUpTo(Number.POSITIVE_INFINITY);
  }

  async serve(vu: Vu, call: ServedCall, signal: AbortSignal): Promise<VuReply> {
    // k6 empties a VU's cookie jar at each iteration: the first call of one says so.
    if ('resetCookies' in call && call.resetCookies) vu.http.newIteration();
    switch (call.op) {
      case 'http':
        return this.http(vu, call, signal);
      case 'async-http':
        return this.asyncHttp(vu, call, signal);
      case 'cookies':
        try {
          return { op: 'cookies', ...vu.http.jarCall(call.jar, call.call) };
        } catch (e) {
          return { op: 'cookies', error: (e as Error).message };
        }
      case 'shared-get':
        return { op: 'shared', found: await this.shared.get(vu, call.name) };
      case 'shared-put':
      case 'shared-fail':
        this.shared.put(vu, call.name, call.op === 'shared-put');
        return { op: 'ok' };
      case 'exec-state':
        return { op: 'exec-state', state: this.deps.execState() };
      case 'flush':
        return { op: 'ok' };
      case 'ws-open':
      case 'ws-wait':
      case 'ws-send':
      case 'ws-ping':
      case 'ws-close':
        return this.ws.serve(vu, call, signal);
    }
  }

  onLog(_vu: Vu, m: { level: string; text: string; fields?: string }): void {
    if (m.level === 'debug') return;
    this.deps.log(m.level === 'warn' ? 'warning' : m.level, this.deps.scriptStack(m.text), m.fields ?? '');
  }

  onExit(): void {}

  private async http(vu: Vu, call: Extract<ServedCall, { op: 'http' }>, signal: AbortSignal): Promise<VuReply> {
    const res =
      call.requests.length === 1
        ? [await this.request(vu, call.requests[0]!, signal)]
        : await vu.http.batch(call.requests, (r) => this.request(vu, r, signal));
    if (res.some((r) => r === null)) return { op: 'interrupted' };
    return { op: 'http', responses: res as WireHttpResponse[] };
  }

  private asyncHttp(vu: Vu, call: Extract<ServedCall, { op: 'async-http' }>, signal: AbortSignal): VuReply {
    this.request(vu, call.request, signal).then(
      (response) => vu.postEvent({ kind: 'async-result', id: call.id, response, ...(response ? {} : { interrupted: true }) }),
      (e: unknown) => {
        this.deps.log('error', `embedded engine: async request failed: ${String(e)}`);
        vu.postEvent({ kind: 'async-result', id: call.id, response: null, interrupted: true });
      },
    );
    return { op: 'async-started' };
  }

  /** One request (its hops' samples to the sink); null when interrupted. */
  private async request(vu: Vu, req: WireHttpRequest, signal: AbortSignal): Promise<WireHttpResponse | null> {
    const { sink, log } = this.deps;
    const ex = await vu.http.request(req, signal, req.prior?.map(hopFromWire));
    if (signal.aborted) return null;
    ex.hops.forEach((h, i) => sink.addHop(req, h, i > 0, i === 0 && req.auth === 'digest'));
    return exchangeResponse(req, ex, (text, fields) => log('warning', text, fields));
  }
}
