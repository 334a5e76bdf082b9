import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';
import { CSV_COLUMNS, csvField, encodePairs, formatTimestamp, formatValue, type CsvTimeFormat } from '../formats/k6/csv.ts';

/** The columns that carry a tag (between metric_value and extra_tags), as a list and a set: built once per output. */
export interface TagColumns {
  list: readonly string[];
  set: ReadonlySet<string>;
}

export function tagColumns(list: readonly string[]): TagColumns {
  return { list, set: new Set(list) };
}

/** k6's default columns (its default `systemTags`). */
const DEFAULT_COLUMNS = tagColumns(CSV_COLUMNS.slice(3, -2));

/** The header line for these tag columns. Pure. */
export function csvHeader(cols: TagColumns = DEFAULT_COLUMNS): string {
  return `metric_name,timestamp,metric_value,${cols.list.map((c) => `${c},`).join('')}extra_tags,metadata\n`;
}

/** The part of a row after metric_value (tags, extra_tags, metadata, newline). Pure. */
export function csvTail(
  tags: Readonly<Record<string, string>>,
  metadata: Readonly<Record<string, string>> | undefined,
  cols: TagColumns = DEFAULT_COLUMNS,
): string {
  let row = '';
  for (const c of cols.list) {
    const v = tags[c];
    row += v === undefined ? ',' : `,${csvField(v)}`;
  }
  let extra: Record<string, string> | null = null;
  for (const k in tags) {
    if (!cols.set.has(k)) (extra ??= {})[k] = tags[k]!;
  }
  return `${row},${extra ? csvField(encodePairs(extra)) : ''},${metadata ? csvField(encodePairs(metadata)) : ''}\n`;
}

/** Formats one sample as k6's CSV row (with its trailing newline). Pure. */
export function csvRow(
  metric: string,
  epochMs: number,
  value: number,
  tags: Readonly<Record<string, string>>,
  metadata: Readonly<Record<string, string>> | undefined,
  format: CsvTimeFormat,
  cols: TagColumns = DEFAULT_COLUMNS,
): string {
  return `${csvField(metric)},${formatTimestamp(epochMs, format)},${formatValue(value)}${csvTail(tags, metadata, cols)}`;
}

/**
 * k6's `--out csv=<file>`: rows are buffered and written every second and on close; gzip when
 * the name ends in `.gz`. A failed write is kept and reported by flush()/close(): the run must
 * fail, since a silently short CSV would make the figures look better than they are.
 */
/**
 * Rows held before they go to the file (or gzip) even within a second: held a whole second at
 * ~80,000 rows a second (150 VUs flat out), they outlived the main thread's young generation and
 * raised the engine's peak RSS by ~70-110 MiB. The file's bytes are the same; only their chunks differ.
 */
const MAX_BUFFERED_CHARS = 1 << 20;

export class CsvOutput {
  private buffer: string[] = [];
  private bufferedChars = 0;
  private error: Error | null = null;
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly sink: NodeJS.WritableStream;

  private constructor(
    readonly path: string,
    readonly format: CsvTimeFormat,
    private readonly cols: TagColumns,
  ) {
    this.file = createWriteStream(path);
    this.file.on('error', (e) => (this.error ??= e));
    if (path.endsWith('.gz')) {
      this.gzip = createGzip();
      this.gzip.on('error', (e) => (this.error ??= e));
      this.gzip.pipe(this.file);
      this.sink = this.gzip;
    } else {
      this.gzip = null;
      this.sink = this.file;
    }
    this.buffer.push(csvHeader(cols));
  }

  /** Opens the file (a FIFO blocks until its reader opens it, as with k6); `cols`: the enabled system tags' columns. */
  static open(path: string, format: CsvTimeFormat, cols: TagColumns = DEFAULT_COLUMNS): CsvOutput {
    return new CsvOutput(path, format, cols);
  }

  failure(): Error | null {
    return this.error;
  }

  add(
    metric: string,
    epochMs: number,
    value: number,
    tags: Readonly<Record<string, string>>,
    metadata?: Readonly<Record<string, string>>,
  ): void {
    this.hold(csvRow(metric, epochMs, value, tags, metadata, this.format, this.cols));
  }

  /** Rows of samples sharing a time and tags (one HTTP request's 9): the tags are formatted once. */
  addMany(
    metrics: readonly string[],
    values: readonly number[],
    epochMs: number,
    tags: Readonly<Record<string, string>>,
    metadata?: Readonly<Record<string, string>>,
  ): void {
    const ts = formatTimestamp(epochMs, this.format);
    const tail = csvTail(tags, metadata, this.cols);
    let rows = '';
    for (let i = 0; i < metrics.length; i++) rows += `${csvField(metrics[i]!)},${ts},${formatValue(values[i]!)}${tail}`;
    this.hold(rows);
  }

  /** Buffers rows until the next flush, or writes them now once MAX_BUFFERED_CHARS are held. */
  private hold(rows: string): void {
    this.buffer.push(rows);
    this.bufferedChars += rows.length;
    if (this.bufferedChars < MAX_BUFFERED_CHARS || this.error) return;
    // No wait for 'drain' here (add is synchronous): the next flush() waits for it.
    this.sink.write(this.takeBuffered());
  }

  private takeBuffered(): string {
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferedChars = 0;
    return chunk;
  }

  /** Writes what is buffered; resolves when the data left the process (or was queued by gzip). */
  async flush(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.buffer.length) return;
    const ok = this.sink.write(this.takeBuffered());
    if (!ok) {
      // Wait for drain, or for a failure (then no drain comes); listeners removed either way.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.sink.removeListener('drain', done);
          this.file.removeListener('error', done);
          resolve();
        };
        this.sink.once('drain', done);
        this.file.once('error', done);
      });
    }
    if (this.error) throw this.error;
  }

  /** Flushes, finishes gzip and closes the file; throws the first write error. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      // A file that failed to open is already closed: waiting for 'close' would never end.
      if (!this.file.closed && !this.file.destroyed) {
        const closed = once(this.file, 'close').catch(() => undefined);
        if (this.gzip) this.gzip.end();
        else this.file.end();
        await closed;
      } else this.gzip?.destroy();
    }
    if (this.error) throw this.error;
  }
}
