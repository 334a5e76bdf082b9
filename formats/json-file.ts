import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { UserError, fsReason } from './errors.ts';

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

/** A JSON file format: its schema (which is its type), a parser that names the file, a printer. */
export interface JsonFormat<S extends z.ZodType> {
  readonly kind: string;
  readonly schemaVersion: number;
  readonly schema: S;
  /** Parses and validates; throws a UserError naming `source` and the first wrong path. */
  parse(text: string, source: string): z.infer<S>;
  stringify(value: z.infer<S>): string;
  read(path: string): Promise<z.infer<S>>;
  /** Atomic write (see writeFileAtomic). */
  write(path: string, value: z.infer<S>, options?: { exclusive?: boolean }): Promise<void>;
}

/** The JSON value of a file's text (unchecked: validate it with a schema); bad JSON is a UserError naming `source`, with `hint`. */
export function parseJsonText(text: string, source: string, hint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`not valid JSON (${(e as Error).message})`, { file: source, hint });
  }
}

/**
 * Readers of a format's older schema versions: each turns a file of that version into the shape
 * of the current one (validated after), so that files that cannot be regenerated keep loading.
 */
export type OlderVersions = Readonly<Record<number, (raw: Record<string, unknown>) => unknown>>;

export function jsonFormat<S extends z.ZodType>(
  kind: string,
  schemaVersion: number,
  schema: S,
  regenerateHint: string,
  older: OlderVersions = {},
): JsonFormat<S> {
  const parse = (text: string, source: string): z.infer<S> => {
    let raw = parseJsonText(text, source, regenerateHint);
    const version = raw && typeof raw === 'object' ? (raw as { schemaVersion?: unknown }).schemaVersion : undefined;
    const upgrade = typeof version === 'number' && version !== schemaVersion ? older[version] : undefined;
    if (upgrade && (raw as { kind?: unknown }).kind === kind) raw = upgrade(raw as Record<string, unknown>);
    if (raw && typeof raw === 'object' && 'kind' in raw && (raw as { kind: unknown }).kind !== kind) {
      throw new UserError(`kind: expected "${kind}", got ${JSON.stringify((raw as { kind: unknown }).kind)}`, { file: source });
    }
    if (raw && typeof raw === 'object' && 'schemaVersion' in raw && (raw as { schemaVersion: unknown }).schemaVersion !== schemaVersion) {
      const got = (raw as { schemaVersion: unknown }).schemaVersion;
      throw new UserError(`schemaVersion: expected ${schemaVersion}, got ${JSON.stringify(got)}`, {
        file: source,
        hint: typeof got === 'number' && got > schemaVersion ? 'written by a newer version of the toolkit' : regenerateHint,
      });
    }
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const path = issue.path.length ? issue.path.join('.') : '(root)';
      throw new UserError(`${path}: ${issue.message}`, { file: source, hint: regenerateHint });
    }
    return result.data;
  };
  const stringify = (value: z.infer<S>): string => `${JSON.stringify(value, null, 2)}\n`;
  return {
    kind,
    schemaVersion,
    schema,
    parse,
    stringify,
    async read(path) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new UserError(`cannot read: ${fsReason(e)}`, { file: path, cause: e });
      }
      return parse(text, path);
    },
    async write(path, value, options) {
      await writeFileAtomic(path, stringify(value), options);
    },
  };
}
