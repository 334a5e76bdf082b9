/**
 * HTTP Digest authentication (RFC 7616), as k6's `params.auth: 'digest'`: the request goes out
 * without credentials, and a 401 with a Digest challenge is answered once with the URL's user
 * and password. Pure apart from the client nonce, which the caller passes.
 */
import { createHash } from 'node:crypto';

/** RFC 7616 algorithm names → Node's hash names. */
const ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The parameters of the first Digest challenge in a WWW-Authenticate value; null when there is none. */
export function parseDigestChallenge(header: string): Record<string, string> | null {
  const at = header.search(/(^|[\s,])Digest\s/i);
  if (at < 0) return null;
  const rest = header.slice(at).replace(/^[\s,]*Digest\s+/i, '');
  const params: Record<string, string> = {};
  // auth-param = token "=" ( token / quoted-string ), comma-separated; a bare token starts the next challenge.
  const re = /\s*([!#$%&'*+.^_`|~\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/y;
  for (let m = re.exec(rest); m; m = re.exec(rest)) params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return params.nonce !== undefined && params.realm !== undefined ? params : null;
}

export interface DigestInput {
  method: string;
  /** The request target (path and query), as sent. */
  uri: string;
  username: string;
  password: string;
  /** The client nonce (random per answer). */
  cnonce: string;
  /** The request body, for qop auth-int. */
  body?: Buffer | string | null;
}

const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** The Authorization value answering a challenge; null when its algorithm or qop is one RFC 7616 does not define. */
export function digestAuthorization(challenge: Record<string, string>, input: DigestInput): string | null {
  const algorithm = challenge.algorithm ?? 'MD5';
  const sess = /-sess$/i.test(algorithm);
  const hashName = ALGORITHMS[algorithm.replace(/-sess$/i, '').toUpperCase()];
  if (!hashName) return null;
  const h = (s: string | Buffer): string => createHash(hashName).update(s).digest('hex');
  const offered = (challenge.qop ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter(Boolean);
  const qop = offered.length === 0 ? null : offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : undefined;
  if (qop === undefined) return null;
  const nc = '00000001';
  let ha1 = h(`${input.username}:${challenge.realm}:${input.password}`);
  if (sess) ha1 = h(`${ha1}:${challenge.nonce}:${input.cnonce}`);
  const ha2 = qop === 'auth-int' ? h(`${input.method}:${input.uri}:${h(input.body ?? '')}`) : h(`${input.method}:${input.uri}`);
  const response = qop ? h(`${ha1}:${challenge.nonce}:${nc}:${input.cnonce}:${qop}:${ha2}`) : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username=${quote(input.username)}`,
    `realm=${quote(challenge.realm!)}`,
    `uri=${quote(input.uri)}`,
    `algorithm=${algorithm}`,
    `nonce=${quote(challenge.nonce!)}`,
    ...(qop ? [`nc=${nc}`, `cnonce=${quote(input.cnonce)}`, `qop=${qop}`] : []),
    `response=${quote(response)}`,
    ...(challenge.opaque !== undefined ? [`opaque=${quote(challenge.opaque)}`] : []),
  ];
  return `Digest ${parts.join(', ')}`;
}
