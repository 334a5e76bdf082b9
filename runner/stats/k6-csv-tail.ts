/**
 * The tag columns of the row before, kept to skip scanning them again. k6 writes the rows of one
 * request (9 of them) with the same tags, and a row's tags follow its metric_name, timestamp and
 * metric_value: about 4 rows in 5 end in the same bytes as the row before. Comparing those bytes
 * four at a time costs less than finding their ~16 fields one byte at a time (a mispredicted
 * branch per field), and the name, status and error code read from them are known already.
 * Same bytes from a field's start to the row's line end scan to the same fields, so a match
 * stands for the scan (it never stands for an error: a tail is kept only from a row read whole).
 */
export class RowTail {
  /** Bytes kept: from the first tag field's start to the row's end, its line end included; 0: none. */
  length = 0;
  /** Fields, and lines (quoted line ends), in the kept bytes. */
  fields = 0;
  lines = 0;
  /** Name id, status and error code read from the kept bytes (when their columns are tags). */
  nameId = 0;
  status = 0;
  errorCode = 0;
  /** Where the kept bytes are: in the buffer being parsed (no copy per row), or copied to `own`. */
  private bytes: Uint8Array;
  private view: DataView;
  private from = 0;
  private own = new Uint8Array(256);
  private ownView = new DataView(this.own.buffer);

  constructor() {
    this.bytes = this.own;
    this.view = this.ownView;
  }

  /** Where the row ends when buf from p holds the kept bytes (`view` a DataView of all of buf); -1 otherwise. */
  match(buf: Uint8Array, view: DataView, p: number, n: number): number {
    const len = this.length;
    if (len === 0 || p + len > n) return -1;
    const known = this.view;
    const from = this.from;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (known.getInt32(from + i) !== view.getInt32(p + i)) return -1;
    for (; i < len; i++) if (this.bytes[from + i] !== buf[p + i]) return -1;
    return p + len;
  }

  /** Keeps buf[from, to), the tags of a row read whole, where they are: `detach` before buf is reused. */
  keep(buf: Uint8Array, view: DataView, from: number, to: number, fields: number, lines: number): void {
    this.bytes = buf;
    this.view = view;
    this.from = from;
    this.length = to - from;
    this.fields = fields;
    this.lines = lines;
  }

  /** Copies the kept bytes out of the buffer they are in (its owner may refill it). */
  detach(): void {
    if (this.bytes === this.own) return;
    const len = this.length;
    if (this.own.length < len) {
      this.own = new Uint8Array(Math.max(len, this.own.length * 2));
      this.ownView = new DataView(this.own.buffer);
    }
    this.own.set(this.bytes.subarray(this.from, this.from + len));
    this.bytes = this.own;
    this.view = this.ownView;
    this.from = 0;
  }
}
