/**
 * A VU's HTTP client on the main thread: its connections, cookie jar and byte counts; a request
 * with its digest answer and redirects as Go's client (k6's) follows them. Each hop: http-hop.ts.
 */
import { Agent, buildConnector } from 'undici';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { CookieJar } from 'tough-cookie';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './options.ts';
import { cookieHeader, jarCall, jarFromWire, jarToWire, newJar, responseCookies, storeCookies } from './cookies.ts';
import { digestAuthorization, parseDigestChallenge } from './digest.ts';
import { HopCall, type ConnectTimes, type Hop } from './http-hop.ts';
import { followRedirect, startChain } from './request-chain.ts';
import type { WireHttpRequest, WireJar, WireJarCall } from './protocol.ts';

const now = (): number => performance.now();

/** What one request (with its redirects and digest answer) gave. */
export interface Exchange {
  hops: Hop[];
  /** The script's own jar after the exchange (when the request sent one). */
  jar?: WireJar;
  /** Redirects followed when the default limit stopped the chain (k6 warns then). */
  stoppedAfter?: number;
  /** Cookies went into the VU's jar. */
  jarChanged?: boolean;
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

  /**
   * Runs a request, its digest answer and its redirects; resolves with every hop (never rejects).
   * `prior`: the hops the VU already made on its own sockets (socket-http.ts): their cookies are
   * kept and the chain goes on after them.
   */
  async request(req: WireHttpRequest, signal: AbortSignal, prior: readonly Hop[] = []): Promise<Exchange> {
    const hops: Hop[] = [];
    const start = startChain(req, this.options.userAgent);
    const { chain, digest } = start;
    let { ownCookie } = start;
    const localJar = req.jar ? jarFromWire(req.jar) : null;
    const cookies = req.cookies;
    let jarChanged = false;
    const done = (stoppedAfter?: number): Exchange => ({
      hops,
      ...(localJar ? { jar: jarToWire(localJar) } : {}),
      ...(stoppedAfter ? { stoppedAfter } : {}),
      ...(jarChanged ? { jarChanged } : {}),
    });
    for (let redirects = 0; ; redirects++) {
      let url: URL | null = null;
      try {
        url = new URL(chain.urlText);
      } catch {
        // once() reports it as k6's invalid URL error.
      }
      let hop = prior[redirects];
      if (!hop) {
        const { method, urlText, headers, body } = chain;
        const jar = localJar ?? this.jar;
        if (url && (ownCookie || cookies || jar)) {
          const c = cookieHeader(ownCookie, cookies, jar, url);
          if (c) headers.Cookie = c;
          else delete headers.Cookie;
        }
        hop = await this.once(method, url, urlText, headers, body, req.timeoutMs, signal);
        const answer = digest && url && hop.status === 401 && !signal.aborted ? VuHttp.digestAnswer(hop, method, url, digest, body) : null;
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
        jarChanged ||= !localJar;
      }
      hops.push(hop);
      if (signal.aborted || !url) return done();
      const next = followRedirect(chain, hop, url, redirects, req.redirects);
      if (next === 'done') return done();
      if (next === 'stopped') return done(req.defaultRedirects ? redirects : undefined);
      // k6 rebuilds the Cookie header of each redirect from the jar and params.cookies, without the script's own.
      ownCookie = undefined;
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
