/**
 * How Go's net/http (k6's HTTP client) words things, so that the engine's headers and errors read
 * as k6's: canonical header keys, transport errors (k6's message, code and Go's detail), and
 * url.Error's operation names.
 */
import { K6_ERROR_CODES } from '../formats/k6/csv.ts';

/**
 * Canonical keys already made: a server sends the same few header names on every response, and
 * the regular expression per name per response showed in the main thread's profile (3 %).
 * Bounded, since names come from the servers under test.
 */
const canonicalKeys = new Map<string, string>();

/** Go's canonical header key ("content-type" → "Content-Type"), as k6 shows headers. */
export function canonicalHeader(name: string): string {
  let k = canonicalKeys.get(name);
  if (k === undefined) {
    k = name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
    if (canonicalKeys.size < 512) canonicalKeys.set(name, k);
  }
  return k;
}

/**
 * A Node/undici error as k6 words it: `error` is k6's message (res.error, the `error` tag),
 * `detail` Go's (the "Request Failed" warning, what `throw: true` throws). Codes: formats/k6/csv.ts.
 */
export function classifyError(e: unknown, url: URL): { error: string; code: number; detail: string } {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const addr = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  switch (code) {
    case 'ECONNREFUSED':
      return {
        error: 'dial: connection refused',
        code: K6_ERROR_CODES.tcpDialRefused,
        detail: `dial tcp ${addr}: connect: connection refused`,
      };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { error: 'dial: i/o timeout', code: K6_ERROR_CODES.tcpDialTimeout, detail: `dial tcp ${addr}: i/o timeout` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: 'lookup: no such host', code: K6_ERROR_CODES.dnsNoIp, detail: `dial tcp: lookup ${url.hostname}: no such host` };
    case 'ECONNRESET':
      return {
        error: 'read: connection reset by peer',
        code: K6_ERROR_CODES.tcpResetByPeer,
        detail: `read tcp ${addr}: read: connection reset by peer`,
      };
    case 'EPIPE':
      return { error: 'write: broken pipe', code: K6_ERROR_CODES.tcpBrokenPipe, detail: `write tcp ${addr}: write: broken pipe` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        error: "x509: certificate doesn't match hostname",
        code: K6_ERROR_CODES.tlsHostnameMismatch,
        detail: `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`,
      };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_HAS_EXPIRED':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        error: 'x509: unknown authority',
        code: K6_ERROR_CODES.tlsUnknownAuthority,
        detail: `tls: failed to verify certificate: x509: certificate signed by unknown authority (${code})`,
      };
    default: {
      const msg = err.message ?? String(e);
      if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
        return { error: `tls: ${msg}`, code: K6_ERROR_CODES.tlsGeneric, detail: `tls: ${msg}` };
      return { error: msg, code: K6_ERROR_CODES.generic, detail: msg };
    }
  }
}

/** Go's url.Error operation for a method (`Get`, `Post`): how a failed request is named in k6's log and thrown errors. */
export const goErrorOp = (method: string): string => method.charAt(0) + method.slice(1).toLowerCase();
