import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { UserError, fsReason } from '../../formats/errors.ts';
import { ReusedSample, createK6CsvParser, type K6CsvParser, type K6Record, type K6Sample, type ReadResult } from './k6-csv-reader.ts';
import { type Batch, BatchWriter, STRIDE } from './k6-csv-batch.ts';
import type { Fill } from './k6-csv-threads.ts';

/**
 * Reading a k6 CSV file (plain or gzip) into the statistics. A large plain file is parsed in
 * pieces on two threads (k6-csv-threads.ts); a large gzip is inflated and parsed on a thread of its
 * own; the calling thread takes the samples in file order, in batches of numbers: on a 2-core
 * machine the parsing and the statistics (and zlib, on libuv's pool) run side by side.
 */

/** Awaited after each chunk: the parsing thread waits there for the statistics to catch up; an abort is seen there. */
type Pacing = (() => Promise<void> | void) | undefined;

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

/** Bytes read from the file at a time: large reads into two reused buffers, no allocation per read. */
const READ_BYTES = 1 << 20;

/** A plain file into the parser; the next read runs (on libuv's pool) while the last one is parsed. */
async function pushPlain(path: string, parser: K6CsvParser, paced: Pacing): Promise<void> {
  const handle = await open(path, 'r');
  const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];
  let position = 0;
  let which = 0;
  let pending = handle.read(buffers[0]!, 0, READ_BYTES, 0);
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      which ^= 1;
      pending = handle.read(buffers[which]!, 0, READ_BYTES, position);
      parser.push(buffer.subarray(0, bytesRead));
      await paced?.();
    }
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/**
 * zlib's reads of the file, and its output chunks up to session 6: where a stream is cut or
 * corrupt, what zlib gives before it says so depends on them (see replayEnd).
 */
const GZIP_READ_BYTES = 1 << 18;
/**
 * zlib's output chunks: one MiB cost ~0.4 s less CPU per 6 M rows than 256 KiB (a quarter of the
 * calls to libuv's pool and of the buffers), for a peak RSS of ~180 MiB.
 */
const GZIP_CHUNK_BYTES = 1 << 20;

/** zlib's output of the file, `chunkBytes` at a time, to `take` (awaited); rejects with zlib's error where the stream is cut or corrupt. */
async function inflate(path: string, chunkBytes: number, take: (chunk: Buffer) => Promise<void>): Promise<void> {
  const input = createReadStream(path, { highWaterMark: GZIP_READ_BYTES });
  const gunzip = createGunzip({ chunkSize: chunkBytes });
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) await take(chunk as Buffer);
  } finally {
    input.destroy();
  }
}

function isZlibError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR';
}

/**
 * A gzip file into the parser: zlib inflates on libuv's pool while this thread parses. A cut
 * or corrupt stream after the first row returns why; corrupt before it rejects.
 */
async function pushGzip(path: string, parser: K6CsvParser, paced: Pacing): Promise<string | undefined> {
  let read = 0;
  try {
    await inflate(path, GZIP_CHUNK_BYTES, async (chunk) => {
      parser.push(chunk);
      read += chunk.length;
      await paced?.();
    });
    return undefined;
  } catch (e) {
    if (!isZlibError(e)) throw e;
    const error = await replayEnd(path, parser, paced, read, e);
    const code = (error as NodeJS.ErrnoException).code;
    // Corrupt before the first row is a damaged file, not a cut one: nothing to report on.
    if (code === 'Z_DATA_ERROR' && parser.rows === 0) {
      throw new UserError(`gzip data is corrupt (${(error as Error).message}): not a readable k6 CSV`, {
        file: path,
        hint: 'the file was damaged after it was written; run the stage again',
      });
    }
    return `${path}: gzip ${code === 'Z_BUF_ERROR' ? 'ends early' : 'is corrupt'} after ${parser.rows} rows (${(error as Error).message}): figures cover the rows read`;
  }
}

/**
 * zlib drops the output of its call that meets a cut or corrupt spot, so larger chunks give less
 * before the error (the rows of a corrupt stream, even whether it ends in a bad row). For the
 * same rows and words as 256 KiB chunks gave, the stream is inflated again in those (only when
 * it ended in an error), the `read` bytes skipped and the rest parsed; returns its error.
 */
async function replayEnd(path: string, parser: K6CsvParser, paced: Pacing, read: number, first: unknown): Promise<unknown> {
  let at = 0;
  try {
    await inflate(path, GZIP_READ_BYTES, async (chunk) => {
      const from = Math.max(0, read - at);
      at += chunk.length;
      if (from >= chunk.length) return;
      parser.push(chunk.subarray(from));
      await paced?.();
    });
    return first;
  } catch (e) {
    if (!isZlibError(e)) throw e;
    return e;
  }
}

/** Reads the file in this thread: the whole reading, errors in words (UserError naming the file). */
async function readHere(path: string, gzip: boolean, onRecord: (r: K6Record) => void, paced: Pacing): Promise<ReadResult> {
  const parser = createK6CsvParser(onRecord, { source: path });
  let truncatedWhy: string | undefined;
  try {
    if (gzip) truncatedWhy = await pushGzip(path, parser, paced);
    else await pushPlain(path, parser, paced);
  } catch (e) {
    if (e instanceof UserError || (e as Error).name === 'AbortError') throw e;
    throw new UserError(`cannot read: ${fsReason(e)}`, { file: path });
  }
  return parser.end(truncatedWhy ? { truncated: true, why: truncatedWhy } : {});
}

/** Batches handed over and not yet taken back: bounds the memory when the statistics are slower. */
const IN_FLIGHT = 2;
/** Below this many bytes of CSV a thread's start costs more than it saves; gzip counted at k6's ~1:16. */
const THREAD_MIN_BYTES = 4 << 20;
const GZIP_RATIO = 16;

interface ThreadJob {
  k6CsvFile: { path: string; gzip: boolean };
}
type FromThread =
  | ({ kind: 'rows' } & Batch)
  | { kind: 'end'; result: ReadResult }
  | { kind: 'error'; what: string; file?: string; hint?: string; stack?: string };

/** The parsing thread: samples in batches of numbers, new metric and name texts with the batch that first has them. */
async function serveThread({ path, gzip }: ThreadJob['k6CsvFile'], port: NonNullable<typeof parentPort>): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port.on('message', (buffer: ArrayBuffer) => {
    writer.spare.push(buffer);
    inFlight--;
    wake?.();
  });
  const writer = new BatchWriter();
  const flush = (): void => {
    const message: FromThread = { kind: 'rows', ...writer.take() };
    port.postMessage(message, [message.batch]);
    inFlight++;
  };
  const onRecord = (r: K6Record): void => {
    if (writer.add(r)) flush();
  };
  const paced = async (): Promise<void> => {
    while (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  };
  try {
    const result = await readHere(path, gzip, onRecord, paced);
    if (writer.rows > 0) flush();
    port.postMessage({ kind: 'end', result } satisfies FromThread);
  } catch (e) {
    const error: FromThread =
      e instanceof UserError
        ? { kind: 'error', what: withoutFile(e.message, e.file), ...(e.file ? { file: e.file } : {}), ...(e.hint ? { hint: e.hint } : {}) }
        : { kind: 'error', what: String(e), ...((e as Error).stack ? { stack: (e as Error).stack } : {}) };
    port.postMessage(error);
  }
  port.close();
}

/** A UserError's message without the `file: ` its constructor put before each line. */
function withoutFile(message: string, file: string | undefined): string {
  if (!file) return message;
  return message
    .split('\n')
    .map((line) => (line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line))
    .join('\n');
}

/**
 * A plain file read in pieces parsed on two threads (k6-csv-threads.ts). Not gzip: inflating on
 * yet another thread and handing its output on cost ~0.8 s more CPU per 6 M rows and 34 MiB more
 * peak RSS, for no gain in time (1.59 M rows/s against 1.67 on one thread, same quiet minutes).
 */
async function readPlainOnThreads(path: string, onSample: (s: K6Sample) => void, signal?: AbortSignal): Promise<ReadResult> {
  // Loaded apart, so that the bundle puts it in a chunk of its own: each thread loads only it and the reader.
  const { readInPieces } = await import('./k6-csv-threads.ts');
  let handle;
  try {
    handle = await open(path, 'r');
    let position = 0;
    const file = handle;
    const fill: Fill = async (buf, from) => {
      const { bytesRead } = await file.read(buf, from, buf.length - from, position);
      position += bytesRead;
      return bytesRead;
    };
    return await readInPieces(path, fill, onSample, signal);
  } catch (e) {
    if (e instanceof UserError || (e as Error).name === 'AbortError') throw e;
    throw new UserError(`cannot read: ${fsReason(e)}`, { file: path });
  } finally {
    await handle?.close();
  }
}

/** Reads the file on a parsing thread; the samples come back here, in file order. */
function readOnThread(path: string, gzip: boolean, onSample: (s: K6Sample) => void, signal?: AbortSignal): Promise<ReadResult> {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { k6CsvFile: { path, gzip } } satisfies ThreadJob,
    // zlib's chunks are garbage once parsed: a small young generation frees them soon (−17 MiB peak RSS on gzip).
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
  });
  const metrics: string[] = [];
  // '' is the parser's name 0, which the thread does not send.
  const names: string[] = [''];
  const sample = new ReusedSample();
  const take = (m: Extract<FromThread, { kind: 'rows' }>): void => {
    for (const t of m.metrics) metrics.push(t);
    for (const t of m.names) names.push(t);
    const a = new Float64Array(m.batch);
    for (let i = 0, at = 0; i < m.rows; i++, at += STRIDE) {
      sample.line = a[at]!;
      sample.metricId = a[at + 1]!;
      sample.metric = metrics[sample.metricId]!;
      sample.nameId = a[at + 2]!;
      sample.name = names[sample.nameId]!;
      sample.status = a[at + 3]!;
      sample.errorCode = a[at + 4]!;
      sample.timeMs = a[at + 5]!;
      sample.value = a[at + 6]!;
      onSample(sample);
    }
    worker.postMessage(m.batch, [m.batch]);
  };
  return new Promise<ReadResult>((resolve, reject) => {
    const stop = (e: unknown): void => {
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      reject(e);
    };
    const abort = (): void => stop(signal!.reason);
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('error', stop);
    // Settled already, unless the thread died without a word: that is a bug, not a bad file.
    worker.on('exit', (code) => stop(new Error(`the CSV parsing thread of ${path} exited (code ${code}) before the end of the file`)));
    worker.on('message', (m: FromThread) => {
      try {
        if (m.kind === 'rows') return take(m);
        signal?.removeEventListener('abort', abort);
        if (m.kind === 'end') return resolve(m.result);
        if (m.stack !== undefined) return reject(Object.assign(new Error(m.what), { stack: m.stack }));
        reject(new UserError(m.what, { ...(m.file ? { file: m.file } : {}), ...(m.hint ? { hint: m.hint } : {}) }));
      } catch (e) {
        stop(e);
      }
    });
  });
}

/**
 * Streams a k6 CSV file (plain or gzip, told by its magic bytes) into `onSample`, one reused
 * sample per row, in file order. A cut gzip (a killed engine) or a cut last line resolves with
 * `truncated` and a warning: the rows read are all there is; a gzip corrupt before its first row
 * rejects. An unreadable file, header or row rejects with a UserError naming the file and line.
 * With no sample at all (even cut) it rejects too.
 */
export async function readK6Csv(
  path: string,
  onSample: (s: K6Sample) => void,
  options: { signal?: AbortSignal } = {},
): Promise<ReadResult> {
  const gzip = await isGzipFile(path);
  options.signal?.throwIfAborted();
  // A thread only runs built JavaScript (runner/launch.mjs): from the TypeScript sources
  // (tests, tsx), and for small files, the file is read here.
  const threaded = import.meta.url.endsWith('.mjs') && (await stat(path)).size * (gzip ? GZIP_RATIO : 1) >= THREAD_MIN_BYTES;
  const result = !threaded
    ? await readHere(path, gzip, onSample, options.signal && (() => options.signal!.throwIfAborted()))
    : gzip
      ? await readOnThread(path, gzip, onSample, options.signal)
      : await readPlainOnThreads(path, onSample, options.signal);
  if (result.rows === 0)
    throw new UserError('line 2: no samples (the input was cut before the first row)', {
      file: path,
      hint: 'the engine wrote no sample; check its log',
    });
  return result;
}

if (!isMainThread && parentPort && (workerData as Partial<ThreadJob> | null)?.k6CsvFile) {
  void serveThread((workerData as ThreadJob).k6CsvFile, parentPort);
}
