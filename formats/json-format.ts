import type { z } from 'zod';
import { UserError } from './errors.ts';

/** A JSON file format: its schema (which is its type), a parser that names the file, a printer. Pure: files are read and written by ./files.ts. */
export interface JsonFormat<S extends z.ZodType> {
  readonly kind: string;
  readonly schemaVersion: number;
  readonly schema: S;
  /** Parses and validates; throws a UserError naming `source` and the first wrong path. */
  parse(text: string, source: string): z.infer<S>;
  stringify(value: z.infer<S>): string;
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
  };
}
