/**
 * A VU's HTTP client on the main thread: its connections, cookie jar and byte counts; a request
 * with its digest answer and redirects as Go's client (k6's) follows them. Each hop: http-hop.ts.
 */
import { Agent, buildConnector } from 'undici';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { CookieJar } from 'tough-cookie';
import { splitUrlCredentials, urlCredentials } from '../formats/k6/url.ts';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './options.ts';
import { cookieHeader, jarCall, jarFromWire, jarToWire, newJar, responseCookies, storeCookies } from './cookies.ts';
import { digestAuthorization, parseDigestChallenge } from './digest.ts';
import { HopCall, type ConnectTimes, type Hop } from './http-hop.ts';
import type { WireHttpRequest, WireJar, WireJarCall } from './protocol.ts';

const now = (): number => performance.now();

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
  /** The times of the last connection the VU opened (a hop opened it when it started during the hop). */
  lastConnect: ConnectTimes | null = null;
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

  /** The first hop's headers: the User-Agent, credentials from the URL, the script's own Cookie set apart. */
  private firstHeaders(req: WireHttpRequest): {
    headers: Record<string, string>;
    ownCookie: string | undefined;
    digest: { username: string; password: string } | null;
    urlText: string;
  } {
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
    const { url: urlText, authorization } = splitUrlCredentials(req.url);
    let digest: { username: string; password: string } | null = null;
    if (req.auth === 'digest' && authorization) digest = urlCredentials(new URL(req.url));
    else if (authorization && !hasAuth) headers.Authorization = authorization;
    return { headers, ownCookie, digest, urlText };
  }

  /** The Authorization answering a 401's digest challenge, or null when the 401 has none this engine answers. */
  private static digestAnswer(
    hop: Hop,
    method: string,
    url: URL,
    digest: { username: string; password: string },
    body: Buffer | string | null,
  ): string | null {
    const challenge = parseDigestChallenge(hop.headers['Www-Authenticate'] ?? '');
    return (
      (challenge &&
        digestAuthorization(challenge, {
          method,
          uri: url.pathname + url.search,
          ...digest,
          cnonce: randomBytes(16).toString('hex'),
          body,
        })) ||
      null
    );
  }

  /** Runs a request, its digest answer and its redirects; resolves with every hop (never rejects). */
  async request(req: WireHttpRequest, signal: AbortSignal): Promise<Exchange> {
    const hops: Hop[] = [];
    let method = req.method;
    let body: Buffer | string | null = req.body === null ? null : req.bodyBase64 ? Buffer.from(req.body, 'base64') : req.body;
    let { headers, ownCookie, digest, urlText } = this.firstHeaders(req);
    const localJar = req.jar ? jarFromWire(req.jar) : null;
    const cookies = req.cookies;
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
      const answer = digest && url && hop.status === 401 && !signal.aborted ? VuHttp.digestAnswer(hop, method, url, digest, body) : null;
      if (answer) {
        hops.push(hop);
        headers.Authorization = answer;
        hop = await this.once(method, url, urlText, headers, body, req.timeoutMs, signal);
        // The answer fits this URL only: a redirect's target gets its own challenge.
        delete headers.Authorization;
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
    url: URL | null,
    urlText: string,
    headers: Record<string, string>,
    body: Buffer | string | null,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Hop> {
    const reset = this.options.noConnectionReuse;
    return HopCall.send(this.agent, this, { method, url, urlText, headers, body, timeoutMs, reset }, signal);
  }

  /** TLS version of the last connection to an origin (`https://host:443`), as k6's tls_version tag. */
  tlsVersion(origin: string): string | undefined {
    return this.tlsVersions.get(origin);
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
