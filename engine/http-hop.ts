/**
 * One HTTP exchange on the wire (one hop of a redirect chain): undici's handler for it, timed
 * from undici's request hooks (blocked, connecting, sending, waiting, receiving), never invented.
 * The hop object is the handler itself: no closure per hook on this per-request path.
 */
import type { Dispatcher } from 'undici';
import { K6_ERROR_CODES } from '../formats/k6/csv.ts';
import { canonicalHeader, classifyError } from './go-http.ts';
import type { WireCookie, WireHop, WireTimings } from './protocol.ts';

const now = (): number => performance.now();

/** One HTTP exchange (one hop of a redirect chain), as measured on the wire (its fields: WireHop's, and these). */
export interface Hop extends Omit<WireHop, 'body'> {
  body: Buffer | null;
  remoteIp: string;
  remotePort: number;
  /** k6's tls_version tag (https only). */
  tlsVersion?: string;
  /** The cookies its Set-Cookie lines set, as k6's res.cookies shows them. */
  cookies?: Record<string, WireCookie[]>;
}

/** When a VU's connection was opened, its TCP connect done, its TLS handshake done (ms, performance.now()). */
export interface ConnectTimes {
  start: number;
  tcp: number;
  tls: number;
}

/** What a hop asks of its VU's client when it ends: its last connection, the TLS version of an origin. */
export interface HopClient {
  readonly lastConnect: ConnectTimes | null;
  tlsVersion(origin: string): string | undefined;
}

export interface HopRequest {
  method: string;
  /** null: the URL did not parse (k6's invalid URL error). */
  url: URL | null;
  urlText: string;
  headers: Record<string, string>;
  body: Buffer | string | null;
  timeoutMs: number;
  /** Ask undici for a connection of its own (noConnectionReuse). */
  reset: boolean;
}

/**
 * The hops in flight under each signal (a VU's: it aborts them all at once). One 'abort' listener
 * per signal, where one added and removed per request cost ~3 % of the main thread's CPU at 150
 * VUs (perf: Node's EventTarget).
 */
const inFlight = new WeakMap<AbortSignal, Set<HopCall>>();

function track(signal: AbortSignal, call: HopCall): void {
  let calls = inFlight.get(signal);
  if (!calls) {
    const set = new Set<HopCall>();
    signal.addEventListener('abort', () => set.forEach((c) => c.interrupt()), { once: true });
    inFlight.set(signal, set);
    calls = set;
  }
  calls.add(call);
}

export class HopCall {
  private readonly t0 = now();
  private readonly connectBefore: ConnectTimes | null;
  private tSend = 0;
  private tSent = 0;
  private tFirst = 0;
  private done = false;
  private abortFn: ((e: Error) => void) | null = null;
  private readonly chunks: Buffer[] = [];
  private status = 0;
  private statusText = '';
  private resHeaders: Record<string, string> = {};
  private readonly setCookie: string[] = [];
  private readonly timer: NodeJS.Timeout;

  /** Sends the request on `dispatcher`; `resolve` gets the hop (never an error: a failure is a hop with status 0). */
  static send(dispatcher: Dispatcher, client: HopClient, req: HopRequest, signal: AbortSignal): Promise<Hop> {
    return new Promise<Hop>((resolve) => {
      const call = new HopCall(client, req, signal, resolve);
      const { url } = req;
      if (!url) return call.failed(null);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        call.finish(0, '', {}, null, `unsupported protocol scheme "${url.protocol.slice(0, -1)}"`, K6_ERROR_CODES.generic);
        return;
      }
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body,
          ...(req.reset ? { reset: true } : {}),
        },
        call as never,
      );
    });
  }

  private constructor(
    private readonly client: HopClient,
    private readonly req: HopRequest,
    private readonly signal: AbortSignal,
    private readonly resolve: (hop: Hop) => void,
  ) {
    this.connectBefore = client.lastConnect;
    this.timer = setTimeout(() => {
      this.finish(0, '', {}, null, 'request timeout', K6_ERROR_CODES.requestTimeout, 'context deadline exceeded');
      this.abortFn?.(new Error('request timeout'));
    }, req.timeoutMs);
    track(signal, this);
  }

  /** The signal aborted (the VU's iteration is interrupted). */
  interrupt(): void {
    // finish() before abort: aborting calls onError at once, which would record the abort as a
    // generic error (1000) instead of k6's timeout (1050) or cancellation.
    this.finish(0, '', {}, null, 'context canceled', K6_ERROR_CODES.generic);
    this.abortFn?.(new Error('interrupted'));
  }

  onConnect(abort: (e?: Error) => void): void {
    this.abortFn = abort;
    this.tSend = now();
  }

  onRequestSent(): void {
    this.tSent = now();
  }

  onResponseStarted(): void {
    this.tFirst = now();
  }

  onHeaders(statusCode: number, raw: Buffer[], _resume: () => void, text: string): boolean {
    if (statusCode < 200) return true;
    if (!this.tFirst) this.tFirst = now();
    this.status = statusCode;
    this.statusText = text;
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = canonicalHeader(raw[i]!.toString('latin1'));
      const v = raw[i + 1]!.toString('latin1');
      if (k === 'Set-Cookie') this.setCookie.push(v);
      h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
    }
    this.resHeaders = h;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish(this.status, this.statusText, this.resHeaders, Buffer.concat(this.chunks), '', 0);
  }

  onError(e: Error): void {
    this.failed(e);
  }

  private failed(e: unknown): void {
    const { url, urlText } = this.req;
    const { error, code, detail } = url
      ? classifyError(e, url)
      : { error: 'invalid URL', code: K6_ERROR_CODES.invalidUrl, detail: `parse "${urlText}": invalid URL` };
    this.finish(0, '', {}, null, error, code, detail);
  }

  private timings(tEnd: number): WireTimings {
    if (!this.tSend) this.tSend = tEnd;
    if (!this.tSent) this.tSent = this.tSend;
    if (!this.tFirst) this.tFirst = this.tSent;
    const last = this.client.lastConnect;
    const c = last !== this.connectBefore && last && last.start >= this.t0 ? last : null;
    return {
      blocked: this.tSend - this.t0,
      connecting: c ? c.tcp - c.start : 0,
      tls_handshaking: c && this.req.urlText.startsWith('https:') ? c.tls - c.tcp : 0,
      sending: this.tSent - this.tSend,
      waiting: this.tFirst - this.tSent,
      receiving: tEnd - this.tFirst,
      duration: tEnd - this.tSend,
    };
  }

  private finish(
    st: number,
    stText: string,
    hdrs: Record<string, string>,
    b: Buffer | null,
    error: string,
    errorCode: number,
    errorDetail?: string,
  ): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    inFlight.get(this.signal)?.delete(this);
    const tEnd = now();
    const { method, url, urlText } = this.req;
    const tlsVersion =
      urlText.startsWith('https:') && url ? this.client.tlsVersion(`https://${url.hostname}:${url.port || 443}`) : undefined;
    const hop: Hop = {
      ...(tlsVersion ? { tlsVersion } : {}),
      method,
      url: urlText,
      status: st,
      statusText: stText,
      proto: st ? 'HTTP/1.1' : '',
      headers: hdrs,
      body: b,
      timings: this.timings(tEnd),
      error,
      errorCode,
      endMs: performance.timeOrigin + tEnd,
      remoteIp: '',
      remotePort: 0,
      setCookie: this.setCookie,
      ...(errorDetail ? { errorDetail } : {}),
    };
    // Handed over after the other sockets' reads of this loop turn: their timings are taken
    // before this response's samples, reply and VU wake-up are processed (bursts of VUs).
    setImmediate(this.resolve, hop);
  }
}
