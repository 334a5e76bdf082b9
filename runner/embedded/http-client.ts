import { Agent, buildConnector } from 'undici';
import type { Socket } from 'node:net';
import { K6_ERROR_CODES } from '../k6/csv.ts';
import { splitUrlCredentials } from '../k6/url.ts';
import type { WireHttpRequest, WireTimings } from './protocol.ts';

/** One HTTP exchange (one hop of a redirect chain), as measured on the wire. */
export interface Hop {
  method: string;
  url: string;
  status: number;
  statusText: string;
  proto: string;
  headers: Record<string, string>;
  body: Buffer | null;
  timings: WireTimings;
  error: string;
  errorCode: number;
  /** Epoch ms at the end of the exchange: the time of its samples. */
  endMs: number;
  remoteIp: string;
  remotePort: number;
  /** k6's tls_version tag (https only). */
  tlsVersion?: string;
  /** Raw Set-Cookie lines, and the cookies kept from them. */
  setCookie: string[];
  cookies?: Record<string, string[]>;
}

const now = (): number => performance.now();

/** Go's canonical header key ("content-type" → "Content-Type"), as k6 shows headers. */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

class TransportError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/** Maps a Node/undici error to k6's error text and code (runner/k6/csv.ts K6_ERROR_CODES). */
export function classifyError(e: unknown, url: URL): { error: string; code: number } {
  if (e instanceof TransportError) return { error: e.message, code: e.code };
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const addr = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  switch (code) {
    case 'ECONNREFUSED':
      return { error: `dial tcp ${addr}: connect: connection refused`, code: K6_ERROR_CODES.tcpDialRefused };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { error: `dial tcp ${addr}: i/o timeout`, code: K6_ERROR_CODES.tcpDialTimeout };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: `lookup ${url.hostname}: no such host`, code: K6_ERROR_CODES.dnsNoIp };
    case 'ECONNRESET':
      return { error: `read tcp ${addr}: read: connection reset by peer`, code: K6_ERROR_CODES.tcpResetByPeer };
    case 'EPIPE':
      return { error: `write tcp ${addr}: write: broken pipe`, code: K6_ERROR_CODES.tcpBrokenPipe };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { error: `tls: certificate is not valid for ${url.hostname}`, code: K6_ERROR_CODES.tlsHostnameMismatch };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_HAS_EXPIRED':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return { error: `x509: certificate signed by unknown authority (${code})`, code: K6_ERROR_CODES.tlsUnknownAuthority };
    default:
      if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) return { error: `tls: ${err.message ?? code}`, code: K6_ERROR_CODES.tlsGeneric };
      return { error: err.message ?? String(e), code: K6_ERROR_CODES.generic };
  }
}

const USER_AGENT = 'k6-embedded/0.1.0 (k6 v0.48 compatible)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A VU's HTTP client: its own connection pool (k6 gives each VU its own connections), so that a
 * connection opened during a request is that request's connect time, and the bytes moved on the
 * VU's sockets are the VU's data_sent / data_received.
 */
export class VuHttp {
  private readonly agent: Agent;
  /** The VU's cookie jar: host → cookie name → value (k6 empties it at each iteration). */
  private jar = new Map<string, Map<string, string>>();
  private lastConnect: { start: number; tcp: number; tls: number } | null = null;
  private readonly live = new Set<Socket>();
  private closedRead = 0;
  private closedWritten = 0;

  /** k6's insecureSkipTLSVerify; set from the script's options before the first request. */
  insecureSkipTLSVerify = false;
  /** TLS version of the last connection to each origin, as k6's tls_version tag (tls1.3). */
  private readonly tlsVersions = new Map<string, string>();

  constructor() {
    const verified = buildConnector({ timeout: 60_000 });
    const insecure = buildConnector({ timeout: 60_000, rejectUnauthorized: false });
    this.agent = new Agent({
      pipelining: 1,
      connect: (opts, cb) => {
        const start = now();
        let tcp = 0;
        const base = this.insecureSkipTLSVerify ? insecure : verified;
        const socket = base(opts, (err, s) => {
          const end = now();
          if (!err && s) {
            this.lastConnect = { start, tcp: tcp || end, tls: end };
            const proto = (s as { getProtocol?: () => string | null }).getProtocol?.();
            if (proto) this.tlsVersions.set(`${opts.protocol}//${opts.hostname}:${opts.port || 443}`, proto.replace(/^TLSv/, 'tls'));
            const sock = s as Socket;
            this.live.add(sock);
            sock.once('close', () => {
              this.closedRead += sock.bytesRead;
              this.closedWritten += sock.bytesWritten;
              this.live.delete(sock);
            });
          }
          (cb as (e: Error | null, s: unknown) => void)(err, s);
        });
        (socket as unknown as Socket).once('connect', () => (tcp = now()));
        return socket;
      },
    });
  }

  resetCookies(): void {
    this.jar.clear();
  }

  private cookieHeader(url: string): string | null {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return null;
    }
    const pairs: string[] = [];
    for (const [domain, cookies] of this.jar) {
      if (host === domain || host.endsWith(`.${domain}`)) for (const [k, v] of cookies) pairs.push(`${k}=${v}`);
    }
    return pairs.length ? pairs.join('; ') : null;
  }

  /** Keeps the cookies a response set (name=value; Domain honoured, Path and expiry not). */
  private keepCookies(url: string, setCookie: string[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return out;
    }
    for (const line of setCookie) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const domainAttr = attrs.map((a) => a.trim()).find((a) => /^domain=/i.test(a));
      const domain = domainAttr ? domainAttr.slice(7).replace(/^\./, '').toLowerCase() : host;
      const expired = attrs.some((a) => /^\s*max-age=\s*(0|-\d+)\s*$/i.test(a));
      let jar = this.jar.get(domain);
      if (!jar) this.jar.set(domain, (jar = new Map()));
      if (expired) jar.delete(name);
      else jar.set(name, value);
      (out[name] ??= []).push(value);
    }
    return out;
  }

  /** Bytes read and written on this VU's sockets so far. */
  bytes(): { read: number; written: number } {
    let read = this.closedRead;
    let written = this.closedWritten;
    for (const s of this.live) {
      read += s.bytesRead;
      written += s.bytesWritten;
    }
    return { read, written };
  }

  /** Runs a request and its redirects; resolves with every hop (never rejects). */
  async request(req: WireHttpRequest, signal: AbortSignal): Promise<Hop[]> {
    const hops: Hop[] = [];
    let method = req.method;
    let body: Buffer | string | null = req.body === null ? null : req.bodyBase64 ? Buffer.from(req.body, 'base64') : req.body;
    const headers: Record<string, string> = { ...req.headers };
    const has = (name: string): boolean => Object.keys(headers).some((h) => h.toLowerCase() === name);
    if (!has('user-agent')) headers['User-Agent'] = USER_AGENT;
    // As k6 (Go's client): credentials in the URL become Basic auth, unless the script set its own.
    const { url: plainUrl, authorization } = splitUrlCredentials(req.url);
    if (authorization && !has('authorization')) headers.Authorization = authorization;
    let urlText = plainUrl;
    const userCookie = Object.keys(headers).find((h) => h.toLowerCase() === 'cookie');
    for (let redirects = 0; ; redirects++) {
      const jarCookie = userCookie ? null : this.cookieHeader(urlText);
      if (jarCookie) headers.Cookie = jarCookie;
      else if (!userCookie) delete headers.Cookie;
      const hop = await this.once(method, urlText, headers, body, req.timeoutMs, signal);
      if (hop.setCookie.length) hop.cookies = this.keepCookies(urlText, hop.setCookie);
      hops.push(hop);
      if (signal.aborted) return hops;
      const location = hop.headers.Location;
      if (!REDIRECT_STATUSES.has(hop.status) || !location || redirects >= req.redirects) return hops;
      try {
        urlText = new URL(location, urlText).toString();
      } catch {
        return hops; // A Location that is no URL: the 3xx is the response, as an unfollowed redirect.
      }
      if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
        for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
      }
    }
  }

  private once(method: string, urlText: string, headers: Record<string, string>, body: Buffer | string | null, timeoutMs: number, signal: AbortSignal): Promise<Hop> {
    const t0 = now();
    const connectBefore = this.lastConnect;
    return new Promise<Hop>((resolve) => {
      let url: URL;
      const failed = (e: unknown, u: URL | null): void => {
        const { error, code } = u ? classifyError(e, u) : { error: `invalid URL "${urlText}"`, code: K6_ERROR_CODES.invalidUrl };
        finish(0, '', {}, null, error, code);
      };
      let tSend = 0;
      let tSent = 0;
      let tFirst = 0;
      let done = false;
      let abortFn: ((e: Error) => void) | null = null;
      const chunks: Buffer[] = [];
      let status = 0;
      let statusText = '';
      let resHeaders: Record<string, string> = {};
      const setCookie: string[] = [];
      const finish = (st: number, stText: string, hdrs: Record<string, string>, b: Buffer | null, error: string, errorCode: number): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const tEnd = now();
        if (!tSend) tSend = tEnd;
        if (!tSent) tSent = tSend;
        if (!tFirst) tFirst = tSent;
        const c = this.lastConnect !== connectBefore && this.lastConnect && this.lastConnect.start >= t0 ? this.lastConnect : null;
        const timings: WireTimings = {
          blocked: tSend - t0,
          connecting: c ? c.tcp - c.start : 0,
          tls_handshaking: c && urlText.startsWith('https:') ? c.tls - c.tcp : 0,
          sending: tSent - tSend,
          waiting: tFirst - tSent,
          receiving: tEnd - tFirst,
          duration: tEnd - tSend,
        };
        // Handed over after the other sockets' reads of this loop turn: their timings are taken
        // before this response's samples, reply and VU wake-up are processed (bursts of VUs).
        const tlsVersion = urlText.startsWith('https:') && url ? this.tlsVersions.get(`https://${url.hostname}:${url.port || 443}`) : undefined;
        const hop: Hop = {
          ...(tlsVersion ? { tlsVersion } : {}),
          method, url: urlText, status: st, statusText: stText, proto: st ? 'HTTP/1.1' : '', headers: hdrs, body: b,
          timings, error, errorCode, endMs: performance.timeOrigin + tEnd, remoteIp: '', remotePort: 0, setCookie,
        };
        setImmediate(resolve, hop);
      };
      // finish() before abort: aborting calls onError at once, which would record the abort as
      // a generic error (1000) instead of k6's timeout (1050) or cancellation.
      const timer = setTimeout(() => {
        finish(0, '', {}, null, 'request timeout', K6_ERROR_CODES.requestTimeout);
        abortFn?.(new Error('request timeout'));
      }, timeoutMs);
      const onAbort = (): void => {
        finish(0, '', {}, null, 'context canceled', K6_ERROR_CODES.generic);
        abortFn?.(new Error('interrupted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        url = new URL(urlText);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('unsupported protocol');
      } catch {
        failed(null, null);
        return;
      }
      const u = url;
      this.agent.dispatch(
        { origin: u.origin, path: u.pathname + u.search, method, headers, body },
        {
          onConnect(abort: (e?: Error) => void) {
            abortFn = abort;
            tSend = now();
          },
          onRequestSent() {
            tSent = now();
          },
          onResponseStarted() {
            tFirst = now();
          },
          onHeaders(statusCode: number, raw: Buffer[], _resume: () => void, text: string) {
            if (statusCode < 200) return true;
            if (!tFirst) tFirst = now();
            status = statusCode;
            statusText = text;
            const h: Record<string, string> = {};
            for (let i = 0; i + 1 < raw.length; i += 2) {
              const k = canonicalHeader(raw[i]!.toString('latin1'));
              const v = raw[i + 1]!.toString('latin1');
              if (k === 'Set-Cookie') setCookie.push(v);
              h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
            }
            resHeaders = h;
            return true;
          },
          onData(chunk: Buffer) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            finish(status, statusText, resHeaders, Buffer.concat(chunks), '', 0);
          },
          onError(e: Error) {
            failed(e, u);
          },
        } as never,
      );
    });
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
