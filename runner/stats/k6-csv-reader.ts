import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { UserError, fsReason } from '../../formats/errors.ts';

/**
 * A streaming reader of k6's CSV output (`--out csv`), plain or gzip, built for speed: a byte
 * scanner instead of a general CSV library (csv-parse with defaults did ~0.2 M rows/s here,
 * 15× too slow for a 10-minute stage at 150 users). It keeps csv-parse's correctness for what
 * k6 writes through Go's encoding/csv: fields quoted when they hold `,` `"` CR LF or start with
 * a space, `""` inside quotes, CRLF or LF line ends; columns are found by header name, never by
 * position (k6's column set follows its `systemTags`).
 */

/**
 * One row, handed to the callback and REUSED for the next row (no allocation per row): read
 * what you need inside the callback, never keep the object.
 */
export interface K6Record {
  /** 1-based line of the file where the row starts. */
  readonly line: number;
  /** `metric_name`, interned (the same string object for every row of a metric). */
  readonly metric: string;
  /** Dense id of `metric` (0, 1, 2… in order of first appearance): index arrays with it. */
  readonly metricId: number;
  /** Timestamp in ms since the Unix epoch, whatever K6_CSV_TIME_FORMAT wrote it. */
  readonly timeMs: number;
  readonly value: number;
  /** The `name` tag, interned; '' when empty or when the file has no such column. */
  readonly name: string;
  /** Dense id of `name` (its own numbering, '' included). */
  readonly nameId: number;
  /** The `status` column as a number; 0 when empty or absent (transport errors write 0). */
  readonly status: number;
  /** The `error_code` column as a number; 0 when empty or absent. */
  readonly errorCode: number;
  /** The text of any column by header name ('' when empty or absent), decoded on demand. */
  field(column: string): string;
}

export interface ReadResult {
  /** Data rows handed to the callback (the header not counted). */
  rows: number;
  /** The input ended early (cut gzip, partial last line): the rows read are all there is. */
  truncated: boolean;
  warnings: string[];
  /** Finest resolution of the timestamps seen, in ms (1000 for k6's default whole seconds). */
  timeResolutionMs: number;
  /** The header's column names, in file order. */
  columns: string[];
}

export interface ParserOptions {
  /** Named in errors and warnings (the file path). */
  source?: string;
}

export interface K6CsvParser {
  /** Parses what it can of `chunk`; keeps an incomplete last row for the next push. */
  push(chunk: Uint8Array): void;
  /**
   * Ends the input. `truncated` says the input was cut (the caller saw it, e.g. a gzip error):
   * a partial last row is then dropped with a warning instead of failing.
   */
  end(options?: { truncated?: boolean; why?: string }): ReadResult;
  /** Rows handed to the callback so far. */
  readonly rows: number;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

/** Widest header accepted (k6 writes about 20 columns). */
const MAX_COLUMNS = 4096;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Interns the byte strings of one column: same bytes → same string object and id. */
class Interner {
  readonly strings: string[] = [];
  private readonly byHash = new Map<number, number[]>();
  private readonly bytes: Uint8Array[] = [];
  private readonly byString = new Map<string, number>();

  /** Direct-mapped cache on (length, first, middle, last byte): most lookups end here, no hashing. */
  private readonly cache = new Int32Array(1024).fill(-1);

  /** Id of the raw (unquoted, unescaped) bytes buf[start, end). */
  idOfBytes(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const slot = len === 0 ? 0 : ((len * 31 + buf[start]!) * 31 + buf[end - 1]! * 7 + buf[start + (len >> 1)]!) & 1023;
    const cached = this.cache[slot]!;
    if (cached >= 0) {
      const known = this.bytes[cached]!;
      if (known.length === len) {
        let i = 0;
        while (i < len && known[i] === buf[start + i]) i++;
        if (i === len) return cached;
      }
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
      for (let b = 0; b < bucket.length; b++) {
        const id = bucket[b]!;
        const known = this.bytes[id]!;
        if (known.length !== end - start) continue;
        let same = true;
        for (let i = 0; i < known.length; i++) {
          if (known[i] !== buf[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return id;
      }
    }
    const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    const id = this.idOfString(text);
    this.bytes[id] = buf.slice(start, end);
    if (bucket) bucket.push(id);
    else this.byHash.set(h, [id]);
    return id;
  }

  idOfString(text: string): number {
    let id = this.byString.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      // Bytes of a string first met quoted: keep its UTF-8 so an unquoted twin matches too.
      this.bytes[id] = Buffer.from(text, 'utf8');
      this.byString.set(text, id);
    }
    return id;
  }
}

function decodeField(buf: Uint8Array, start: number, end: number, quoted: boolean): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  return quoted ? text.replaceAll('""', '"') : text;
}

/** Parses a number written by Go's FormatFloat('f'), exactly as Number() would, without a string. */
function parseNumber(buf: Uint8Array, start: number, end: number, quoted: boolean): number {
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
function parseSmallInt(buf: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) return NaN;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/**
 * An incremental parser: push byte chunks as they arrive (a file, a FIFO the engine writes),
 * get `onRecord` called for each complete row, then `end()`. Throws UserError (file + line)
 * on an unreadable header or row.
 */
export function createK6CsvParser(onRecord: (r: K6Record) => void, options: ParserOptions = {}): K6CsvParser {
  const source = options.source ?? '<csv>';
  const metrics = new Interner();
  const names = new Interner();

  let columns: string[] | null = null;
  let ncols = 0;
  let cMetric = -1;
  let cTime = -1;
  let cValue = -1;
  let cName = -1;
  let cStatus = -1;
  let cErrorCode = -1;
  let colIndex = new Map<string, number>();

  // Field bounds of the current row (into `cur`), reused; sized for the widest header accepted.
  const starts = new Int32Array(MAX_COLUMNS + 1);
  const ends = new Int32Array(MAX_COLUMNS + 1);
  const quotedFlags = new Uint8Array(MAX_COLUMNS + 1);
  let cur: Uint8Array = new Uint8Array(0);
  /** The current row went through the general scanner (quotedFlags are valid); false on the fast path. */
  let rowQuoted = false;

  let leftover: Buffer | null = null;
  let line = 1;
  let rows = 0;
  let resolution = Infinity;
  let prevTimeText = '';
  let prevTimeMs = NaN;
  const warnings: string[] = [];

  const rec = {
    line: 0,
    metric: '',
    metricId: 0,
    timeMs: 0,
    value: 0,
    name: '',
    nameId: 0,
    status: 0,
    errorCode: 0,
    field(column: string): string {
      const c = colIndex.get(column);
      if (c === undefined) return '';
      return decodeField(cur, starts[c]!, ends[c]!, rowQuoted && quotedFlags[c] === 1);
    },
  };

  const fail = (at: number, what: string, hint?: string): never => {
    throw new UserError(`line ${at}: ${what}`, {
      file: source,
      hint: hint ?? 'expected a CSV written by k6 `--out csv` (or the embedded engine)',
    });
  };

  const setHeader = (fields: string[]): void => {
    columns = fields;
    ncols = fields.length;
    colIndex = new Map(fields.map((f, i) => [f, i]));
    const need = ['metric_name', 'timestamp', 'metric_value'];
    const missing = need.filter((n) => !colIndex.has(n));
    if (missing.length > 0 || colIndex.size !== fields.length) {
      const seen = fields.join(',');
      fail(
        1,
        `unknown header "${seen.length > 120 ? `${seen.slice(0, 120)}…` : seen}": expected k6's CSV header with metric_name,timestamp,metric_value${missing.length ? ` (missing ${missing.join(', ')})` : ' (a column is repeated)'}`,
      );
    }
    cMetric = colIndex.get('metric_name')!;
    cTime = colIndex.get('timestamp')!;
    cValue = colIndex.get('metric_value')!;
    cName = colIndex.get('name') ?? -1;
    cStatus = colIndex.get('status') ?? -1;
    cErrorCode = colIndex.get('error_code') ?? -1;
  };

  const parseTime = (buf: Uint8Array, s: number, e: number, quoted: boolean, at: number): number => {
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
    if (i === e && digits > 0) {
      if (digits <= 10) {
        if (resolution > 1000) resolution = 1000;
        return v * 1000;
      }
      if (digits <= 13) {
        if (resolution > 1) resolution = 1;
        return v;
      }
      if (digits <= 16) {
        if (resolution > 0.001) resolution = 0.001;
        return v / 1000;
      }
      if (resolution > 1e-6) resolution = 1e-6;
      return v / 1e6;
    }
    // RFC 3339 (with or without a fraction): Date.parse is slow, and many rows share a second.
    const text = decodeField(buf, s, e, quoted);
    if (text === prevTimeText) return prevTimeMs;
    const ms = Date.parse(text);
    if (Number.isNaN(ms))
      fail(at, `timestamp "${text}" is not a k6 timestamp`, 'expected Unix seconds/ms/µs/ns or RFC 3339 (K6_CSV_TIME_FORMAT)');
    // Resolution from the fraction's digits; Date.parse keeps whole ms, so 1 ms at best.
    const dot = text.indexOf('.');
    let fraction = 0;
    if (dot >= 0) while (dot + 1 + fraction < text.length && /\d/.test(text[dot + 1 + fraction]!)) fraction++;
    const r = Math.max(1, 1000 / 10 ** fraction);
    if (resolution > r) resolution = r;
    prevTimeText = text;
    prevTimeMs = ms;
    return ms;
  };

  /**
   * Scans one row starting at `p` in `buf`. Returns the position after its line end, or -1 when
   * the row is not complete in `buf` (and `final` is false). Fills starts/ends/quotedFlags.
   * With `final`, the end of `buf` ends the row.
   */
  const scanRow = (
    buf: Uint8Array,
    p: number,
    final: boolean,
    maxFields: number,
  ): { next: number; fields: number; lines: number } | null => {
    const n = buf.length;
    let col = 0;
    let lines = 0;
    rowQuoted = true;
    for (;;) {
      let s = p;
      let e: number;
      let quoted = 0;
      if (p < n && buf[p] === QUOTE) {
        quoted = 1;
        s = p + 1;
        let q = s;
        for (;;) {
          while (q < n && buf[q] !== QUOTE) {
            if (buf[q] === LF) lines++;
            q++;
          }
          if (q >= n) {
            if (!final) return null;
            fail(line, 'unterminated quoted field');
          }
          if (q + 1 < n && buf[q + 1] === QUOTE) {
            q += 2;
            continue;
          }
          if (q + 1 >= n && !final) return null;
          break;
        }
        e = q;
        p = q + 1;
      } else {
        let q = p;
        while (q < n) {
          const c = buf[q]!;
          if (c === COMMA || c === LF) break;
          q++;
        }
        if (q >= n && !final) return null;
        e = q;
        p = q;
      }
      if (col < maxFields) {
        starts[col] = s;
        quotedFlags[col] = quoted;
      }
      const c = p < n ? buf[p]! : LF;
      if (c === COMMA) {
        if (col < maxFields) ends[col] = e;
        col++;
        p++;
        continue;
      }
      if (c === LF || (c === CR && (p + 1 >= n || buf[p + 1] === LF))) {
        // A CR before LF belongs to the line end, not to the field.
        if (!quoted && e > s && buf[e - 1] === CR) e--;
        if (col < maxFields) ends[col] = e;
        col++;
        if (c === CR) p++;
        if (p < n) p++;
        return { next: p, fields: col, lines: lines + 1 };
      }
      fail(line + lines, `unexpected character after the closing quote of field ${col + 1}`);
    }
  };

  const handleRow = (buf: Uint8Array, fields: number, at: number): void => {
    if (fields !== ncols) {
      fail(at, `${fields} fields where the header has ${ncols}`, `the header is ${columns!.join(',')}`);
    }
    cur = buf;
    const q = rowQuoted;
    const mq = q && quotedFlags[cMetric] === 1;
    rec.metricId = mq
      ? metrics.idOfString(decodeField(buf, starts[cMetric]!, ends[cMetric]!, true))
      : metrics.idOfBytes(buf, starts[cMetric]!, ends[cMetric]!);
    rec.metric = metrics.strings[rec.metricId]!;
    if (rec.metric === '') fail(at, 'empty metric_name');
    rec.timeMs = parseTime(buf, starts[cTime]!, ends[cTime]!, q && quotedFlags[cTime] === 1, at);
    const v = parseNumber(buf, starts[cValue]!, ends[cValue]!, q && quotedFlags[cValue] === 1);
    if (Number.isNaN(v))
      fail(at, `metric_value "${decodeField(buf, starts[cValue]!, ends[cValue]!, q && quotedFlags[cValue] === 1)}" is not a number`);
    rec.value = v;
    if (cName >= 0) {
      rec.nameId =
        q && quotedFlags[cName] === 1
          ? names.idOfString(decodeField(buf, starts[cName]!, ends[cName]!, true))
          : names.idOfBytes(buf, starts[cName]!, ends[cName]!);
      rec.name = names.strings[rec.nameId]!;
    }
    if (cStatus >= 0) {
      const st = parseSmallInt(buf, starts[cStatus]!, ends[cStatus]!);
      if (Number.isNaN(st)) fail(at, `status "${rec.field('status')}" is not a number`);
      rec.status = st;
    }
    if (cErrorCode >= 0) {
      const ec = parseSmallInt(buf, starts[cErrorCode]!, ends[cErrorCode]!);
      if (Number.isNaN(ec)) fail(at, `error_code "${rec.field('error_code')}" is not a number`);
      rec.errorCode = ec;
    }
    rec.line = at;
    rows++;
    onRecord(rec);
  };

  // '' (no name tag) is name id 0.
  names.idOfString('');

  /** Parses complete rows of `buf`; returns where the unparsed rest starts. */
  const parse = (buf: Buffer, final: boolean): number => {
    let p = 0;
    const n = buf.length;
    while (p < n) {
      // Empty lines are skipped, as Go's csv reader does.
      const c0 = buf[p]!;
      if (c0 === LF) {
        p++;
        line++;
        continue;
      }
      if (c0 === CR && p + 1 < n && buf[p + 1] === LF) {
        p += 2;
        line++;
        continue;
      }
      if (columns === null) {
        const r = scanRow(buf, p, final, MAX_COLUMNS);
        if (r === null) return p;
        if (r.fields > MAX_COLUMNS) fail(line, `header has more than ${MAX_COLUMNS} columns`);
        const fields: string[] = [];
        for (let i = 0; i < r.fields; i++) fields.push(decodeField(buf, starts[i]!, ends[i]!, quotedFlags[i] === 1));
        setHeader(fields);
        line += r.lines;
        p = r.next;
        continue;
      }
      // Fast path: one pass over the row for commas and its line end; a quoted field sends the
      // row to the general scanner (quotes may hide commas and newlines).
      if (buf[p] !== QUOTE) {
        let col = 0;
        let s = p;
        let q = p;
        let plain = true;
        for (; q < n; q++) {
          const c = buf[q];
          if (c === COMMA) {
            // Typed arrays ignore writes past their end: a row with too many fields is caught by
            // the count check in handleRow without a bound check here.
            starts[col] = s;
            ends[col] = q;
            col++;
            s = q + 1;
            if (buf[s] === QUOTE) {
              plain = false;
              break;
            }
          } else if (c === LF) {
            break;
          }
        }
        if (plain && (q < n || final)) {
          const lineEnd = q > s && buf[q - 1] === CR ? q - 1 : q;
          if (col < ncols) {
            starts[col] = s;
            ends[col] = lineEnd;
          }
          rowQuoted = false;
          handleRow(buf, col + 1, line);
          line++;
          p = q + 1;
          continue;
        }
        if (plain) return p;
      }
      const r = scanRow(buf, p, final, ncols);
      if (r === null) return p;
      handleRow(buf, r.fields, line);
      line += r.lines;
      p = r.next;
    }
    return p;
  };

  return {
    get rows() {
      return rows;
    },
    push(chunk: Uint8Array) {
      if (chunk.length === 0) return;
      let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      if (leftover) {
        const joined = Buffer.allocUnsafe(leftover.length + chunk.length);
        joined.set(leftover, 0);
        joined.set(chunk, leftover.length);
        buf = joined;
      }
      const rest = parse(buf, false);
      leftover = rest < buf.length ? Buffer.from(buf.subarray(rest)) : null;
    },
    end(endOptions: { truncated?: boolean; why?: string } = {}) {
      let truncated = endOptions.truncated ?? false;
      if (endOptions.why) warnings.push(endOptions.why);
      if (leftover) {
        const tail = leftover;
        leftover = null;
        if (columns === null) {
          parse(tail, true);
        } else {
          // A last line without its line end: a row cut by a killed writer, unless it is whole.
          const r = (() => {
            try {
              return scanRow(tail, 0, true, ncols);
            } catch (e) {
              if (e instanceof UserError) return null;
              throw e;
            }
          })();
          if (r !== null && r.fields === ncols && !truncated) {
            handleRow(tail, r.fields, line);
            line += r.lines;
          } else {
            truncated = true;
            warnings.push(`${source}: line ${line}: incomplete last row ignored (the input was cut)`);
          }
        }
      }
      if (columns === null) fail(1, 'empty file: no k6 CSV header', 'the engine wrote nothing; check its log');
      if (rows === 0 && !truncated) fail(2, 'no samples after the header', 'the engine wrote no sample; check its log');
      return {
        rows,
        truncated,
        warnings,
        timeResolutionMs: Number.isFinite(resolution) ? resolution : 1000,
        columns: [...columns!],
      };
    },
  };
}

/** True when the file starts with gzip's magic bytes (1f 8b), whatever its name. */
export async function isGzipFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new UserError(`cannot read: ${fsReason(e)}`, { file: path });
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (e) {
    // A folder opens but does not read (EISDIR).
    throw new UserError(`cannot read: ${fsReason(e)}`, { file: path });
  } finally {
    await handle.close();
  }
}

/**
 * Streams a k6 CSV file (plain or gzip, told by its magic bytes) into `onRecord`, one reused
 * record per row. A cut gzip (a killed engine) or a cut last line resolves with `truncated` and
 * a warning: the rows read are all there is; a gzip corrupt before its first row rejects. An unreadable file, header or row rejects with a
 * UserError naming the file and line. With no sample at all (even cut) it rejects too.
 */
export async function readK6Csv(
  path: string,
  onRecord: (r: K6Record) => void,
  options: { signal?: AbortSignal } = {},
): Promise<ReadResult> {
  const gzip = await isGzipFile(path);
  const parser = createK6CsvParser(onRecord, { source: path });
  const input = createReadStream(path, { highWaterMark: 1 << 20, signal: options.signal });
  let truncatedWhy: string | undefined;
  try {
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: 1 << 18 });
      input.on('error', (e) => gunzip.destroy(e));
      input.pipe(gunzip);
      try {
        for await (const chunk of gunzip) parser.push(chunk as Buffer);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'Z_BUF_ERROR' && code !== 'Z_DATA_ERROR') throw e;
        // Corrupt before the first row is a damaged file, not a cut one: nothing to report on.
        if (code === 'Z_DATA_ERROR' && parser.rows === 0) {
          throw new UserError(`gzip data is corrupt (${(e as Error).message}): not a readable k6 CSV`, {
            file: path,
            hint: 'the file was damaged after it was written; run the stage again',
          });
        }
        truncatedWhy = `${path}: gzip ${code === 'Z_BUF_ERROR' ? 'ends early' : 'is corrupt'} after ${parser.rows} rows (${(e as Error).message}): figures cover the rows read`;
      }
    } else {
      for await (const chunk of input) parser.push(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as Error).name === 'AbortError') throw e;
    throw new UserError(`cannot read: ${fsReason(e)}`, { file: path });
  } finally {
    input.destroy();
  }
  const result = parser.end(truncatedWhy ? { truncated: true, why: truncatedWhy } : {});
  if (result.rows === 0)
    throw new UserError('line 2: no samples (the input was cut before the first row)', {
      file: path,
      hint: 'the engine wrote no sample; check its log',
    });
  return result;
}
