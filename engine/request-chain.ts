/**
 * A request's chain of hops as Go's client (k6's) makes it: its first headers and its redirect
 * rules, for both ways a VU's request is sent: the main thread's client (http-client.ts) and the
 * VU's own sockets (socket-http.ts).
 */
import { splitUrlCredentials, urlCredentials } from '../formats/k6/url.ts';
import type { WireHttpRequest } from './protocol.ts';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The same host or one of its subdomains: where Go's client forwards Authorization on a redirect. */
const sameDomain = (from: string, to: string): boolean => to === from || to.endsWith(`.${from}`);

/** The request a chain sends next, updated in place as it is redirected. */
export interface Chain {
  method: string;
  urlText: string;
  headers: Record<string, string>;
  body: Buffer | string | null;
  /** The first hop's host ('' until the first redirect). */
  firstHost: string;
}

/** The first hop's headers: the User-Agent, credentials from the URL, the script's own Cookie set apart. */
function firstHeaders(
  req: WireHttpRequest,
  userAgent: string,
): {
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
  if (!hasUa && userAgent) headers['User-Agent'] = userAgent;
  // As k6 (Go's client): credentials in the URL become Basic auth, unless the script set its own
  // Authorization or asked for digest (then they answer the server's challenge).
  const { url: urlText, authorization } = splitUrlCredentials(req.url);
  let digest: { username: string; password: string } | null = null;
  if (req.auth === 'digest' && authorization) digest = urlCredentials(new URL(req.url));
  else if (authorization && !hasAuth) headers.Authorization = authorization;
  return { headers, ownCookie, digest, urlText };
}

/** A request's chain as its first hop sends it; the script's own Cookie and digest credentials set apart. */
export function startChain(
  req: WireHttpRequest,
  userAgent: string,
): { chain: Chain; ownCookie: string | undefined; digest: { username: string; password: string } | null } {
  const first = firstHeaders(req, userAgent);
  return {
    chain: {
      method: req.method,
      urlText: first.urlText,
      headers: first.headers,
      body: req.body === null ? null : req.bodyBase64 ? Buffer.from(req.body, 'base64') : req.body,
      firstHost: '',
    },
    ownCookie: first.ownCookie,
    digest: first.digest,
  };
}

/**
 * After a hop from `url`, the `redirects`-th of its chain: `follow` (the chain now holds the next
 * request), `done` (the hop is the response), or `stopped` (a redirect the limit did not follow).
 */
export function followRedirect(
  chain: Chain,
  hop: { status: number; headers: Record<string, string> },
  url: URL,
  redirects: number,
  limit: number,
): 'follow' | 'done' | 'stopped' {
  const location = hop.headers.Location;
  if (!REDIRECT_STATUSES.has(hop.status) || !location) return 'done';
  if (redirects >= limit) return 'stopped';
  let next: URL;
  try {
    next = new URL(location, url);
  } catch {
    return 'done'; // A Location that is no URL: the 3xx is the response, as an unfollowed redirect.
  }
  chain.firstHost ||= url.hostname;
  const { headers } = chain;
  // Go's client: Authorization goes on only to the same domain or its subdomains.
  if (!sameDomain(chain.firstHost, next.hostname))
    for (const h of Object.keys(headers)) if (h.toLowerCase() === 'authorization') delete headers[h];
  chain.urlText = next.href;
  // Go's rules: 301, 302 and 303 go on as GET without the body; 307 and 308 repeat the request.
  if ((hop.status === 301 || hop.status === 302 || hop.status === 303) && chain.method !== 'GET' && chain.method !== 'HEAD') {
    chain.method = 'GET';
    chain.body = null;
    for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
  }
  return 'follow';
}
