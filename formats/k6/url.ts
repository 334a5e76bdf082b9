/**
 * k6's URL.Clean(): the form of a request URL that k6 puts in the `url` and `name` tags. A
 * `user:pass@` in a script's URL is sent as a Basic Authorization header, and masked here so that
 * it never reaches a metric's tags (CSV, summaries).
 */
export function cleanUrl(url: string): string {
  if (!url.includes('@')) return url; // per request in every VU: most URLs have no userinfo
  return url.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i,
    (_all, scheme: string, userinfo: string) => `${scheme}${userinfo.includes(':') ? '****:****' : '****'}@`,
  );
}

/** The credentials of a URL apart from it: what is sent (no userinfo) and the Basic header, if any. */
export function splitUrlCredentials(url: string): { url: string; authorization: string | null } {
  // Per request on the engine's main thread: most URLs have no '@' at all, skip the parse.
  if (!url.includes('@')) return { url, authorization: null };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, authorization: null };
  }
  const creds = urlCredentials(u);
  if (!creds) return { url, authorization: null };
  const pair = `${creds.username}:${creds.password}`;
  u.username = '';
  u.password = '';
  return { url: u.href, authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
}

/** The user and password of a URL (percent-decoded), or null when it has none. */
export function urlCredentials(u: URL): { username: string; password: string } | null {
  if (!u.username && !u.password) return null;
  return { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}
