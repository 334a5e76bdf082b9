/**
 * Cookie jars as k6 keeps them (Go's net/http/cookiejar, RFC 6265), over tough-cookie: the VU's
 * own jar on the main thread, and the jars a script makes, which travel as data with the calls
 * that use them (so a jar made in every iteration leaves nothing behind on the main thread).
 */
import { Cookie, CookieJar, defaultPath, parseDate, type SerializedCookieJar } from 'tough-cookie';
import type { WireCookie, WireJar, WireJarCall } from './protocol.ts';

/** Go's zero time.Time in Unix ms (its UnixNano overflows int64): k6's `expires` of a cookie without one. */
export const GO_ZERO_EXPIRES = -6795364578871;

/** As Go's jar: a Secure cookie is kept whatever the scheme it came on (it is sent on https only, see jarCookies). */
const JAR_OPTIONS = { enforceSecureOriginOnStorage: false } as const;

export function newJar(): CookieJar {
  return new CookieJar(undefined, JAR_OPTIONS);
}

export function jarFromWire(cookies: WireJar): CookieJar {
  const base = newJar().serializeSync() as SerializedCookieJar;
  return CookieJar.deserializeSync({ ...base, cookies: cookies as SerializedCookieJar['cookies'] });
}

export function jarToWire(jar: CookieJar): WireJar {
  return (jar.serializeSync() as SerializedCookieJar).cookies;
}

/** The jar's cookies for a URL as Go's jar gives them: longest path first, Secure ones on https only. */
function jarCookies(jar: CookieJar, url: URL): Cookie[] {
  const https = url.protocol === 'https:';
  return jar.getCookiesSync(url, { sort: true }).filter((c) => https || !c.secure);
}

/**
 * One request's Cookie header, as k6's SetRequestCookies: the script's own header, then
 * params.cookies, then the jar's cookies but those that params.cookies replace.
 */
export function cookieHeader(
  own: string | undefined,
  params: ReadonlyArray<[string, string, boolean]> | undefined,
  jar: CookieJar | null,
  url: URL,
): string | null {
  const parts: string[] = own ? [own] : [];
  let replaced: Set<string> | null = null;
  for (const [name, value, replace] of params ?? []) {
    parts.push(`${name}=${value}`);
    if (replace) (replaced ??= new Set()).add(name);
  }
  if (jar) for (const c of jarCookies(jar, url)) if (!replaced?.has(c.key)) parts.push(`${c.key}=${c.value}`);
  return parts.length ? parts.join('; ') : null;
}

/** Keeps a response's Set-Cookie lines; those the jar refuses (another domain, a public suffix) are dropped, as Go does. */
export function storeCookies(jar: CookieJar, url: URL, lines: readonly string[]): void {
  for (const line of lines) jar.setCookieSync(line, url, { ignoreError: true });
}

/** A Set-Cookie line as k6's res.cookies shows it (Go's http.Cookie: Max-Age 0 is -1, absent is 0). */
export function k6Cookie(c: Cookie): WireCookie {
  const maxAge = typeof c.maxAge === 'number' ? (c.maxAge > 0 ? c.maxAge : -1) : 0;
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? '',
    path: c.path ?? '',
    http_only: c.httpOnly,
    secure: c.secure,
    max_age: maxAge,
    expires: c.expires instanceof Date ? c.expires.getTime() : GO_ZERO_EXPIRES,
  };
}

/** res.cookies: the cookies one response set, name → cookies. */
export function responseCookies(lines: readonly string[]): Record<string, WireCookie[]> {
  const out: Record<string, WireCookie[]> = {};
  for (const line of lines) {
    const c = Cookie.parse(line);
    if (c) (out[c.key] ??= []).push(k6Cookie(c));
  }
  return out;
}

function removeCookie(jar: CookieJar, domain: string, path: string, name: string): void {
  // The memory store answers synchronously: the cookie is gone when this returns.
  jar.store.removeCookie(domain, path, name, (e) => {
    if (e) throw e;
  });
}

/**
 * A k6 CookieJar method. `clear` and `delete` act as k6's (a cookie of the URL's host and
 * default path is overwritten as expired): a cookie on a longer path survives them.
 */
export function jarCall(jar: CookieJar, call: WireJarCall): Record<string, string[]> | undefined {
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw new Error(`invalid URL "${call.url}"`);
  }
  const path = defaultPath(url.pathname);
  switch (call.action) {
    case 'get': {
      const out: Record<string, string[]> = {};
      for (const c of jarCookies(jar, url)) (out[c.key] ??= []).push(c.value);
      return out;
    }
    case 'set': {
      const o = call.opts;
      let expires: Date | undefined;
      if (o.expires) {
        expires = parseDate(o.expires);
        if (!expires)
          throw new Error(`unable to parse "expires" date string "${o.expires}" (expected RFC 1123, e.g. "Mon, 02 Jan 2006 15:04:05 GMT")`);
      }
      const maxAge = o.max_age === undefined || o.max_age === 0 ? undefined : Math.max(0, Math.trunc(o.max_age));
      const cookie = new Cookie({
        key: call.name,
        value: call.value,
        secure: o.secure === true,
        httpOnly: o.http_only === true,
        ...(o.domain ? { domain: o.domain } : {}),
        ...(o.path ? { path: o.path } : {}),
        ...(expires ? { expires } : {}),
        ...(maxAge !== undefined ? { maxAge } : {}),
      });
      jar.setCookieSync(cookie, url, { ignoreError: true });
      return undefined;
    }
    case 'clear':
      for (const c of jarCookies(jar, url)) if (c.domain === url.hostname && c.path === path) removeCookie(jar, c.domain, path, c.key);
      return undefined;
    case 'delete':
      removeCookie(jar, url.hostname, path, call.name);
      return undefined;
  }
}
