import { Agent, request } from 'undici';
import type { Host } from '../redact.ts';

/**
 * Before the first stage: is the host there at all? One GET of the base URL, with the run's
 * credentials (Basic, as scenarios/lib/config.ts sends them), bounded by `timeoutMs`. A host that
 * answers, whatever its status (a 503 is a measurement), or that accepts the connection but is
 * slow to answer, passes; DNS, refused connections, connect timeouts and TLS failures do not.
 */

/** How long the preflight may take at most: a connect and an answer each within this. */
export const PREFLIGHT_TIMEOUT_MS = 5000;

/** Why the host cannot be reached, in words ("connection refused"); null when it was reached. */
export function unreachableReason(error: unknown, timeoutMs = PREFLIGHT_TIMEOUT_MS): string | null {
  const code = errorCode(error);
  switch (code) {
    case 'ENOTFOUND':
      return 'host name not found (DNS)';
    case 'EAI_AGAIN':
      return 'host name lookup failed (DNS did not answer)';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed before any answer';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `no connection within ${timeoutMs / 1000} s`;
    // Connected, but the answer is slow: the host is there; how slow it is is the run's to measure.
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return null;
    default:
      if (code && (/^ERR_TLS_|^ERR_SSL_|CERT|^EPROTO$/.test(code) || code.endsWith('_SIGNATURE'))) return `TLS failure (${tlsWords(code)})`;
      return `request failed (${code ?? (error as Error)?.message ?? String(error)})`;
  }
}

/** A TLS error code in words where one is common; the code itself otherwise. */
function tlsWords(code: string): string {
  const words: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
    SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
    CERT_HAS_EXPIRED: 'certificate expired',
    ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not name this host',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate cannot be verified',
    ERR_SSL_WRONG_VERSION_NUMBER: 'not a TLS server: http on an https URL?',
  };
  return words[code] ?? code;
}

/** The errno-like code of an error or of its cause (undici wraps socket errors). */
function errorCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** The Authorization header the run would send for the host's credentials, if any. */
export function basicAuthorization(host: Pick<Host, 'username' | 'password'>): Record<string, string> {
  if (!host.username && !host.password) return {};
  return { authorization: `Basic ${Buffer.from(`${host.username ?? ''}:${host.password ?? ''}`).toString('base64')}` };
}

/** Resolves with null when the host answered (any status), else with why it cannot be reached. */
export async function preflight(host: Host, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string | null> {
  const timeoutMs = options.timeoutMs ?? PREFLIGHT_TIMEOUT_MS;
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    const res = await request(`${host.base}/`, {
      method: 'GET',
      headers: { 'user-agent': 'capacity-toolkit preflight', ...basicAuthorization(host) },
      dispatcher: agent,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await res.body.dump();
    return null;
  } catch (e) {
    if (options.signal?.aborted) return null;
    return unreachableReason(e, timeoutMs);
  } finally {
    await agent.destroy().catch(() => {});
  }
}
