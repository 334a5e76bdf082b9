import { open, stat } from 'node:fs/promises';
import { UserError, fsReason } from '../../formats/errors.ts';
import { createK6CsvParser, type K6CsvParser, type K6Record, type K6Sample, type ReadResult } from './k6-csv-reader.ts';
import { gunzipFile, gzipCutWhy } from './k6-csv-gzip.ts';
import type { Fill } from './k6-csv-threads.ts';

/**
 * Reading a k6 CSV file (plain or gzip) into the statistics. A large file is parsed in pieces on
 * two threads (and a gzip inflated on a third) while the calling thread takes the samples in file
 * order (k6-csv-threads.ts); a small one, or any from the TypeScript sources, is read here.
 */

/** Awaited after each chunk read here: an abort is seen there. */
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
 * A gzip file into the parser: zlib inflates on libuv's pool while the main thread parses. A cut
 * or corrupt stream after the first row returns why; corrupt before it rejects.
 */
async function pushGzip(path: string, parser: K6CsvParser, paced: Pacing): Promise<string | undefined> {
  const { input, gunzip } = gunzipFile(path);
  try {
    for await (const chunk of gunzip) {
      parser.push(chunk as Buffer);
      await paced?.();
    }
    return undefined;
  } catch (e) {
    return gzipCutWhy(path, e, parser.rows);
  } finally {
    input.destroy();
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

/** Below this many bytes of CSV threads cost more than they save; gzip counted at k6's ~1:16. */
const THREAD_MIN_BYTES = 4 << 20;
const GZIP_RATIO = 16;

/** Reads the file in pieces parsed on two threads (runner/stats/k6-csv-threads.ts); errors in words as `readHere`'s. */
async function readOnThreads(path: string, gzip: boolean, onSample: (s: K6Sample) => void, signal?: AbortSignal): Promise<ReadResult> {
  // Loaded apart, so that the bundle puts it in a chunk of its own: each thread loads only it and the reader.
  const { inflateOnThread, readInPieces } = await import('./k6-csv-threads.ts');
  try {
    if (!gzip) {
      const handle = await open(path, 'r');
      let position = 0;
      const fill: Fill = async (buf, from) => {
        const { bytesRead } = await handle.read(buf, from, buf.length - from, position);
        position += bytesRead;
        return bytesRead;
      };
      try {
        return await readInPieces(path, fill, () => undefined, onSample, signal);
      } finally {
        await handle.close();
      }
    }
    const inflated = inflateOnThread(path);
    try {
      return await readInPieces(path, inflated.fill, inflated.cutWhy, onSample, signal);
    } finally {
      inflated.stop();
    }
  } catch (e) {
    if (e instanceof UserError || (e as Error).name === 'AbortError') throw e;
    throw new UserError(`cannot read: ${fsReason(e)}`, { file: path });
  }
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
  const result = threaded
    ? await readOnThreads(path, gzip, onSample, options.signal)
    : await readHere(path, gzip, onSample, options.signal && (() => options.signal!.throwIfAborted()));
  if (result.rows === 0)
    throw new UserError('line 2: no samples (the input was cut before the first row)', {
      file: path,
      hint: 'the engine wrote no sample; check its log',
    });
  return result;
}
