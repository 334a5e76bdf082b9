import { UserError } from '../../formats/errors.ts';

/**
 * Field values of k6's CSV read straight from bytes, without a string per field: names interned
 * to dense ids, numbers and timestamps parsed in place. Text is decoded only for what is kept
 * (a new name) or for an error message.
 */

const COMMA = 44;
const LF = 10;
const QUOTE = 34;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** The text of buf[start, end); `quoted` undoes Go csv's doubled quotes. */
export function decodeField(buf: Uint8Array, start: number, end: number, quoted: boolean): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  return quoted ? text.replaceAll('""', '"') : text;
}

/** Interns the byte strings of one column: same bytes → same string object and id. */
export class Interner {
  readonly strings: string[] = [];
  private readonly byHash = new Map<number, number[]>();
  private readonly bytes: Uint8Array[] = [];
  /** The same bytes, read four at a time when compared. */
  private readonly views: DataView[] = [];
  /** Per id: its bytes, unquoted, read as one field (not empty, no comma or line end, no opening quote). */
  private readonly plain: boolean[] = [];
  private readonly byString = new Map<string, number>();

  /** Direct-mapped cache on (length, first, middle, three-quarter, last byte): most lookups end here, no hashing. */
  private readonly cache = new Int32Array(1024).fill(-1);

  /** Id of the raw (unquoted, unescaped) bytes buf[start, end); `view` is a DataView of all of buf. */
  idOfBytes(buf: Uint8Array, view: DataView, start: number, end: number): number {
    const len = end - start;
    const slot =
      len === 0
        ? 0
        : (((len * 31 + buf[start]!) * 31 + buf[end - 1]! * 7 + buf[start + (len >> 1)]!) * 31 + buf[end - 1 - (len >> 2)]!) & 1023;
    const cached = this.cache[slot]!;
    if (cached >= 0 && this.bytes[cached]!.length === len) {
      const known = this.views[cached]!;
      let i = 0;
      while (i + 4 <= len && known.getUint32(i) === view.getUint32(start + i)) i += 4;
      while (i < len && known.getUint8(i) === buf[start + i]) i++;
      if (i === len) return cached;
    }
    const id = this.lookup(buf, start, end);
    this.cache[slot] = id;
    return id;
  }

  private lookup(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const bucket = this.byHash.get(h);
    if (bucket !== undefined) {
      for (const id of bucket) if (sameBytes(this.bytes[id]!, buf, start, end)) return id;
    }
    const id = this.idOfString(decodeField(buf, start, end, false));
    this.keep(id, buf.slice(start, end));
    if (bucket) bucket.push(id);
    else this.byHash.set(h, [id]);
    return id;
  }

  private keep(id: number, bytes: Uint8Array): void {
    this.bytes[id] = bytes;
    this.views[id] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.plain[id] = bytes.length > 0 && bytes[0] !== QUOTE && !bytes.includes(COMMA) && !bytes.includes(LF);
  }

  /**
   * The length of id's bytes when buf holds them from p, then a comma: an unquoted field scanned
   * from p would be exactly them, and intern to id. -1 otherwise (`view` a DataView of all of buf).
   */
  fieldAt(id: number, buf: Uint8Array, view: DataView, p: number, n: number): number {
    if (!this.plain[id]) return -1;
    const known = this.bytes[id]!;
    const len = known.length;
    if (p + len >= n || buf[p + len] !== COMMA) return -1;
    const knownView = this.views[id]!;
    let i = 0;
    while (i + 4 <= len && knownView.getUint32(i) === view.getUint32(p + i)) i += 4;
    while (i < len && known[i] === buf[p + i]) i++;
    return i === len ? len : -1;
  }

  idOfString(text: string): number {
    let id = this.byString.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      // Bytes of a string first met quoted: keep its UTF-8 so an unquoted twin matches too.
      this.keep(id, Buffer.from(text, 'utf8'));
      this.byString.set(text, id);
    }
    return id;
  }
}

function sameBytes(known: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}

/** Parses a number written by Go's FormatFloat('f'), exactly as Number() would, without a string. */
export function parseNumber(buf: Uint8Array, start: number, end: number, quoted: boolean): number {
  let i = start;
  let neg = false;
  if (i < end && buf[i] === MINUS) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === DOT && frac < 0) {
      frac = 0;
    } else {
      break;
    }
  }
  // m and 10^k are exact doubles (≤ 15 digits), so m / 10^k is the correctly rounded value,
  // the same double Number(text) gives. Anything else (exponents, NaN, long digits) goes slow.
  if (i === end && digits > 0 && digits <= 15) {
    const v = frac > 0 ? m / POW10[frac]! : m;
    return neg ? -v : v;
  }
  const text = decodeField(buf, start, end, quoted).trim();
  return text === '' ? NaN : Number(text);
}

/** Parses a small unsigned integer column (status, error_code); 0 when empty. NaN when not digits. */
export function parseSmallInt(buf: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) return NaN;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/** Reads k6's timestamps in any K6_CSV_TIME_FORMAT, keeping the finest resolution seen. */
export class TimestampReader {
  /** Finest resolution of the timestamps read so far, in ms (Infinity before the first). */
  resolutionMs = Infinity;
  private prevText = '';
  private prevMs = NaN;

  /** ms since the epoch of buf[s, e); NaN when it is not a k6 timestamp. */
  read(buf: Uint8Array, s: number, e: number, quoted: boolean): number {
    // Whole-digit forms: unix (s), unix_milli, unix_micro, unix_nano, told apart by length
    // (valid for 2001–2286, as formats/k6/csv.ts parseTimestamp).
    let v = 0;
    let i = s;
    for (; i < e; i++) {
      const c = buf[i]!;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
    }
    const digits = e - s;
    if (i !== e || digits === 0) return this.readText(decodeField(buf, s, e, quoted));
    if (digits <= 10) return this.seen(1000, v * 1000);
    if (digits <= 13) return this.seen(1, v);
    if (digits <= 16) return this.seen(0.001, v / 1000);
    return this.seen(1e-6, v / 1e6);
  }

  private seen(resolutionMs: number, ms: number): number {
    if (this.resolutionMs > resolutionMs) this.resolutionMs = resolutionMs;
    return ms;
  }

  /** RFC 3339 (with or without a fraction): Date.parse is slow, and many rows share a second. */
  private readText(text: string): number {
    if (text === this.prevText) return this.prevMs;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return ms;
    // Resolution from the fraction's digits; Date.parse keeps whole ms, so 1 ms at best.
    const dot = text.indexOf('.');
    let fraction = 0;
    if (dot >= 0) while (dot + 1 + fraction < text.length && /\d/.test(text[dot + 1 + fraction]!)) fraction++;
    this.seen(Math.max(1, 1000 / 10 ** fraction), ms);
    this.prevText = text;
    this.prevMs = ms;
    return ms;
  }
}

/** A CSV error: the file, the line, what is wrong, what was expected. */
export function csvError(source: string, line: number, what: string, hint?: string): UserError {
  return new UserError(`line ${line}: ${what}`, {
    file: source,
    hint: hint ?? 'expected a CSV written by k6 `--out csv` (or the embedded engine)',
  });
}
