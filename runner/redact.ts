import { UserError } from './errors.ts';

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
 * Parses `--host`. Credentials in the URL are allowed but kept apart so that they never reach
 * a results file, a log line or a report. Query strings are dropped from the display form
 * because tokens hide there too.
 */
export function parseHost(text: string): Host {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--host: expected an http(s) URL like https://app.example.com, got "${redactUrlText(text)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--host: expected an http or https URL, got the scheme "${url.protocol}"`);
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  const base = url.href.replace(/\/$/, '');
  url.search = '';
  url.hash = '';
  return { display: url.href.replace(/\/$/, ''), base, username, password };
}

/** Best-effort scrub of `user:pass@` in arbitrary text (error messages, unparsable input). */
export function redactUrlText(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
}
