import { request } from 'undici';
import { formatDuration } from '../../formats/duration.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';

/**
 * Posting to a webhook. The URL is a secret (a Slack webhook URL is its own credential): it never
 * appears in an error, a log line or a file. Errors name only `scheme://host/***`.
 */

/** A parsed webhook URL; `shown` is the only form that may be printed. */
export interface Webhook {
  readonly url: URL;
  /** `https://hooks.slack.com/***`: scheme, host and port only. */
  readonly shown: string;
}

/** Parses the webhook URL without ever echoing it: a bad value is described, not shown. */
export function parseWebhook(text: string, source: string): Webhook {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UserError(`${source}: expected an http(s) URL (the value is a secret and is not shown)`, {
      hint: 'e.g. https://hooks.slack.com/services/…; prefer the CAPACITY_WEBHOOK_URL environment variable over the flag',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`${source}: expected an http or https URL, got the scheme "${url.protocol}"`);
  }
  return { url, shown: maskWebhookUrl(url) };
}

/** `scheme://host[:port]/***`: what may be shown of a webhook URL (no credentials, path or query). */
export function maskWebhookUrl(url: URL): string {
  return `${url.protocol}//${url.host}/***`;
}

/**
 * Removes every secret part of the webhook URL from `text` (the whole URL, its path and query,
 * its credentials), for messages that come from elsewhere (a receiver's answer, a network error).
 */
export function scrubWebhook(text: string, url: URL): string {
  const secrets = [url.href, `${url.pathname}${url.search}`, url.pathname, url.search, url.username, url.password]
    .filter((s) => s.length > 1)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

export interface PostOptions {
  readonly signal?: AbortSignal | undefined;
  /** Whole request, connect to last byte of the answer. */
  readonly timeoutMs?: number;
}

/**
 * POSTs `payload` as JSON. Resolves once the receiver answered 2xx; throws a one-line UserError
 * (exit code `incomplete`) on any other status, a timeout or an unreachable host.
 */
export async function postWebhook(webhook: Webhook, payload: unknown, options: PostOptions = {}): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let status: number;
  let answer: string;
  try {
    const res = await request(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'capacity-toolkit-notify' },
      body: JSON.stringify(payload),
      signal,
    });
    status = res.statusCode;
    answer = await res.body.text();
  } catch (e) {
    const why = timeout.aborted ? `no answer within ${formatDuration(options.timeoutMs ?? 15_000)}` : networkReason(e);
    throw new UserError(`webhook ${webhook.shown}: unreachable (${scrubWebhook(why, webhook.url)}); nothing was posted`, {
      exitCode: ExitCode.incomplete,
      hint: 'check the webhook URL and that this machine can reach it; the next call retries (the state was not updated)',
    });
  }
  if (status < 200 || status > 299) {
    const snippet = scrubWebhook(answer.replace(/\s+/g, ' ').trim(), webhook.url).slice(0, 120);
    throw new UserError(
      `webhook ${webhook.shown}: answered HTTP ${status}${snippet ? ` "${snippet}"` : ''}; the message was not accepted`,
      {
        exitCode: ExitCode.incomplete,
        hint: 'a 404 or 410 usually means the webhook was revoked; a 400 that the receiver expects another --format (slack or json)',
      },
    );
  }
}

/** The network error's code (ECONNREFUSED, ENOTFOUND…) rather than its message, which may quote the URL. */
function networkReason(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth += 1) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code.length) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return e instanceof Error ? e.name : 'network error';
}
