/**
 * Plain HTTP on a VU's own blocking sockets, in the VU's thread (docs/engine-vu-sockets.md): the
 * VU sends its request and sleeps in poll() until the answer, with no hop through the main thread.
 * It writes the bytes the main thread's client (undici) writes and reads the answer as it does,
 * so a request is the same either way; what this path lacks (TLS, cookies to keep, digest, batch)
 * it leaves to the main thread: before sending (`takes`), or after a hop (`handOver`).
 *
 * This code runs in every VU's isolate, where it stays in V8's baseline tier (each isolate runs it
 * only tens of times a second): it is written to do little per request (URLs parsed once, no
 * regular expression or closure on the way of a request).
 */
import { K6_ERROR_CODES } from '../formats/k6/csv.ts';
import { fast } from './fast-buffer.ts';
import { canonicalHeader, classifyError } from './go-http.ts';
import type { Hop } from './http-hop.ts';
import {
  DONE,
  FIRST_MS,
  GOT,
  HEAD_END,
  NO_BUFS,
  PEER_CLOSED,
  SCAN_FROM,
  SEND_MS,
  SENT,
  SENT_MS,
  STATE_SLOTS,
  TIMED_OUT,
  WOKEN,
  type VuSocketAddon,
} from './native/vu-socket.ts';
import type { WireHttpRequest } from './protocol.ts';
import { followRedirect, startChain, type Chain } from './request-chain.ts';

const now = (): number => performance.now();
/** Read once: a getter that calls into Node at every read. */
const timeOrigin = performance.timeOrigin;

/** Headers undici handles itself or refuses: a request that sets one goes through the main thread. */
const OWN_HEADERS = new Set([
  'host',
  'cookie',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The errno values a socket call returns, by the names the main thread's errors have (go-http.ts). */
const ERRNO_NAMES: Record<number, string> = {
  111: 'ECONNREFUSED',
  104: 'ECONNRESET',
  32: 'EPIPE',
  113: 'EHOSTUNREACH',
  101: 'ENETUNREACH',
};

const LINE_END = Buffer.from('\r\n', 'latin1');
/** The answer's buffer: its first size, and the most it keeps between requests. */
const IN_BYTES = 64 * 1024;
const MAX_KEPT_BUFFER = 1024 * 1024;

/** What a request on the VU's sockets gave. */
export type SocketExchange =
  /** The whole chain: its hops and, when the default limit stopped it, the redirects followed. */
  | { hops: Hop[]; stoppedAfter?: number }
  /** Hops so far: the main thread goes on after them (a cookie for the jar, a redirect to https). */
  | { handOver: Hop[] }
  | 'interrupted';

/** Why a hop failed, as the main thread's client says it. */
class HopError {
  constructor(
    readonly error: string,
    readonly code: number,
    readonly detail: string,
  ) {}
}

/** The server closed the connection before the whole answer: undici's words. */
const closedEarly = (): HopError => new HopError('other side closed', K6_ERROR_CODES.generic, 'other side closed');
const notHttp = (): HopError =>
  new HopError('Parse Error: the answer is not HTTP/1.1', K6_ERROR_CODES.generic, 'Parse Error: the answer is not HTTP/1.1');

/** A failure named as Node names it (ECONNREFUSED…), worded as the main thread's client words it (go-http.ts). */
function namedError(name: string, url: URL): HopError {
  const c = classifyError({ code: name, message: name }, url);
  return new HopError(c.error, c.code, c.detail);
}

const errnoError = (result: number, url: URL): HopError => namedError(ERRNO_NAMES[-result] ?? `errno ${-result}`, url);

/** The interrupt that woke a wait: the hop is abandoned. */
class Interrupted {}

/** What a URL gives a hop, parsed once per URL text. */
interface Target {
  url: URL;
  /** host:port, the key of its idle connection. */
  origin: string;
  hostname: string;
  port: number;
  /** `<path> HTTP/1.1\r\nhost: <host>\r\n`, after the method. */
  line: string;
}

/** A hop's times (ms, performance.now()). */
interface Times {
  t0: number;
  connectStart: number;
  connectEnd: number;
  send: number;
  sent: number;
  first: number;
}

/** A response's head, as undici's hops have it. */
interface Head {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  setCookie: string[];
  contentLength: number;
  chunked: boolean;
  close: boolean;
}

export class SocketHttp {
  /** Idle kept-alive connections by origin: one per origin, as a VU uses them one at a time. */
  private readonly idle = new Map<string, number>();
  private readonly targets = new Map<string, Target | null>();
  // Not zeroed (only what was written or read is ever looked at): a page counts in the RSS once used.
  private out = Buffer.allocUnsafeSlow(16 * 1024);
  private in = Buffer.allocUnsafeSlow(IN_BYTES);
  /** The addon's state of the exchange in progress (vu-socket.ts SENT…FIRST_MS). */
  private readonly state = new Float64Array(STATE_SLOTS);
  /** performance.now() less the addon's clock. */
  private readonly clockOffset: number;
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    private readonly net: VuSocketAddon,
    private readonly wakeFd: number,
    private readonly interrupted: () => boolean,
    private readonly userAgent: string,
  ) {
    this.clockOffset = now() - net.monoMs();
  }

  /** Whether this path sends `req`: plain http, one request of the VU's own, nothing this path does not do. */
  takes(req: WireHttpRequest): boolean {
    if (req.auth || req.cookies || req.jar || req.prior || !this.target(req.url)) return false;
    // A header undici refuses (a name that is not a token, a value with a control character or
    // beyond Latin-1) is refused by the main thread, in its words.
    for (const h in req.headers)
      if (OWN_HEADERS.has(h.toLowerCase()) || !TOKEN.test(h) || !HEADER_VALUE.test(req.headers[h]!)) return false;
    const m = req.method;
    return m === 'GET' || m === 'POST' || m === 'PUT' || m === 'DELETE' || m === 'PATCH' || m === 'HEAD' || m === 'OPTIONS';
  }

  /** The parsed URL when it is plain http (null for anything else, an invalid URL too: the main thread words it). */
  private target(urlText: string): Target | null {
    let t = this.targets.get(urlText);
    if (t !== undefined) return t;
    t = null;
    if (urlText.length > 7 && urlText.slice(0, 7).toLowerCase() === 'http://') {
      try {
        const url = new URL(urlText);
        const port = Number(url.port || 80);
        t = {
          url,
          origin: `${url.hostname}:${port}`,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port,
          line: ` ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`,
        };
      } catch {
        t = null;
      }
    }
    // Bounded: scripts that make a new URL per request (ids, query strings) must not grow it.
    if (this.targets.size >= 512) this.targets.clear();
    this.targets.set(urlText, t);
    return t;
  }

  /** Runs `req` and its redirects (Go's rules) on the VU's sockets. */
  request(req: WireHttpRequest): SocketExchange {
    const { chain } = startChain(req, this.userAgent);
    const hops: Hop[] = [];
    for (let redirects = 0; ; redirects++) {
      const target = this.target(chain.urlText);
      if (!target) return { handOver: hops }; // a redirect to https (or to no URL): the main thread goes on
      const hop = this.hop(chain, target, req.timeoutMs);
      if (hop === null) return 'interrupted';
      hops.push(hop);
      if (hop.setCookie.length) return { handOver: hops };
      if (hop.status < 300 || hop.status > 308) return { hops };
      const next = followRedirect(chain, hop, target.url, redirects, req.redirects);
      if (next === 'done') return { hops };
      if (next === 'stopped') return req.defaultRedirects ? { hops, stoppedAfter: redirects } : { hops };
    }
  }

  /** Closes the idle connections (the VU ends). */
  close(): void {
    for (const fd of this.idle.values()) this.net.close(fd);
    this.idle.clear();
  }

  /** One exchange (null: interrupted); a failure is a hop with status 0, as the main thread's client makes it. */
  private hop(chain: Chain, target: Target, timeoutMs: number): Hop | null {
    const t0 = now();
    const deadline = t0 + timeoutMs;
    const t: Times = { t0, connectStart: 0, connectEnd: 0, send: 0, sent: 0, first: 0 };
    const length = this.requestBytes(chain, target);
    // A big answer grew `in`: 150 VUs must not each keep megabytes after it (its body was read by now).
    if (this.in.length > MAX_KEPT_BUFFER) this.in = Buffer.allocUnsafeSlow(IN_BYTES);
    for (let attempt = 0; ; attempt++) {
      let fd = -1;
      let reused = false;
      const st = this.state;
      st.fill(0);
      try {
        fd = this.idleConnection(target.origin);
        reused = fd >= 0;
        if (!reused) fd = this.connect(target, deadline, t);
        const head = this.receive(fd, length, chain.method === 'HEAD', deadline, target.url);
        // A view: read (decoded, or encoded for the main thread) before this VU's next request.
        const body = this.in.subarray(this.bodyStart, this.bodyEnd);
        if (head.close || chain.method === 'HEAD') this.net.close(fd);
        else this.idle.set(target.origin, fd);
        return this.made(chain, head, body, null, this.timed(t));
      } catch (e) {
        if (fd >= 0) this.net.close(fd);
        if (e instanceof Interrupted) return null;
        if (!(e instanceof HopError)) throw e;
        // Go's transport: a kept-alive connection the server closed before any answer is retried once on a new one.
        const lost = e.code === K6_ERROR_CODES.tcpResetByPeer || e.code === K6_ERROR_CODES.tcpBrokenPipe || e.error === 'other side closed';
        if (reused && st[FIRST_MS] === 0 && attempt === 0 && lost) continue;
        return this.made(chain, null, null, e, this.timed(t));
      } finally {
        this.bytesWritten += st[SENT]!;
        this.bytesRead += st[GOT]!;
      }
    }
  }

  /** The times the addon took (its clock) on performance.now()'s. */
  private timed(t: Times): Times {
    const st = this.state;
    const off = this.clockOffset;
    if (st[SEND_MS]) t.send = st[SEND_MS]! + off;
    if (st[SENT_MS]) t.sent = st[SENT_MS]! + off;
    if (st[FIRST_MS]) t.first = st[FIRST_MS]! + off;
    return t;
  }

  /** The request's bytes into `out`, as undici writes them; their length. */
  private requestBytes(chain: Chain, target: Target): number {
    const { method, headers } = chain;
    // undici: lower-case host and connection first, the script's headers in order, then content-length;
    // a HEAD goes on a connection closed after it.
    let head = method + target.line + (method === 'HEAD' ? 'connection: close\r\n' : 'connection: keep-alive\r\n');
    for (const h in headers) head += `${h}: ${headers[h]}\r\n`;
    const body = chain.body;
    const length = body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    if (length > 0 || method === 'POST' || method === 'PUT' || method === 'PATCH') head += `content-length: ${length}\r\n`;
    head += '\r\n';
    const need = head.length + length; // latin1: one byte a character
    if (need > this.out.length) this.out = Buffer.allocUnsafeSlow(Math.max(need, this.out.length * 2));
    const n = fast(this.out).latin1Write(head, 0);
    if (typeof body === 'string') fast(this.out).utf8Write(body, n);
    else if (body) body.copy(this.out, n);
    return n + length;
  }

  /** The idle connection to `origin`, unless the server closed it meanwhile; -1 when none. */
  private idleConnection(origin: string): number {
    const fd = this.idle.get(origin);
    if (fd === undefined) return -1;
    this.idle.delete(origin);
    if (!this.net.stale(fd)) return fd;
    this.net.close(fd);
    return -1;
  }

  private connect(target: Target, deadline: number, t: Times): number {
    const ips = this.net.resolve(target.hostname);
    if (typeof ips === 'number' || ips.length === 0) throw namedError('ENOTFOUND', target.url);
    t.connectStart = now();
    let last = 0;
    for (const ip of ips) {
      let fd = TIMED_OUT;
      while (fd === TIMED_OUT) fd = this.settle(this.net.connect(ip, target.port, this.left(deadline), this.wakeFd), deadline);
      if (fd >= 0) {
        t.connectEnd = now();
        return fd;
      }
      last = fd;
    }
    throw errnoError(last, target.url);
  }

  private left(deadline: number): number {
    return Math.max(1, Math.ceil(deadline - now()));
  }

  /**
   * A socket call's result, with the deadline and interrupts as the main thread's client has them:
   * WOKEN is an interrupt (thrown) or a wake meant for an earlier request (drained: TIMED_OUT is
   * returned so that the caller calls again); TIMED_OUT at the deadline is the request's timeout.
   */
  private settle(r: number, deadline: number): number {
    if (r === WOKEN) {
      if (this.interrupted()) throw new Interrupted();
      this.net.drain(this.wakeFd);
      return TIMED_OUT;
    }
    if (r === TIMED_OUT && now() >= deadline - 1)
      throw new HopError('request timeout', K6_ERROR_CODES.requestTimeout, 'context deadline exceeded');
    return r;
  }

  /**
   * A result of exchange() or recvUntil(): DONE or PEER_CLOSED; null when the call is to be made
   * again (a full buffer grown, a stale wake drained); an interrupt, the deadline or an error thrown.
   */
  private settled(r: number, deadline: number, url: URL): number | null {
    if (r === DONE || r === PEER_CLOSED) return r;
    if (r === NO_BUFS) {
      this.grow(this.in.length * 2);
      return null;
    }
    const s = this.settle(r, deadline);
    if (s !== TIMED_OUT) throw errnoError(s, url);
    return null;
  }

  /** Reads until `need` bytes of the answer are in `in`; false when the server closed first. */
  private readUntil(fd: number, need: number, deadline: number, url: URL): boolean {
    this.grow(need);
    let r: number | null = null;
    while (r === null)
      r = this.settled(this.net.recvUntil(fd, this.in, need, deadline - this.clockOffset, this.wakeFd, this.state), deadline, url);
    return r === DONE;
  }

  /** `in` with room for `n` bytes, what it holds kept. */
  private grow(n: number): void {
    if (n <= this.in.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(n, this.in.length * 2));
    this.in.copy(bigger, 0, 0, this.state[GOT]);
    this.in = bigger;
  }

  /** The last head parsed, and its text (read only: its headers are copied before a script sees them). */
  private lastHeadText = '';
  private lastHead: Head | null = null;

  /** Where the body is in `in`, once `receive` returned. */
  private bodyStart = 0;
  private bodyEnd = 0;

  /**
   * Sends the request in `out` and reads the answer on `fd`: its head (after any 1xx, skipped as Go
   * skips them) and its body as HTTP/1.1 frames it, into `in`.
   */
  private receive(fd: number, length: number, isHead: boolean, deadline: number, url: URL): Head {
    const st = this.state;
    const mono = deadline - this.clockOffset;
    for (;;) {
      const start = st[SCAN_FROM]!;
      let r: number | null = null;
      while (r === null) r = this.settled(this.net.exchange(fd, this.out, length, this.in, mono, this.wakeFd, st), deadline, url);
      if (r === PEER_CLOSED) throw closedEarly();
      const end = st[HEAD_END]!;
      const text = fast(this.in).latin1Slice(start, end);
      // A server answers alike but for its Date, which changes once a second: the last head parsed is kept.
      let head = text === this.lastHeadText ? this.lastHead : parseHead(text);
      if (!head) throw notHttp();
      if (head !== this.lastHead) {
        this.lastHeadText = text;
        this.lastHead = head;
      }
      st[SCAN_FROM] = end + 4;
      if (head.status < 200) continue;
      const bodyStart = end + 4;
      this.bodyStart = bodyStart;
      if (isHead || head.status === 204 || head.status === 304) this.bodyEnd = bodyStart;
      else if (head.chunked) this.bodyEnd = this.chunked(fd, bodyStart, deadline, url);
      else if (head.contentLength >= 0) {
        if (!this.readUntil(fd, bodyStart + head.contentLength, deadline, url)) throw closedEarly();
        this.bodyEnd = bodyStart + head.contentLength;
      } else {
        // The end of the connection is the end of the body (it is not kept).
        while (this.readUntil(fd, st[GOT]! + 1, deadline, url)) {}
        this.bodyEnd = st[GOT]!;
        if (!head.close) head = { ...head, close: true };
      }
      return head;
    }
  }

  /** A chunked body from `start`, its chunks moved together in place (trailers read and dropped); the body's end. */
  private chunked(fd: number, start: number, deadline: number, url: URL): number {
    const st = this.state;
    const read = (need: number): void => {
      if (!this.readUntil(fd, need, deadline, url)) throw closedEarly();
    };
    let at = start;
    let out = start;
    const line = (): string => {
      let e = this.in.indexOf(LINE_END, at);
      while (e < 0 || e + 2 > st[GOT]!) {
        read(st[GOT]! + 1);
        e = this.in.indexOf(LINE_END, at);
      }
      const text = this.in.toString('latin1', at, e);
      at = e + 2;
      return text;
    };
    for (;;) {
      const sizeText = line();
      const semi = sizeText.indexOf(';');
      const size = Number.parseInt(semi < 0 ? sizeText : sizeText.slice(0, semi), 16);
      if (!(size >= 0)) throw notHttp();
      if (size === 0) {
        while (line() !== '') {} // trailers
        return out;
      }
      if (st[GOT]! < at + size + 2) read(at + size + 2);
      this.in.copy(this.in, out, at, at + size);
      out += size;
      at += size + 2;
    }
  }

  /** A hop as the main thread's client makes one (http-hop.ts): its answer and timings, or its error. */
  private made(chain: Chain, head: Head | null, body: Buffer | null, e: HopError | null, t: Times): Hop {
    // Once the answer is read and parsed, as the main thread's client ends a hop (k6's receiving is never 0).
    const tEnd = now();
    const send = t.send || tEnd;
    const sent = t.sent || send;
    const first = t.first || sent;
    const status = head ? head.status : 0;
    const hop: Hop = {
      method: chain.method,
      url: chain.urlText,
      status,
      statusText: head ? head.statusText : '',
      proto: status ? 'HTTP/1.1' : '',
      headers: head ? head.headers : {},
      body,
      timings: {
        blocked: (t.connectStart || send) - t.t0,
        connecting: t.connectEnd ? t.connectEnd - t.connectStart : 0,
        tls_handshaking: 0,
        sending: sent - send,
        waiting: first - sent,
        receiving: tEnd - first,
        duration: tEnd - send,
      },
      error: e ? e.error : '',
      errorCode: e ? e.code : 0,
      endMs: timeOrigin + tEnd,
      remoteIp: '',
      remotePort: 0,
      setCookie: head ? head.setCookie : [],
    };
    if (e) hop.errorDetail = e.detail;
    return hop;
  }
}

/** A response's head (status line and headers): canonical keys, repeated ones joined as undici's hops join them. */
function parseHead(text: string): Head | null {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  // HTTP/1.x NNN[ reason]
  const minor = text.charCodeAt(7);
  if (eol < 12 || !text.startsWith('HTTP/1.') || (minor !== 48 && minor !== 49) || text.charCodeAt(8) !== 32) return null;
  if (eol > 12 && text.charCodeAt(12) !== 32) return null;
  const status = Number(text.slice(9, 12));
  if (!(status >= 100)) return null;
  const head: Head = {
    status,
    statusText: eol > 13 ? text.slice(13, eol) : '',
    headers: {},
    setCookie: [],
    contentLength: -1,
    chunked: false,
    // HTTP/1.0 closes unless it says keep-alive
    close: minor === 48,
  };
  const headers = head.headers;
  for (let at = eol + 2; at < text.length; ) {
    let e = text.indexOf('\r\n', at);
    if (e < 0) e = text.length;
    const c = text.indexOf(':', at);
    if (c <= at || c > e) return null;
    const name = text.slice(at, c);
    let v = c + 1;
    while (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9) v++;
    const value = text.slice(v, e);
    at = e + 2;
    const k = canonicalHeader(name);
    headers[k] = headers[k] === undefined ? value : `${headers[k]}, ${value}`;
    if (k === 'Set-Cookie') head.setCookie.push(value);
    else if (k === 'Content-Length') {
      const n = Number(value.trim());
      if (!Number.isSafeInteger(n) || n < 0) return null;
      head.contentLength = n;
    } else if (k === 'Transfer-Encoding') head.chunked = /(^|,)\s*chunked\s*$/i.test(headers[k]!);
    else if (k === 'Connection') {
      const l = headers[k]!.toLowerCase();
      if (l.includes('close')) head.close = true;
      else if (l.includes('keep-alive')) head.close = false;
    }
  }
  return head;
}
