/**
 * The values of a script's `options` as zod types, read as k6 reads them (a duration is Go's
 * syntax or a bare number of ms; a count a whole number ≥ 0), each failing with the words every
 * option error uses: `options.<path>: expected <what>, got <value>` (k6 exits 104 for these).
 */
import { z } from 'zod';
import { UserError } from '../formats/errors.ts';
import { parseDuration } from '../formats/duration.ts';
import type { K6Stage } from '../formats/k6/stage.ts';

/** k6's stage, read (formats/k6/stage.ts). */
export type Stage = K6Stage;

const DURATION = 'a duration like "30s"';
const WHOLE_NUMBER = 'a whole number ≥ 0';

export const expected = (what: string, got: unknown): string => `expected ${what}, got ${JSON.stringify(got)}`;

/** A config error in the script's options. */
export function badOption(path: string, what: string, got: unknown): UserError {
  return new UserError(`options.${path}: ${expected(what, got)}`);
}

type Ctx = z.RefinementCtx;
const fail = (ctx: Ctx, what: string, got: unknown): never => {
  ctx.addIssue({ code: 'custom', message: expected(what, got) });
  return z.NEVER;
};

/** Unset (undefined or null) is `dflt`; without a default the option is required and `missing` says so. */
function option<T>(dflt: T | undefined, missing: string, read: (v: unknown, ctx: Ctx) => T) {
  return z
    .unknown()
    .optional()
    .transform((v, ctx): T => {
      if (v !== undefined && v !== null) return read(v, ctx);
      return dflt === undefined ? fail(ctx, missing, v) : dflt;
    });
}

function readDuration(v: unknown, ctx: Ctx, what: string): number {
  if (typeof v === 'number' && v >= 0) return v; // k6 reads a bare number in options as milliseconds
  if (typeof v === 'string') {
    try {
      return parseDuration(v, DURATION, 'ms');
    } catch {
      // the words below
    }
  }
  return fail(ctx, what, v);
}

/** A duration in ms; `above0` refuses 0 (with `what` naming it). */
export function durationMs(dflt?: number, opts: { above0?: string } = {}) {
  return option(dflt, opts.above0 ?? DURATION, (v, ctx) => {
    const ms = readDuration(v, ctx, DURATION);
    return opts.above0 && ms <= 0 ? fail(ctx, opts.above0, v) : ms;
  });
}

const readWhole = (v: unknown, ctx: Ctx): number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(ctx, WHOLE_NUMBER, v);

/** A whole number ≥ 0; `above0` refuses 0 (with `what` naming it); `missing` words a required one. */
export function wholeNumber(dflt?: number, opts: { above0?: string; missing?: string } = {}) {
  return option(dflt, opts.missing ?? opts.above0 ?? WHOLE_NUMBER, (v, ctx) => {
    const n = readWhole(v, ctx);
    return opts.above0 && n === 0 ? fail(ctx, opts.above0, v) : n;
  });
}

/** A whole number ≥ 0, or null when unset (its default depends on another option). */
export const wholeNumberOrUnset = option<number | null>(null, '', readWhole);

export const boolean = option(false, '', (v, ctx) => (typeof v === 'boolean' ? v : fail(ctx, 'true or false', v)));

/** An object whose values become strings (tags, env); unset is {}. */
export const stringMap = option<Record<string, string>>({}, '', (v, ctx) =>
  typeof v === 'object'
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]))
    : fail(ctx, 'an object of strings', v),
);

const stageSchema = z.unknown().transform((s, ctx): Stage => {
  if (!s || typeof s !== 'object') return fail(ctx, '{duration, target}', s);
  const o = s as { duration?: unknown; target?: unknown };
  return { durationMs: sub(durationMs(0), 'duration', o.duration, ctx), target: sub(wholeNumber(0), 'target', o.target, ctx) };
});

/** Reads a field inside a transform, its issues at the field's path. */
function sub<T>(schema: z.ZodType<T>, key: string, v: unknown, ctx: Ctx): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: [key, ...i.path] });
  return z.NEVER;
}

/** k6's stages: [{duration, target}, …]; `nonEmpty` words the refusal of an empty list. */
export function stages(opts: { nonEmpty?: string } = {}) {
  return z
    .unknown()
    .optional()
    .transform((v, ctx): Stage[] => {
      if (!Array.isArray(v)) return fail(ctx, 'an array of {duration, target}', v);
      if (opts.nonEmpty && v.length === 0) return fail(ctx, opts.nonEmpty, v);
      const r = z.array(stageSchema).safeParse(v);
      if (r.success) return r.data;
      for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path });
      return z.NEVER;
    });
}

/** An issue's path in k6's words: `scenarios.s.stages[0].duration`. */
function optionPath(prefix: string, path: readonly PropertyKey[]): string {
  let p = prefix;
  for (const k of path) p += typeof k === 'number' ? `[${k}]` : p ? `.${String(k)}` : String(k);
  return p;
}

/** Parses `value` with `schema`; the first issue is a UserError naming the option's path. */
export function readOption<T>(schema: z.ZodType<T>, path: string, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new UserError(`options.${optionPath(path, issue.path)}: ${issue.message}`);
}
