import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../formats/errors.ts';

/** A k6 CSV's gzip stream, read in this thread or on a thread of its own (k6-csv-threads.ts). */

/** zlib's output chunks: large enough to keep messages few, small enough that the queued ones stay a few MiB. */
const GZIP_CHUNK_BYTES = 1 << 18;

/** A gzip stream of the file: zlib inflates on libuv's pool, in chunks of `chunkBytes`. */
export function gunzipFile(
  path: string,
  chunkBytes = GZIP_CHUNK_BYTES,
): { input: ReturnType<typeof createReadStream>; gunzip: ReturnType<typeof createGunzip> } {
  const input = createReadStream(path, { highWaterMark: GZIP_CHUNK_BYTES });
  const gunzip = createGunzip({ chunkSize: chunkBytes });
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  return { input, gunzip };
}

/**
 * Why a gzip stream's error after `rows` rows leaves figures on the rows read (a cut or corrupt
 * stream); rejects one corrupt before the first row, and rethrows any other error.
 */
export function gzipCutWhy(path: string, e: unknown, rows: number): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'Z_BUF_ERROR' && code !== 'Z_DATA_ERROR') throw e;
  // Corrupt before the first row is a damaged file, not a cut one: nothing to report on.
  if (code === 'Z_DATA_ERROR' && rows === 0) {
    throw new UserError(`gzip data is corrupt (${(e as Error).message}): not a readable k6 CSV`, {
      file: path,
      hint: 'the file was damaged after it was written; run the stage again',
    });
  }
  return `${path}: gzip ${code === 'Z_BUF_ERROR' ? 'ends early' : 'is corrupt'} after ${rows} rows (${(e as Error).message}): figures cover the rows read`;
}
