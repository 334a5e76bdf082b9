import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../formats/errors.ts';
import { type Batch, BatchWriter, STRIDE } from './k6-csv-batch.ts';
import { type K6Record, type K6Sample, type ReadResult, ReusedSample, RowParser } from './k6-csv-reader.ts';

/**
 * A large plain k6 CSV parsed on two threads at once. The calling thread reads the file
 * and cuts it into pieces at their last line end; the two threads parse the pieces in turn and
 * send the samples back in batches of numbers; the calling thread adds them in file order, so
 * every sum is taken in the same order as by one parser.
 *
 * A line end inside a quoted field makes a wrong cut: the piece before it then ends in an
 * unfinished row. That is seen when that piece is taken, before any sample of the next one is:
 * the calling thread then parses the next pieces itself from the cut row on, until a piece ends
 * clean. A piece a thread could not parse is parsed here again, for the error in words with its
 * line (a thread knows lines only from the start of its piece).
 */

/** Bytes of the file per piece: small enough that the pieces in flight stay a few MiB, large enough that messages are few. */
const PIECE_BYTES = 1 << 20;
/** Pieces handed out and not yet taken: bounds the memory when the statistics are slower. */
const PIECES_IN_FLIGHT = 3;
const THREADS = 2;
const LF = 10;

/** Fills buf from `from` with the next bytes of the input; 0 at its end. */
export type Fill = (buf: Buffer, from: number) => Promise<number>;

interface ThreadJob {
  k6CsvPieces: { header: Uint8Array };
}
/** A piece to parse, with the batches taken since the last one, for reuse. */
type ToThread = { piece: number; buffer: ArrayBuffer; length: number; batches: ArrayBuffer[] };
/** A full batch within a piece; a piece's end, with its last batch (one message a piece, mostly). */
type FromThread =
  | ({ kind: 'rows'; piece: number } & Batch)
  | ({ kind: 'done'; piece: number; buffer: ArrayBuffer; length: number; lines: number; cut: number; resolutionMs: number } & Batch)
  | { kind: 'failed'; piece: number; buffer: ArrayBuffer; length: number; what: string; stack?: string };

/** A thread's pieces: parsed in turn, each from its line 0, the rows sent in batches. */
function serveThread({ header }: ThreadJob['k6CsvPieces'], port: NonNullable<typeof parentPort>): void {
  const writer = new BatchWriter();
  let piece = 0;
  const parser = new RowParser((r) => {
    if (!writer.add(r)) return;
    const full: FromThread = { kind: 'rows', piece, ...writer.take() };
    port.postMessage(full, [full.batch]);
  }, '<piece>');
  parser.readHeader(Buffer.from(header));
  port.on('message', (job: ToThread) => {
    for (const b of job.batches) writer.spare.push(b);
    piece = job.piece;
    try {
      parser.resumeAt(0, null);
      parser.push(Buffer.from(job.buffer, 0, job.length));
      const done: FromThread = {
        kind: 'done',
        piece,
        buffer: job.buffer,
        length: job.length,
        lines: parser.nextLine,
        cut: parser.pending?.length ?? 0,
        resolutionMs: parser.takeResolution(),
        ...writer.take(),
      };
      port.postMessage(done, [job.buffer, done.batch]);
    } catch (e) {
      // The piece is parsed again on the other side, for the error in words.
      writer.discard();
      const failed: FromThread = { kind: 'failed', piece, buffer: job.buffer, length: job.length, what: String(e) };
      if (!(e instanceof UserError) && (e as Error).stack) failed.stack = (e as Error).stack!;
      port.postMessage(failed, [job.buffer]);
    }
  });
}

/** Ids of one parser's metric and name texts → ids of the whole file, given in file order of first use. */
class IdMap {
  readonly texts: string[] = [];
  private readonly global: number[] = [];
  constructor(private readonly all: GlobalIds) {}
  id(local: number): number {
    const g = this.global[local];
    return g !== undefined ? g : (this.global[local] = this.all.id(this.texts[local]!));
  }
}

class GlobalIds {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.ids.set(text, id);
      this.strings.push(text);
    }
    return id;
  }
}

/** The calling thread's side: pieces out, samples in, in file order. */
class PiecesRead {
  private readonly workers: Worker[] = [];
  private readonly metrics = new GlobalIds();
  private readonly names = new GlobalIds();
  /** Per thread, then this thread's parser: its ids → the file's. */
  private readonly ids: Array<{ metrics: IdMap; names: IdMap }> = [];
  private readonly queues = new Map<number, FromThread[]>();
  private readonly sample = new ReusedSample();
  /** Pieces given out, pieces taken. */
  private given = 0;
  private taken = 0;
  /** The line the next piece to take starts at. */
  private line = 1;
  /** The start of a row the last piece taken cut (its last line end was in quotes): the parser here goes on from it. */
  private cut: Uint8Array | null = null;
  /** Rows and finest timestamp resolution of the pieces taken from the threads. */
  private threadRows = 0;
  private resolutionMs = Infinity;
  private readonly free: Buffer[] = [];
  /** Per thread, the batches taken since its last piece: they go back with its next one. */
  private readonly spare: ArrayBuffer[][] = [];
  private wake: (() => void) | null = null;
  private failure: { error: unknown } | null = null;
  /** Parses here: the header, what follows a wrong cut, the end of the file, a piece in error (for its line). */
  private readonly here: RowParser;
  private readonly hereIds: { metrics: IdMap; names: IdMap };

  constructor(
    source: string,
    private readonly onSample: (s: K6Sample) => void,
  ) {
    this.names.id('');
    this.hereIds = this.idMaps();
    this.here = new RowParser((r) => this.addHere(r), source);
  }

  /** Reads all of the input through `fill`. */
  async read(fill: Fill, signal?: AbortSignal): Promise<ReadResult> {
    const abort = (): void => this.fail(signal!.reason);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const tail = await this.pump(fill);
      while (this.taken < this.given) await this.progress();
      this.here.resumeAt(this.line, this.cut);
      this.here.push(tail);
      return this.here.end({}, { rows: this.threadRows, resolutionMs: this.resolutionMs });
    } finally {
      signal?.removeEventListener('abort', abort);
      for (const w of this.workers) {
        w.removeAllListeners('exit');
        void w.terminate();
      }
    }
  }

  /** Cuts the input into pieces at their last line end and gives them out; returns the bytes after the last piece. */
  private async pump(fill: Fill): Promise<Buffer> {
    let buf: Buffer = Buffer.allocUnsafe(PIECE_BYTES);
    let length = 0;
    let started = false;
    for (;;) {
      const n = await fill(buf, length);
      this.throwFailure();
      length += n;
      if (n > 0 && length < buf.length) continue;
      if (!started) {
        const rowsAt = this.here.readHeader(buf.subarray(0, length));
        if (rowsAt >= 0) {
          this.start(buf.subarray(0, rowsAt));
          started = true;
          this.line = this.here.nextLine;
          buf.copy(buf, 0, rowsAt, length);
          length -= rowsAt;
          if (n > 0) continue;
        }
      }
      if (n === 0) return buf.subarray(0, length);
      const end = started ? buf.lastIndexOf(LF, length - 1) + 1 : 0;
      if (end === 0) {
        // No line end (or no whole header) in a full buffer: a longer one.
        const longer = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(longer, 0, 0, length);
        buf = longer;
        continue;
      }
      while (this.given - this.taken >= PIECES_IN_FLIGHT) await this.progress();
      const next = this.free.pop() ?? Buffer.allocUnsafe(PIECE_BYTES);
      const rest = length - end;
      const into = next.length >= rest * 2 ? next : Buffer.allocUnsafe(Math.max(PIECE_BYTES, rest * 2));
      buf.copy(into, 0, end, length);
      this.give(buf, end);
      buf = into;
      length = rest;
    }
  }

  /** Starts the threads, the header's bytes theirs. */
  private start(header: Uint8Array): void {
    for (let i = 0; i < THREADS; i++) {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { k6CsvPieces: { header: header.slice() } } satisfies ThreadJob,
        resourceLimits: { maxYoungGenerationSizeMb: 2 },
      });
      this.ids.push(this.idMaps());
      this.spare.push([]);
      worker.on('message', (m: FromThread) => this.onMessage(m));
      worker.on('error', (e) => this.fail(e));
      // Ended only by this side: an exit before is a bug, not a bad file.
      worker.on('exit', (code) => this.fail(new Error(`a CSV parsing thread exited (code ${code}) before the end of the file`)));
      this.workers.push(worker);
    }
  }

  private give(buf: Buffer, length: number): void {
    const piece = this.given++;
    const thread = piece % THREADS;
    const batches = this.spare[thread]!.splice(0);
    const job: ToThread = { piece, buffer: buf.buffer as ArrayBuffer, length, batches };
    this.workers[thread]!.postMessage(job, [job.buffer, ...batches]);
  }

  /** Resolves when a piece was taken or something failed (thrown here). */
  private async progress(): Promise<void> {
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.wake?.();
  }

  private onMessage(m: FromThread): void {
    if (this.failure) return;
    try {
      let queue = this.queues.get(m.piece);
      if (!queue) this.queues.set(m.piece, (queue = []));
      queue.push(m);
      this.takeQueued();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Takes what arrived of the next pieces, in file order. */
  private takeQueued(): void {
    for (;;) {
      const queue = this.queues.get(this.taken);
      const m = queue?.shift();
      if (m === undefined) return;
      if (m.kind !== 'failed') this.takeRows(this.taken % THREADS, m);
      if (m.kind === 'rows') continue;
      this.queues.delete(this.taken);
      this.endPiece(m);
      this.free.push(Buffer.from(m.buffer));
      this.taken++;
      this.wake?.();
    }
  }

  private takeRows(thread: number, m: Batch): void {
    const ids = this.ids[thread]!;
    for (const t of m.metrics) ids.metrics.texts.push(t);
    for (const t of m.names) ids.names.texts.push(t);
    // After a wrong cut the thread's rows are not rows: the piece is parsed here at its end.
    if (this.cut === null) {
      const a = new Float64Array(m.batch);
      const s = this.sample;
      const base = this.line;
      for (let i = 0, at = 0; i < m.rows; i++, at += STRIDE) {
        s.line = base + a[at]!;
        s.metricId = ids.metrics.id(a[at + 1]!);
        s.metric = this.metrics.strings[s.metricId]!;
        s.nameId = ids.names.id(a[at + 2]!);
        s.name = this.names.strings[s.nameId]!;
        s.status = a[at + 3]!;
        s.errorCode = a[at + 4]!;
        s.timeMs = a[at + 5]!;
        s.value = a[at + 6]!;
        this.onSample(s);
      }
      this.threadRows += m.rows;
    }
    this.spare[thread]!.push(m.batch);
  }

  private endPiece(m: Exclude<FromThread, { kind: 'rows' }>): void {
    if (m.kind === 'done' && this.cut === null) {
      this.line += m.lines;
      if (this.resolutionMs > m.resolutionMs) this.resolutionMs = m.resolutionMs;
      this.cut = m.cut > 0 ? new Uint8Array(m.buffer, m.length - m.cut, m.cut).slice() : null;
      return;
    }
    // After a wrong cut, or for the error in words of a piece a thread could not parse.
    this.here.resumeAt(this.line, this.cut);
    this.here.push(Buffer.from(m.buffer, 0, m.length));
    if (m.kind === 'failed' && this.cut === null) throw Object.assign(new Error(m.what), m.stack ? { stack: m.stack } : {});
    this.line = this.here.nextLine;
    this.cut = this.here.pending?.slice() ?? null;
  }

  private addHere(r: K6Record): void {
    const ids = this.hereIds;
    if (r.metricId === ids.metrics.texts.length) ids.metrics.texts.push(r.metric);
    if (r.nameId === ids.names.texts.length) ids.names.texts.push(r.name);
    const s = this.sample;
    s.line = r.line;
    s.metricId = ids.metrics.id(r.metricId);
    s.metric = this.metrics.strings[s.metricId]!;
    s.nameId = ids.names.id(r.nameId);
    s.name = this.names.strings[s.nameId]!;
    s.status = r.status;
    s.errorCode = r.errorCode;
    s.timeMs = r.timeMs;
    s.value = r.value;
    this.onSample(s);
  }

  private idMaps(): { metrics: IdMap; names: IdMap } {
    const maps = { metrics: new IdMap(this.metrics), names: new IdMap(this.names) };
    // Every parser's name id 0 is '' (no name tag), met or not.
    maps.names.texts.push('');
    return maps;
  }
}

/**
 * Reads a k6 CSV given by `fill` on two parsing threads (the built command only: a thread runs
 * this module's built JavaScript); the samples come to `onSample` here, in file order.
 */
export function readInPieces(source: string, fill: Fill, onSample: (s: K6Sample) => void, signal?: AbortSignal): Promise<ReadResult> {
  return new PiecesRead(source, onSample).read(fill, signal);
}

if (!isMainThread && parentPort && (workerData as Partial<ThreadJob> | null)?.k6CsvPieces) {
  serveThread((workerData as ThreadJob).k6CsvPieces, parentPort);
}
