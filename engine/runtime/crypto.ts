/**
 * k6/crypto: digests, HMACs and random bytes, computed by the worker's node:crypto. Outputs as
 * k6 names them: hex, base64, base64url, base64rawurl, binary (an ArrayBuffer).
 */
import { host, ownBuffer } from './host.ts';

/** k6's algorithm names → Node's. */
const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

type Input = string | ArrayBuffer | Uint8Array;

function algo(name: unknown): string {
  const a = typeof name === 'string' ? ALGORITHMS[name] : undefined;
  if (!a) throw new Error(`invalid hash algorithm "${String(name)}": expected one of ${Object.keys(ALGORITHMS).join(', ')}`);
  return a;
}

function bytes(x: Input): string | Uint8Array {
  if (typeof x === 'string') return x;
  if (x instanceof ArrayBuffer || Object.prototype.toString.call(x) === '[object ArrayBuffer]') return new Uint8Array(x as ArrayBuffer);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  return String(x);
}

function encode(digest: Uint8Array, enc: string | undefined): string | ArrayBuffer {
  switch (enc) {
    case 'hex': {
      let s = '';
      for (const b of digest) s += b.toString(16).padStart(2, '0');
      return s;
    }
    case 'base64':
      return host.b64encode(digest, false, false);
    case 'base64url':
      return host.b64encode(digest, true, false);
    case 'base64rawurl':
      return host.b64encode(digest, true, true);
    case 'binary':
    case undefined:
      return ownBuffer(digest);
    default:
      throw new Error(`invalid output encoding "${enc}": expected hex, base64, base64url, base64rawurl or binary`);
  }
}

function digestOf(algorithm: string, input: Input, enc: string | undefined, key: Input | null = null): string | ArrayBuffer {
  return encode(host.hash(algo(algorithm), [bytes(input)], key === null ? null : bytes(key)), enc);
}

class Hasher {
  private readonly parts: Array<string | Uint8Array> = [];
  constructor(
    private readonly algorithm: string,
    private readonly key: string | Uint8Array | null,
  ) {
    algo(algorithm);
  }
  update(input: Input): void {
    this.parts.push(bytes(input));
  }
  digest(enc?: string): string | ArrayBuffer {
    return encode(host.hash(algo(this.algorithm), this.parts, this.key), enc);
  }
}

export const md4 = (input: Input, enc?: string) => digestOf('md4', input, enc);
export const md5 = (input: Input, enc?: string) => digestOf('md5', input, enc);
export const sha1 = (input: Input, enc?: string) => digestOf('sha1', input, enc);
export const sha256 = (input: Input, enc?: string) => digestOf('sha256', input, enc);
export const sha384 = (input: Input, enc?: string) => digestOf('sha384', input, enc);
export const sha512 = (input: Input, enc?: string) => digestOf('sha512', input, enc);
export const sha512_224 = (input: Input, enc?: string) => digestOf('sha512_224', input, enc);
export const sha512_256 = (input: Input, enc?: string) => digestOf('sha512_256', input, enc);
export const ripemd160 = (input: Input, enc?: string) => digestOf('ripemd160', input, enc);
export const hmac = (algorithm: string, secret: Input, data: Input, enc?: string) => digestOf(algorithm, data, enc, secret);
export const createHash = (algorithm: string) => new Hasher(algorithm, null);
export const createHMAC = (algorithm: string, secret: Input) => new Hasher(algorithm, bytes(secret));
export function randomBytes(n: number): ArrayBuffer {
  if (!Number.isInteger(n) || n < 1) throw new Error(`randomBytes: expected a whole number of bytes above 0, got ${String(n)}`);
  return ownBuffer(host.randomBytes(n));
}

export default { md4, md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256, ripemd160, hmac, createHash, createHMAC, randomBytes };
