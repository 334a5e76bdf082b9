import { Agent, buildConnector } from 'undici';
import type { Socket } from 'node:net';
import { K6_ERROR_CODES } from '../formats/k6/csv.ts';
import { randomBytes } from 'node:crypto';
import type { CookieJar } from 'tough-cookie';
import { splitUrlCredentials, urlCredentials } from '../formats/k6/url.ts';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './options.ts';
import { cookieHeader, jarCall, jarFromWire, jarToWire, newJar, responseCookies, storeCookies } from './cookies.ts';
import { digestAuthorization, parseDigestChallenge } from './digest.ts';
import type { WireCookie, WireHttpRequest, WireJar, WireJarCall, WireTimings } from './protocol.ts';

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
  /** Raw Set-Cookie lines, and the cookies they set as k6's res.cookies shows them. */
  setCookie: string[];
  cookies?: Record<string, WireCookie[]>;
  /** A transport error as Go words it (k6's "Request Failed" warning). */
  errorDetail?: string;
}

const now = (): number => performance.now();

/** Go's canonical header key ("content-type" → "Content-Type"), as k6 shows headers. */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

class TransportError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * A Node/undici error as k6 words it: `error` is k6's message (res.error, the `error` tag),
 * `detail` Go's (the "Request Failed" warning, what `throw: true` throws). Codes: formats/k6/csv.ts.
 */
export function classifyError(e: unknown, url: URL): { error: string; code: number; detail: string } {
  if (e instanceof TransportError) return { error: e.message, code: e.code, detail: e.message };
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const addr = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  switch (code) {
    case 'ECONNREFUSED':
      return {
        error: 'dial: connection refused',
        code: K6_ERROR_CODES.tcpDialRefused,
        detail: `dial tcp ${addr}: connect: connection refused`,
      };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { error: 'dial: i/o timeout', code: K6_ERROR_CODES.tcpDialTimeout, detail: `dial tcp ${addr}: i/o timeout` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: 'lookup: no such host', code: K6_ERROR_CODES.dnsNoIp, detail: `dial tcp: lookup ${url.hostname}: no such host` };
    case 'ECONNRESET':
      return {
        error: 'read: connection reset by peer',
        code: K6_ERROR_CODES.tcpResetByPeer,
        detail: `read tcp ${addr}: read: connection reset by peer`,
      };
    case 'EPIPE':
      return { error: 'write: broken pipe', code: K6_ERROR_CODES.tcpBrokenPipe, detail: `write tcp ${addr}: write: broken pipe` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        error: "x509: certificate doesn't match hostname",
        code: K6_ERROR_CODES.tlsHostnameMismatch,
        detail: `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`,
      };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_HAS_EXPIRED':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        error: 'x509: unknown authority',
        code: K6_ERROR_CODES.tlsUnknownAuthority,
        detail: `tls: failed to verify certificate: x509: certificate signed by unknown authority (${code})`,
      };
    default: {
      const msg = err.message ?? String(e);
      if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
        return { error: `tls: ${msg}`, code: K6_ERROR_CODES.tlsGeneric, detail: `tls: ${msg}` };
      return { error: msg, code: K6_ERROR_CODES.generic, detail: msg };
    }
  }
}

/** Go's url.Error operation for a method (`Get`, `Post`): how a failed request is named in k6's log and thrown errors. */
export const goErrorOp = (method: string): string => method.charAt(0) + method.slice(1).toLowerCase();

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The same host or one of its subdomains: where Go's client forwards Authorization on a redirect. */
const sameDomain = (from: string, to: string): boolean => to === from || to.endsWith(`.${from}`);

/** What one request (with its redirects and digest answer) gave. */
export interface Exchange {
  hops: Hop[];
  /** The script's own jar after the exchange (when the request sent one). */
  jar?: WireJar;
  /** Redirects followed when the default limit stopped the chain (k6 warns then). */
  stoppedAfter?: number;
}

/**
 * A VU's HTTP client: its own connection pool (k6 gives each VU its own connections), so that a
 * connection opened during a request is that request's connect time, and the bytes moved on the
 * VU's sockets are the VU's data_sent / data_received.
 */
export class VuHttp {
  private agent: Agent;
  /** The VU's cookie jar, made at its first cookie (no cookie work for a test without cookies); k6 empties it at each iteration. */
  private jar: CookieJar | null = null;
  private lastConnect: { start: number; tcp: number; tls: number } | null = null;
  private readonly live = new Set<Socket>();
  private closedRead = 0;
  private closedWritten = 0;
  /** TLS version of the last connection to each origin, as k6's tls_version tag (tls1.3). */
  private readonly tlsVersions = new Map<string, string>();
  private options: HttpOptions = DEFAULT_HTTP_OPTIONS;

  constructor() {
    this.agent = this.newAgent();
  }

  /** The script's HTTP options; set before the VU's first request. */
  configure(options: HttpOptions): void {
    this.options = options;
  }

  private newAgent(): Agent {
    const verified = buildConnector({ timeout: 60_000 });
    const insecure = buildConnector({ timeout: 60_000, rejectUnauthorized: false });
    return new Agent({
      pipelining: 1,
      connect: (opts, cb) => {
        const start = now();
        let tcp = 0;
        const o = this.options;
        const base = o.insecureSkipTLSVerify ? insecure : verified;
        // options.hosts: connect elsewhere, the request (Host header, TLS name) unchanged.
        const to = o.hosts.size ? (o.hosts.get(`${opts.hostname}:${opts.port}`) ?? o.hosts.get(opts.hostname)) : undefined;
        const target = to ? { ...opts, hostname: to.host, port: to.port ?? opts.port, servername: opts.servername ?? opts.hostname } : opts;
        const socket = base(target, (err, s) => {
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

  /** An iteration starts: an empty cookie jar (as k6), and new connections under noVUConnectionReuse. */
  newIteration(): void {
    this.jar = null;
    if (this.options.noVUConnectionReuse) {
      const old = this.agent;
      this.agent = this.newAgent();
      void old.close();
    }
  }

  /** A k6 CookieJar method on the VU's jar, or on the script's own jar (`wire`), returned updated. */
  jarCall(wire: WireJar | null, call: WireJarCall): { cookies?: Record<string, string[]>; jar?: WireJar } {
    const jar = wire ? jarFromWire(wire) : (this.jar ??= newJar());
    const cookies = jarCall(jar, call);
    return { ...(cookies ? { cookies } : {}), ...(wire ? { jar: jarToWire(jar) } : {}) };
  }

  /** Runs the requests of one http.batch(): options.batch at a time, options.batchPerHost to one host. */
  async batch<T>(reqs: readonly WireHttpRequest[], run: (r: WireHttpRequest) => Promise<T>): Promise<T[]> {
    const { batch, batchPerHost } = this.options;
    const out = new Array<T>(reqs.length);
    const perHost = new Map<string, number>();
    const hostOf = (u: string): string => /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]*)/i.exec(u)?.[1]?.toLowerCase() ?? u;
    const waiting = reqs.map((r, i) => ({ i, host: hostOf(r.url) }));
    let running = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        if (!waiting.length && !running) {
          resolve();
          return;
        }
        for (let k = 0; k < waiting.length && (!batch || running < batch); ) {
          const w = waiting[k]!;
          const n = perHost.get(w.host) ?? 0;
          if (batchPerHost && n >= batchPerHost) {
            k++;
            continue;
          }
          waiting.splice(k, 1);
          perHost.set(w.host, n + 1);
          running++;
          run(reqs[w.i]!).then((r) => {
            out[w.i] = r;
            running--;
            perHost.set(w.host, perHost.get(w.host)! - 1);
            pump();
          }, reject);
        }
      };
      pump();
    });
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

  /** Runs a request, its digest answer and its redirects; resolves with every hop (never rejects). */
  async request(req: WireHttpRequest, signal: AbortSignal): Promise<Exchange> {
    const hops: Hop[] = [];
    let method = req.method;
    let body: Buffer | string | null = req.body === null ? null : req.bodyBase64 ? Buffer.from(req.body, 'base64') : req.body;
    const headers: Record<string, string> = { ...req.headers };
    let ownCookie: string | undefined;
    let hasUa = false;
    let hasAuth = false;
    for (const h in headers) {
      const l = h.toLowerCase();
      if (l === 'user-agent') hasUa = true;
      else if (l === 'authorization') hasAuth = true;
      else if (l === 'cookie') {
        // Sent with the cookies of params and the jar (k6 adds them to the script's header).
        ownCookie = headers[h];
        delete headers[h];
      }
    }
    if (!hasUa && this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    // As k6 (Go's client): credentials in the URL become Basic auth, unless the script set its own
    // Authorization or asked for digest (then they answer the server's challenge).
    const { url: plainUrl, authorization } = splitUrlCredentials(req.url);
    let digest: { username: string; password: string } | null = null;
    if (req.auth === 'digest' && authorization) digest = urlCredentials(new URL(req.url));
    else if (authorization && !hasAuth) headers.Authorization = authorization;
    const localJar = req.jar ? jarFromWire(req.jar) : null;
    const cookies = req.cookies;
    let urlText = plainUrl;
    let firstHost = '';
    const done = (stoppedAfter?: number): Exchange => ({
      hops,
      ...(localJar ? { jar: jarToWire(localJar) } : {}),
      ...(stoppedAfter ? { stoppedAfter } : {}),
    });
    for (let redirects = 0; ; redirects++) {
      let url: URL | null = null;
      try {
        url = new URL(urlText);
      } catch {
        // once() reports it as k6's invalid URL error.
      }
      const jar = localJar ?? this.jar;
      if (url && (ownCookie || cookies || jar)) {
        const c = cookieHeader(ownCookie, cookies, jar, url);
        if (c) headers.Cookie = c;
        else delete headers.Cookie;
      }
      let hop = await this.once(method, url, urlText, headers, body, req.timeoutMs, signal);
      if (digest && url && hop.status === 401 && !signal.aborted) {
        const challenge = parseDigestChallenge(hop.headers['Www-Authenticate'] ?? '');
        const answer =
          challenge &&
          digestAuthorization(challenge, {
            method,
            uri: url.pathname + url.search,
            ...digest,
            cnonce: randomBytes(16).toString('hex'),
            body,
          });
        if (answer) {
          hops.push(hop);
          headers.Authorization = answer;
          hop = await this.once(method, url, urlText, headers, body, req.timeoutMs, signal);
          // The answer fits this URL only: a redirect's target gets its own challenge.
          delete headers.Authorization;
        }
      }
      if (hop.setCookie.length && url) {
        hop.cookies = responseCookies(hop.setCookie);
        storeCookies(localJar ?? (this.jar ??= newJar()), url, hop.setCookie);
      }
      hops.push(hop);
      if (signal.aborted || !url) return done();
      const location = hop.headers.Location;
      if (!REDIRECT_STATUSES.has(hop.status) || !location) return done();
      if (redirects >= req.redirects) return done(req.defaultRedirects ? redirects : undefined);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return done(); // A Location that is no URL: the 3xx is the response, as an unfollowed redirect.
      }
      firstHost ||= url.hostname;
      // Go's client: Authorization goes on only to the same domain or its subdomains; k6 rebuilds
      // the Cookie header of each redirect from the jar and params.cookies, without the script's own.
      if (!sameDomain(firstHost, next.hostname))
        for (const h of Object.keys(headers)) if (h.toLowerCase() === 'authorization') delete headers[h];
      ownCookie = undefined;
      urlText = next.href;
      // Go's rules: 301, 302 and 303 go on as GET without the body; 307 and 308 repeat the request.
      if ((hop.status === 301 || hop.status === 302 || hop.status === 303) && method !== 'GET' && method !== 'HEAD') {
        method = 'GET';
        body = null;
        for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
      }
    }
  }

  private once(
    method: string,
    parsed: URL | null,
    urlText: string,
    headers: Record<string, string>,
    body: Buffer | string | null,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Hop> {
    const t0 = now();
    const connectBefore = this.lastConnect;
    return new Promise<Hop>((resolve) => {
      const url = parsed;
      const failed = (e: unknown, u: URL | null): void => {
        const { error, code, detail } = u
          ? classifyError(e, u)
          : { error: 'invalid URL', code: K6_ERROR_CODES.invalidUrl, detail: `parse "${urlText}": invalid URL` };
        finish(0, '', {}, null, error, code, detail);
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
      const finish = (
        st: number,
        stText: string,
        hdrs: Record<string, string>,
        b: Buffer | null,
        error: string,
        errorCode: number,
        errorDetail?: string,
      ): void => {
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
        const tlsVersion =
          urlText.startsWith('https:') && url ? this.tlsVersions.get(`https://${url.hostname}:${url.port || 443}`) : undefined;
        const hop: Hop = {
          ...(tlsVersion ? { tlsVersion } : {}),
          method,
          url: urlText,
          status: st,
          statusText: stText,
          proto: st ? 'HTTP/1.1' : '',
          headers: hdrs,
          body: b,
          timings,
          error,
          errorCode,
          endMs: performance.timeOrigin + tEnd,
          remoteIp: '',
          remotePort: 0,
          setCookie,
          ...(errorDetail ? { errorDetail } : {}),
        };
        setImmediate(resolve, hop);
      };
      // finish() before abort: aborting calls onError at once, which would record the abort as
      // a generic error (1000) instead of k6's timeout (1050) or cancellation.
      const timer = setTimeout(() => {
        finish(0, '', {}, null, 'request timeout', K6_ERROR_CODES.requestTimeout, 'context deadline exceeded');
        abortFn?.(new Error('request timeout'));
      }, timeoutMs);
      const onAbort = (): void => {
        finish(0, '', {}, null, 'context canceled', K6_ERROR_CODES.generic);
        abortFn?.(new Error('interrupted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (!url) return failed(null, null);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        finish(0, '', {}, null, `unsupported protocol scheme "${url.protocol.slice(0, -1)}"`, K6_ERROR_CODES.generic);
        return;
      }
      const u = url;
      this.agent.dispatch(
        {
          origin: u.origin,
          path: u.pathname + u.search,
          method,
          headers,
          body,
          ...(this.options.noConnectionReuse ? { reset: true } : {}),
        },
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
