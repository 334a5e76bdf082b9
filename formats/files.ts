import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserError, fsReason } from './errors.ts';
import type { JsonFormat } from './json-format.ts';

/** File I/O for the formats, kept apart from their pure parsing (./json-format.ts). */

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync, then rename.
 * A crash leaves either the old file or the new one, never half of one.
 * With `exclusive`, refuses to replace an existing file (nothing recorded is overwritten).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (options.exclusive) {
    const existing = await open(path, 'r').catch(() => undefined);
    if (existing) {
      await existing.close();
      throw new UserError('already exists; refusing to overwrite a recorded file', { file: path });
    }
  }
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(tmp, path);
}

/** Reads and validates a file of `format`; a missing or unreadable file is a UserError naming it. */
export async function readFormat<S extends z.ZodType>(format: JsonFormat<S>, path: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw unreadable(path, e);
  }
  return format.parse(text, path);
}

/** readFormat for a file read on first use, inside synchronous code (a run's summary: runner/results-store.ts). */
export function readFormatSync<S extends z.ZodType>(format: JsonFormat<S>, path: string): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw unreadable(path, e);
  }
  return format.parse(text, path);
}

function unreadable(path: string, e: unknown): UserError {
  return new UserError(`cannot read: ${fsReason(e)}`, { file: path, cause: e });
}

/** Writes `value` as a file of `format`, atomically (see writeFileAtomic). */
export async function writeFormat<S extends z.ZodType>(
  format: JsonFormat<S>,
  path: string,
  value: z.infer<S>,
  options?: { exclusive?: boolean },
): Promise<void> {
  await writeFileAtomic(path, format.stringify(value), options);
}

/**
 * The folder of the package that holds `fromUrl` (a module's import.meta.url): the nearest one up
 * with a package.json. Resolving the toolkit's own files from it, not from a module's place, keeps
 * them found from the sources and from the prebuilt bundles (dist/prebuilt, runner/launch.mjs) alike.
 */
export function packageRoot(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(fromUrl)}`);
    dir = up;
  }
  return dir;
}
