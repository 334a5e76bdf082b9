import { UserError } from '../formats/errors.ts';

/** A target host split into what may be shown and the credentials that may not. */
export interface Host {
  /** Origin and path without credentials: safe for files, logs and reports. */
  readonly display: string;
  /** What the engine uses as HOST (no credentials: they travel apart). */
  readonly base: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/**
 * Parses `--host` (or an environment's host, named by `source`). Credentials in the URL are allowed but kept apart so that they never reach
 * a results file, a log line or a report (the engine gets them apart, as HOST_USERNAME and
 * HOST_PASSWORD).
 */
export function parseHost(text: string, source = '--host'): Host {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${source}: expected an http(s) URL like https://app.example.com, got "${redactUrlText(text)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`${source}: expected an http or https URL, got the scheme "${url.protocol}"`);
  }
  if (url.search || url.hash) {
    // Scenarios append paths to the host; a query there would end up in the middle of every URL.
    throw new UserError(`${source}: expected a base URL without a query string or fragment, e.g. https://app.example.com/base`);
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  const base = url.href.replace(/\/$/, '');
  return { display: base, base, username, password };
}

/** Best-effort scrub of `user:pass@` in arbitrary text (error messages, unparsable input). */
export function redactUrlText(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
}
