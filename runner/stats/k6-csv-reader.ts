import { UserError } from '../../formats/errors.ts';
import { Interner, TimestampReader, csvError, decodeField, parseNumber, parseSmallInt } from './k6-csv-fields.ts';
import { RowTail } from './k6-csv-tail.ts';

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
export interface K6Sample {
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
}

/** A row as the incremental parser hands it: the sample, and any column's text. */
export interface K6Record extends K6Sample {
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

/** Widest header accepted (k6 writes about 20 columns). */
const MAX_COLUMNS = 4096;
/** A row cut by a chunk's end is first joined with this much of the next chunk only; the rest is parsed in place. */
const JOIN_BYTES = 1 << 12;
const LINE_END = Buffer.from('\n');

/** The header's columns, and where the ones the statistics read are. */
class Header {
  readonly count: number;
  readonly index: Map<string, number>;
  readonly metric: number;
  readonly time: number;
  readonly value: number;
  /** -1 when the file has no such column (k6's columns follow its systemTags). */
  readonly name: number;
  readonly status: number;
  readonly errorCode: number;

  constructor(readonly columns: string[]) {
    this.count = columns.length;
    this.index = new Map(columns.map((f, i) => [f, i]));
    this.metric = this.index.get('metric_name') ?? -1;
    this.time = this.index.get('timestamp') ?? -1;
    this.value = this.index.get('metric_value') ?? -1;
    this.name = this.index.get('name') ?? -1;
    this.status = this.index.get('status') ?? -1;
    this.errorCode = this.index.get('error_code') ?? -1;
  }

  /** What is wrong with it as k6's header, or null. */
  problem(): string | null {
    const missing = ['metric_name', 'timestamp', 'metric_value'].filter((n) => !this.index.has(n));
    if (missing.length === 0 && this.index.size === this.count) return null;
    const seen = this.columns.join(',');
    return `unknown header "${seen.length > 120 ? `${seen.slice(0, 120)}…` : seen}": expected k6's CSV header with metric_name,timestamp,metric_value${missing.length ? ` (missing ${missing.join(', ')})` : ' (a column is repeated)'}`;
  }
}

/** A sample refilled for every row (the parser's record, and the samples a parsing thread hands back). */
export class ReusedSample implements K6Sample {
  line = 0;
  metric = '';
  metricId = 0;
  timeMs = 0;
  value = 0;
  name = '';
  nameId = 0;
  status = 0;
  errorCode = 0;
}

/** The one record handed to the callback, refilled for every row. */
class ReusedRecord extends ReusedSample implements K6Record {
  constructor(private readonly parser: RowParser) {
    super();
  }
  field(column: string): string {
    return this.parser.fieldText(column);
  }
}

/**
 * The scanner: one pass over each row's bytes finds its field bounds (quoted fields included, no
 * second pass), then only the columns the statistics read are parsed, from the bytes.
 */
export class RowParser implements K6CsvParser {
  rows = 0;
  private header: Header | null = null;
  // Field bounds of the row scanned last (into `cur`); typed arrays drop writes past their end,
  // so a row with too many fields costs no bound check per field: the field count catches it.
  private readonly starts = new Int32Array(MAX_COLUMNS + 1);
  private readonly ends = new Int32Array(MAX_COLUMNS + 1);
  /** The serial of the row each field was last quoted in: no reset per row. */
  private readonly quotedIn = new Float64Array(MAX_COLUMNS + 1).fill(-1);
  private rowSerial = 0;
  /**
   * The columns up to metric_name, timestamp and metric_value (-1 before the header): the row's
   * tags follow, often the same bytes as the row before (`tail`).
   */
  private headCols = -1;
  private readonly tail = new RowTail();
  /**
   * Where the row scanned last starts, where it reached its first tag column (-1: it did not),
   * its lines before it, and whether its tags matched `tail` (its tag fields then not scanned).
   */
  private rowStart = 0;
  private rowEnd = 0;
  private tailFrom = -1;
  private headLines = 0;
  private tailHit = false;
  /**
   * k6 writes a request's metrics in the same order every time: the metric that followed each one
   * last (by id), the one expected next (-1: none, or metric_name is not the first column), and
   * whether the row scanned last starts with it (its metric_name then neither scanned nor hashed).
   */
  private readonly metricAfter: number[] = [];
  private metricGuess = -1;
  private metricHit = false;
  private fields = 0;
  private rowLines = 0;
  private quoteLines = 0;
  private cur: Uint8Array = new Uint8Array(0);
  /** A DataView of `cur`, for the interners' four-byte compares; made once per buffer. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private leftover: Buffer | null = null;
  private line = 1;
  private readonly warnings: string[] = [];
  private readonly metrics = new Interner();
  private readonly names = new Interner();
  private readonly time = new TimestampReader();
  private readonly rec = new ReusedRecord(this);

  constructor(
    private readonly onRecord: (r: K6Record) => void,
    private readonly source: string,
  ) {
    // '' (no name tag) is name id 0.
    this.names.idOfString('');
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let from = 0;
    const left = this.leftover;
    if (left !== null) {
      this.leftover = null;
      const head = Math.min(buf.length, JOIN_BYTES);
      let joined = Buffer.concat([left, buf.subarray(0, head)]);
      let rest = this.parse(joined, 0, false);
      // Nothing before the cut row's end is consumed: either it ended within the head, or no byte was.
      if (rest < left.length && head < buf.length) {
        joined = Buffer.concat([left, buf]);
        rest = this.parse(joined, 0, false);
      }
      if (rest < left.length || head === buf.length) {
        if (rest < joined.length) this.leftover = Buffer.from(joined.subarray(rest));
        return;
      }
      from = rest - left.length;
    }
    const rest = this.parse(buf, from, false);
    if (rest < buf.length) this.leftover = Buffer.from(buf.subarray(rest));
  }

  /** `elsewhere`: rows of the same file parsed by other parsers (on other threads), counted in. */
  end(endOptions: { truncated?: boolean; why?: string } = {}, elsewhere = { rows: 0, resolutionMs: Infinity }): ReadResult {
    const truncated = this.finish(endOptions);
    const rows = this.rows + elsewhere.rows;
    if (this.header === null) this.fail(1, 'empty file: no k6 CSV header', 'the engine wrote nothing; check its log');
    if (rows === 0 && !truncated) this.fail(2, 'no samples after the header', 'the engine wrote no sample; check its log');
    const resolution = Math.min(this.time.resolutionMs, elsewhere.resolutionMs);
    return {
      rows,
      truncated,
      warnings: this.warnings,
      timeResolutionMs: Number.isFinite(resolution) ? resolution : 1000,
      columns: [...this.header!.columns],
    };
  }

  /**
   * Ends the input, the last line (when it has no line end) read or dropped with a warning;
   * returns whether the input was cut. The checks on the whole input are `end`'s.
   */
  private finish(endOptions: { truncated?: boolean; why?: string }): boolean {
    let truncated = endOptions.truncated ?? false;
    if (endOptions.why) this.warnings.push(endOptions.why);
    // The end of the input ends the last line: the scanner then always meets a line end.
    const tail = this.leftover && Buffer.concat([this.leftover, LINE_END]);
    this.leftover = null;
    if (tail !== null && this.header === null) this.parse(tail, 0, true);
    else if (tail !== null) {
      // A last line without its line end: a row cut by a killed writer, unless it is whole.
      if (!truncated && this.wholeLastRow(tail)) this.finishRow(tail, tail.length);
      else {
        truncated = true;
        this.warnings.push(`${this.source}: line ${this.line}: incomplete last row ignored (the input was cut)`);
      }
    }
    return truncated;
  }

  /**
   * For a file read in pieces on several threads: reads the header at the start of buf (empty
   * lines before it skipped) and returns where the rows start, or -1 when it is not whole in buf.
   */
  readHeader(buf: Buffer): number {
    const rest = this.parse(buf, 0, false, true);
    return this.header === null ? -1 : rest;
  }

  /**
   * Goes on at another place of the file (its header read): the next row pushed starts at line
   * `line`, after the bytes `cut` (the start of a row cut there), or at a row's start.
   */
  resumeAt(line: number, cut: Uint8Array | null): void {
    this.line = line;
    this.leftover = cut && cut.length > 0 ? Buffer.from(cut) : null;
  }

  /** Bytes pushed and not parsed yet: the start of a row cut by the end of the last chunk. */
  get pending(): Uint8Array | null {
    return this.leftover;
  }

  /** The line the next row starts at. */
  get nextLine(): number {
    return this.line;
  }

  /** The finest timestamp resolution seen since the last call (Infinity when none): a thread's, piece by piece. */
  takeResolution(): number {
    const r = this.time.resolutionMs;
    this.time.resolutionMs = Infinity;
    return r;
  }

  /** The text of any column of the current row by header name ('' when empty or absent). */
  fieldText(column: string): string {
    const c = this.header?.index.get(column);
    if (c === undefined) return '';
    if (this.tailHit && c >= this.headCols) this.scanTags();
    return decodeField(this.cur, this.starts[c]!, this.ends[c]!, this.quoted(c));
  }

  /** Scans the tags of the current row, which matched the row before's and were not scanned: the same bytes, the same fields. */
  private scanTags(): void {
    const head = this.headCols;
    this.headCols = -1;
    try {
      this.scanRow(this.cur, this.rowStart, this.rowEnd, this.rowEnd - 1, false);
    } finally {
      this.headCols = head;
    }
  }

  private wholeLastRow(tail: Buffer): boolean {
    this.bind(tail);
    try {
      return this.scanRow(tail, 0, tail.length, tail.length - 1, true) >= 0 && this.fields === this.header!.count;
    } catch (e) {
      if (e instanceof UserError) return false;
      throw e;
    }
  }

  /** Parses the complete rows of buf from p (only the header: `headerOnly`); returns where the unparsed rest starts. */
  private parse(buf: Uint8Array, p: number, final: boolean, headerOnly = false): number {
    const n = buf.length;
    const lastLf = buf.lastIndexOf(LF);
    this.bind(buf);
    try {
      return this.parseRows(buf, p, n, lastLf, final, headerOnly);
    } finally {
      // The caller may refill buf once this returns.
      this.tail.detach();
    }
  }

  private parseRows(buf: Uint8Array, p: number, n: number, lastLf: number, final: boolean, headerOnly: boolean): number {
    while (p < n) {
      // Empty lines are skipped, as Go's csv reader does.
      const c0 = buf[p]!;
      if (c0 === LF) {
        p++;
        this.line++;
        continue;
      }
      if (c0 === CR && p + 1 < n && buf[p + 1] === LF) {
        p += 2;
        this.line++;
        continue;
      }
      const next = this.scanRow(buf, p, n, lastLf, final);
      if (next < 0) return p;
      if (this.header !== null) this.finishRow(buf, next);
      else {
        this.takeHeader(buf);
        if (headerOnly) return next;
      }
      p = next;
    }
    return p;
  }

  /** The buffer rows are read from: fieldText decodes from it, the compares read it through a DataView. */
  private bind(buf: Uint8Array): void {
    if (buf !== this.cur) {
      this.cur = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
  }

  /**
   * Scans the row at p: fills starts/ends (and quotedIn), `fields`, `rowLines`. Returns the
   * position after its line end, or -1 when the row is not complete in buf[.., n). Unquoted
   * fields are split in one tight loop over the bytes, with no bound check: from at most
   * `lastLf` (buf's last LF) on, it meets a line end within buf. A field starting with a quote
   * is read by `quotedField`; `final` says no byte will follow buf (a quote left open is an error).
   * At the first tag column, the rest of the row is compared with the tags of the row before.
   */
  private scanRow(buf: Uint8Array, p: number, n: number, lastLf: number, final: boolean): number {
    const starts = this.starts;
    const ends = this.ends;
    const head = this.headCols;
    this.rowSerial++;
    this.rowLines = 1;
    this.rowStart = p;
    this.tailFrom = -1;
    this.tailHit = false;
    this.metricHit = false;
    let col = 0;
    if (this.metricGuess >= 0) {
      const len = this.metrics.fieldAt(this.metricGuess, buf, this.view, p, n);
      if (len >= 0) {
        this.metricHit = true;
        starts[0] = p;
        ends[0] = p + len;
        p += len + 1;
        col = 1;
      }
    }
    let s = p;
    for (;;) {
      if (col === head) {
        this.tailFrom = p;
        this.headLines = this.rowLines;
        const end = this.tail.match(buf, this.view, p, n);
        if (end >= 0) {
          this.tailHit = true;
          this.fields = head + this.tail.fields;
          this.rowLines += this.tail.lines;
          return (this.rowEnd = end);
        }
      }
      if (p < n && buf[p] === QUOTE) {
        p = this.quotedField(buf, p, n, final, col++);
        if (p < 0 || this.fields > 0) return p;
        s = p;
        continue;
      }
      // No line end after p: the row is cut.
      if (p > lastLf) return -1;
      for (;;) {
        // To the field's end: most bytes are above the comma, one comparison each.
        let c = buf[p]!;
        while (c > COMMA || (c !== COMMA && c !== LF)) c = buf[++p]!;
        if (c === LF) return this.endRow(buf, s, p, col, p + 1);
        starts[col] = s;
        ends[col++] = p;
        s = ++p;
        if (buf[p] === QUOTE || col === head) break;
      }
    }
  }

  /** Ends a row whose last field is the unquoted buf[s, e) (a CR before the line end is not part of it). */
  private endRow(buf: Uint8Array, s: number, e: number, col: number, next: number): number {
    this.starts[col] = s;
    this.ends[col] = e > s && buf[e - 1] === CR ? e - 1 : e;
    this.fields = col + 1;
    return next;
  }

  /**
   * Reads the quoted field `col` opening at p. Returns where the next field starts, with `fields`
   * 0; or, when the field ends the row, the position after the line end, with `fields` set; or -1
   * when it is not complete in buf.
   */
  private quotedField(buf: Uint8Array, p: number, n: number, final: boolean, col: number): number {
    this.fields = 0;
    const e = this.closingQuote(buf, p + 1, n, final);
    if (e < 0) return -1;
    this.rowLines += this.quoteLines;
    this.quotedIn[col] = this.rowSerial;
    this.starts[col] = p + 1;
    this.ends[col] = e;
    const q = e + 1;
    const c = q < n ? buf[q]! : LF;
    if (c === COMMA) return q + 1;
    const crlf = c === CR && (q + 1 < n ? buf[q + 1] === LF : final);
    if (c === LF || crlf) {
      this.fields = col + 1;
      return Math.min(n, q + (crlf ? 2 : 1));
    }
    if (c === CR && q + 1 >= n) return -1;
    return this.fail(this.line + this.rowLines - 1, `unexpected character after the closing quote of field ${col + 1}`);
  }

  /** Position of the quote closing a field whose text starts at q (`""` inside is a quote); -1 when not in buf yet. */
  private closingQuote(buf: Uint8Array, q: number, n: number, final: boolean): number {
    let lines = 0;
    for (;;) {
      while (q < n && buf[q] !== QUOTE) {
        if (buf[q] === LF) lines++;
        q++;
      }
      if (q >= n) {
        if (!final) return -1;
        this.fail(this.line, 'unterminated quoted field');
      }
      if (q + 1 < n && buf[q + 1] === QUOTE) {
        q += 2;
        continue;
      }
      if (q + 1 >= n && !final) return -1;
      this.quoteLines = lines;
      return q;
    }
  }

  private quoted(col: number): boolean {
    return this.quotedIn[col] === this.rowSerial;
  }

  private takeHeader(buf: Uint8Array): void {
    if (this.fields > MAX_COLUMNS) this.fail(this.line, `header has more than ${MAX_COLUMNS} columns`);
    const columns: string[] = [];
    for (let i = 0; i < this.fields; i++) columns.push(decodeField(buf, this.starts[i]!, this.ends[i]!, this.quoted(i)));
    const header = new Header(columns);
    const problem = header.problem();
    if (problem !== null) this.fail(1, problem);
    this.header = header;
    const head = Math.max(header.metric, header.time, header.value) + 1;
    this.headCols = head < header.count ? head : -1;
    this.line += this.rowLines;
  }

  /** Parses the columns the statistics read from the row just scanned (ending at `end`) and hands it on. */
  private finishRow(buf: Uint8Array, end: number): void {
    const h = this.header!;
    const at = this.line;
    if (this.fields !== h.count)
      this.fail(at, `${this.fields} fields where the header has ${h.count}`, `the header is ${h.columns.join(',')}`);
    const rec = this.rec;
    const starts = this.starts;
    const ends = this.ends;
    const metricId = this.metricHit ? this.metricGuess : this.intern(this.metrics, buf, h.metric);
    if (h.metric === 0) {
      this.metricAfter[rec.metricId] = metricId;
      this.metricGuess = this.metricAfter[metricId] ?? -1;
    }
    rec.metricId = metricId;
    rec.metric = this.metrics.strings[metricId]!;
    if (rec.metric === '') this.fail(at, 'empty metric_name');
    rec.timeMs = this.time.read(buf, starts[h.time]!, ends[h.time]!, this.quoted(h.time));
    if (Number.isNaN(rec.timeMs))
      this.fail(
        at,
        `timestamp "${this.fieldText('timestamp')}" is not a k6 timestamp`,
        'expected Unix seconds/ms/µs/ns or RFC 3339 (K6_CSV_TIME_FORMAT)',
      );
    rec.value = parseNumber(buf, starts[h.value]!, ends[h.value]!, this.quoted(h.value));
    if (Number.isNaN(rec.value)) this.fail(at, `metric_value "${this.fieldText('metric_value')}" is not a number`);
    // The tag columns of a row whose tags matched the row before's are known.
    const known = this.tailHit ? this.headCols : MAX_COLUMNS + 1;
    const tail = this.tail;
    if (h.name >= 0) {
      rec.nameId = h.name >= known ? tail.nameId : this.intern(this.names, buf, h.name);
      rec.name = this.names.strings[rec.nameId]!;
    }
    if (h.status >= 0) rec.status = h.status >= known ? tail.status : this.smallInt(buf, h.status, 'status', at);
    if (h.errorCode >= 0) rec.errorCode = h.errorCode >= known ? tail.errorCode : this.smallInt(buf, h.errorCode, 'error_code', at);
    // A row read whole gives the next rows its tags (a row cut at the input's end has no line end to match on).
    if (!this.tailHit && this.tailFrom >= 0 && buf[end - 1] === LF) this.keepTail(buf, end);
    rec.line = at;
    this.line += this.rowLines;
    this.rows++;
    this.onRecord(rec);
  }

  private keepTail(buf: Uint8Array, end: number): void {
    const tail = this.tail;
    tail.keep(buf, this.view, this.tailFrom, end, this.fields - this.headCols, this.rowLines - this.headLines);
    tail.nameId = this.rec.nameId;
    tail.status = this.rec.status;
    tail.errorCode = this.rec.errorCode;
  }

  private intern(interner: Interner, buf: Uint8Array, col: number): number {
    return this.quoted(col)
      ? interner.idOfString(decodeField(buf, this.starts[col]!, this.ends[col]!, true))
      : interner.idOfBytes(buf, this.view, this.starts[col]!, this.ends[col]!);
  }

  private smallInt(buf: Uint8Array, col: number, column: string, at: number): number {
    const v = parseSmallInt(buf, this.starts[col]!, this.ends[col]!);
    if (Number.isNaN(v)) this.fail(at, `${column} "${this.fieldText(column)}" is not a number`);
    return v;
  }

  private fail(at: number, what: string, hint?: string): never {
    throw csvError(this.source, at, what, hint);
  }
}

/**
 * An incremental parser: push byte chunks as they arrive (a file, a FIFO the engine writes),
 * get `onRecord` called for each complete row, then `end()`. Throws UserError (file + line)
 * on an unreadable header or row.
 */
export function createK6CsvParser(onRecord: (r: K6Record) => void, options: ParserOptions = {}): K6CsvParser {
  return new RowParser(onRecord, options.source ?? '<csv>');
}
