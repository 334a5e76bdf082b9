import { redactUrlText } from '../redact.ts';
import { MISSING } from '../../decision/words.ts';

/**
 * Number, date and text formatting of the weekly report. Pure; the view model is the only
 * caller, so that the template never formats anything.
 */

/** Milliseconds, whole: `2480 ms`. */
export function ms(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? MISSING : `${Math.round(value)} ms`;
}

/** A rate given as 0–1, in percent with 2 decimals: 0.0042 → `0.42 %`. */
export function fractionPct(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? MISSING : `${(value * 100).toFixed(2)} %`;
}

/** A figure already in percent: 1.5 → `1.50 %`. */
export function pct(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? MISSING : `${value.toFixed(2)} %`;
}

/** Per second with one decimal: `92.4/s`. */
export function perSecond(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? MISSING : `${value.toFixed(1)}/s`;
}

/** A count, whole. */
export function count(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? MISSING : String(Math.round(value));
}

/** `2026-11-22 03:01 UTC`. */
export function utcMinute(isoOrMs: string | number): string {
  const d = new Date(isoOrMs);
  if (Number.isNaN(d.getTime())) return MISSING;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** `2026-11-22`. */
export function utcDay(isoOrMs: string | number): string {
  const d = new Date(isoOrMs);
  return Number.isNaN(d.getTime()) ? MISSING : d.toISOString().slice(0, 10);
}

/**
 * Free text (reasons, rules, actions, notes from run files and the config) made safe inside a
 * Markdown line or table cell: one line, table pipes and raw HTML escaped, links neutralised.
 * Code spans (backticks) and emphasis are kept: the decision's and the config's texts use them.
 */
export function mdText(text: string): string {
  // Texts from run files may quote a URL: its credentials never reach the report.
  return redactUrlText(text)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\|<>[\]]/g, (c) => `\\${c}`)
    .trim();
}

/**
 * Text shown inside a code span by the template (ids, host, scenario): code spans ignore
 * backslash escapes, so backticks and pipes (which would cut a table cell) are replaced.
 */
export function codeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/`/g, "'")
    .replace(/\|/g, '¦')
    .trim();
}

/**
 * A host as it may appear in a report: user info and the values of query parameters dropped
 * (the manifest already holds a redacted host; this is a second guard, since the report is
 * the file most widely shared).
 */
export function safeHost(host: string): string {
  if (!/[@?#]/.test(host)) return codeText(host);
  // Without a scheme, `user:pw@host` would parse as a URL of scheme "user:".
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return codeText(host.replace(/^[^@/]*@/, '').replace(/[?#].*$/, ''));
  try {
    const url = new URL(host);
    url.username = '';
    url.password = '';
    for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, 'REDACTED');
    url.hash = '';
    return codeText(url.toString().replace(/REDACTED/g, '***'));
  } catch {
    // Not a URL (a bare host name): drop anything before an @.
    return codeText(host.replace(/^[^@/]*@/, ''));
  }
}

/** A signed difference in whole milliseconds: `+120 ms`, `−3400 ms`. */
export function signedMs(value: number): string {
  const whole = Math.round(value);
  return `${whole < 0 ? '−' : '+'}${Math.abs(whole)} ms`;
}
