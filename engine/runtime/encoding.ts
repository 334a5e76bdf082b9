/**
 * k6/encoding: b64encode / b64decode with k6's four encodings (Go's encoding/base64: std, rawstd,
 * url, rawurl; any other name is std, as k6's default). Decoding is as strict as Go's: bad input
 * throws `GoError: illegal base64 data at input byte N` with Go's N, where Node would decode
 * whatever it could.
 */
import { GoError } from './go-error.ts';
import { host, ownBuffer } from './host.ts';

interface Variant {
  readonly url: boolean;
  readonly padded: boolean;
}

export function variantOf(encoding: unknown): Variant {
  switch (encoding) {
    case 'rawstd':
      return { url: false, padded: false };
    case 'url':
      return { url: true, padded: true };
    case 'rawurl':
      return { url: true, padded: false };
    default:
      return { url: false, padded: true };
  }
}

/** The UTF-8 bytes of a string (Go decodes the string's bytes, so its offsets count bytes). */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

const PAD = 0x3d; // '='
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;

function isAlphabet(b: number, url: boolean): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === (url ? 0x2d : 0x2b) ||
    b === (url ? 0x5f : 0x2f)
  );
}

/**
 * Where Go's decoder (encoding/base64 decodeQuantum) stops on `input`: the byte offset of its
 * CorruptInputError, or null when the input decodes. Newlines are skipped, as Go does.
 */
export function base64ErrorOffset(input: string, { url, padded }: Variant): number | null {
  const src = utf8(input);
  let si = 0;
  for (;;) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return null;
        if (j === 1 || padded) return si - j;
        return null;
      }
      const b = src[si++]!;
      if (isAlphabet(b, url)) continue;
      if (isNewline(b)) {
        j--;
        continue;
      }
      if (!padded || b !== PAD || j < 2) return si - 1;
      // Padding: "==" after two symbols, "=" after three, then nothing but newlines.
      if (j === 2) {
        while (isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== PAD) return si - 1;
        si++;
      }
      while (isNewline(src[si])) si++;
      return si < src.length ? si : null;
    }
  }
}

function bytesOf(input: unknown): string | Uint8Array {
  if (typeof input === 'string') return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new GoError(`invalid type ${input === null ? 'null' : typeof input}, expected string, []byte or ArrayBuffer`);
}

export function b64encode(input: string | ArrayBuffer, encoding?: string): string {
  const v = variantOf(encoding);
  return host.b64encode(bytesOf(input), v.url, !v.padded);
}

export function b64decode(input: string, encoding?: string, format?: string): string | ArrayBuffer {
  const text = String(input);
  const v = variantOf(encoding);
  const at = base64ErrorOffset(text, v);
  if (at !== null) throw new GoError(`illegal base64 data at input byte ${at}`);
  if (format === 's') return host.b64decodeText(text, v.url);
  return ownBuffer(host.b64decode(text, v.url));
}

export default { b64encode, b64decode };
