import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.ts';
import { EnvironmentsSchema, environmentProblems } from './environments.ts';
import { UserError } from './errors.ts';
import { parseJsonText } from './json-format.ts';
import { SHORT_HOLD_MS, windowParams } from './window-rule.ts';

/**
 * `capacity.config.json`: every threshold and plan default of the toolkit, in one file users edit.
 * The defaults reproduce docs/spec.md exactly. Layers merge in one place (see `applyOverrides`):
 * defaults < file < flags. Durations stay in k6 syntax here ("10m") and become milliseconds once,
 * through `configDurationsMs`.
 */

/** The file looked for in the working directory when no `--config` is given. */
export const CONFIG_FILE_NAME = 'capacity.config.json';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const duration = (fallback: string) => z.string().default(fallback);

export const CapacityConfigSchema = z.strictObject({
  /** Lets editors validate the file against a JSON schema; ignored by the toolkit. */
  $schema: z.string().optional(),
  /**
   * The environment the runs measure (a name for the report: "staging", "production"): the one runs
   * given `--host` record, and the one `decide` and `report` read unless told another. Not given
   * beside an `environments` list: the list's first (see parseConfig).
   */
  environment: z.string().min(1).default('staging'),
  /**
   * Named hosts measured with the same scenario, stages and criteria, e.g. the current hosting and a
   * migration candidate (formats/environments.ts): `npm run stages -- --environment candidate`.
   */
  environments: EnvironmentsSchema,
  /** User levels, one stage each, in the order they run. */
  stages: z.array(z.number().int().positive()).min(1).default([5, 20, 50, 75, 100, 150]),
  /** Hold of each stage, k6 syntax. */
  duration: duration('10m'),
  /** Users started per second during each stage's ramp. */
  spawnRate: z.number().positive().default(5),
  /** The concurrency the service must hold (one of `stages`). */
  targetStage: z.number().int().positive().default(100),
  keyTransaction: z
    .strictObject({
      /** Samples tagged `name=<this>` are the key transaction. */
      name: z.string().min(1).default('search'),
      /**
       * Their metric: `http_req_duration` (HTTP requests), or a custom Trend of the script, e.g.
       * `ws_action_duration` for the session scenario's WebSocket actions (formats/key-transaction.ts).
       */
      metric: z.string().min(1).default('http_req_duration'),
    })
    .prefault({}),
  criteria: z
    .strictObject({
      /** p95 of the key transaction at the target stage: green ≤ green, orange ≤ orange, red above. */
      p95Ms: z.strictObject({ green: z.number().positive().default(2500), orange: z.number().positive().default(4000) }).prefault({}),
      /** Failed / all requests up to the target stage, percent: green < green, orange ≤ orange, red above. */
      errorRatePct: z
        .strictObject({ green: z.number().positive().max(100).default(1), orange: z.number().positive().max(100).default(3) })
        .prefault({}),
      /** The target stage held for its whole duration (SPEC §2 (c)). */
      held: z
        .strictObject({
          /** One-sided Mann–Kendall significance level. */
          trendAlpha: z.number().gt(0).lt(1).default(0.05),
          /** A significant trend counts as continuous degradation from this growth over the hold (percent). */
          trendMinPct: z.number().nonnegative().default(10),
          /** Growth over the hold from which the stage is not stable: red (percent). */
          trendRedPct: z.number().positive().default(25),
          /**
           * Trend tests need data (SPEC §2): the continuous-degradation test runs only when the hold
           * has at least this many windows after the warm-up holding `trendMinKeyRequests` each.
           */
          trendMinWindows: z.number().int().min(3).default(10),
          /** Requests of the key transaction a window must hold to count towards `trendMinWindows`. */
          trendMinKeyRequests: z.number().int().positive().default(20),
          /** Window length for holds of 10 minutes or more (shorter holds use hold/20). */
          window: duration('30s'),
          /** Warm-up left out of the windows for holds of 10 minutes or more (shorter holds use hold/10). */
          warmup: duration('60s'),
          /** Outlier window: log p95 above median + outlierMads × MAD of the windows' log p95. */
          outlierMads: z.number().positive().default(3.5),
          /**
           * "Requests timed out in bulk": timeouts (k6 error 1050) at the target stage reaching this
           * share of its requests, percent. SPEC names the rule without a figure; 1 % is the share at
           * which failures stop being green.
           */
          bulkTimeoutsPct: z.number().positive().max(100).default(1),
          /** "Throughput collapsed": the last windows' throughput below this fraction of the first windows'. */
          collapseRatio: z.number().gt(0).lt(1).default(0.5),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Comparable runs the decision consolidates (the most recent ones). */
  runsToCompare: z.number().int().positive().max(50).default(3),
  /** The report's "action for next week", per decision. */
  actions: z
    .strictObject({
      go: z.string().min(1).default('Stay on the current hosting; keep the nightly runs and read next week’s report.'),
      watch: z
        .string()
        .min(1)
        .default('Stay, but watch closely: look into the orange criteria this week and compare the next runs before the next report.'),
      noGo: z.string().min(1).default('Prepare the migration: open the migration study now and plan the move to another provider.'),
      provisional: z
        .string()
        .min(1)
        .default('Provisional: add comparable runs (same scenario, host, stages and engine) before acting on it.'),
      insufficientData: z
        .string()
        .min(1)
        .default('No decision possible: run `npm run stages` against this environment, then decide again.'),
    })
    .prefault({}),
  report: z
    .strictObject({
      /** The day the weekly report is made (the CI job's schedule and the report's week). */
      weekday: z.enum(WEEKDAYS).default('monday'),
    })
    .prefault({}),
});
export type CapacityConfig = z.infer<typeof CapacityConfigSchema>;

/** The configuration of docs/spec.md, used when there is no config file. */
export const DEFAULT_CONFIG: CapacityConfig = deepFreeze(CapacityConfigSchema.parse({}));

/** Shared defaults must not be changed by a caller by accident. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Fewest windows for a trend test to be able to say anything at α = 0.05 (one-sided MK, n = 4: p ≥ 1/24). */
export const MIN_WINDOWS = 4;

export interface ConfigDurationsMs {
  /** Hold of each stage. */
  holdMs: number;
  /** Window length and warm-up as configured (for holds ≥ 10 minutes). */
  windowMs: number;
  warmupMs: number;
}

/** The config's durations in milliseconds (the config is already validated, so they parse). */
export function configDurationsMs(config: CapacityConfig): ConfigDurationsMs {
  return {
    holdMs: parseDuration(config.duration, 'duration'),
    windowMs: parseDuration(config.criteria.held.window, 'criteria.held.window'),
    warmupMs: parseDuration(config.criteria.held.warmup, 'criteria.held.warmup'),
  };
}

/** What the collector takes from the config for every stage (its StageParams less the stage's own plan). */
export interface CollectorSettings {
  /** Window and warm-up as configured (the collector shrinks them for short holds). */
  windowMs: number;
  warmupMs: number;
  outlierMads: number;
  trendMinWindows: number;
  trendMinKeyRequests: number;
}

export function collectorSettings(config: CapacityConfig): CollectorSettings {
  const { windowMs, warmupMs } = configDurationsMs(config);
  const h = config.criteria.held;
  return { windowMs, warmupMs, outlierMads: h.outlierMads, trendMinWindows: h.trendMinWindows, trendMinKeyRequests: h.trendMinKeyRequests };
}

/** Window length and warm-up for a stage held `holdMs` under this config (SPEC §2; see windowParams). */
export function windowsForHold(holdMs: number, config: CapacityConfig): { windowMs: number; warmupMs: number } {
  return windowParams(holdMs, configDurationsMs(config));
}

/** A cross-field rule: the path it concerns and what is wrong, or null when it holds. */
interface RuleBreak {
  path: string;
  message: string;
}
type Rule = (config: CapacityConfig) => RuleBreak | null;

function durationRule(path: string, get: (c: CapacityConfig) => string, min: 'positive' | 'nonnegative'): Rule {
  return (c) => {
    const text = get(c);
    let ms: number;
    try {
      ms = parseDuration(text, path);
    } catch {
      return { path, message: `expected a duration like 90s, 10m or 1h30m (got "${text}")` };
    }
    if (min === 'positive' && ms <= 0) return { path, message: `must be longer than 0 (got "${text}")` };
    return null;
  };
}

/** The durations must parse before the rules below can read them. */
const DURATION_RULES: readonly Rule[] = [
  durationRule('duration', (c) => c.duration, 'positive'),
  durationRule('criteria.held.window', (c) => c.criteria.held.window, 'positive'),
  durationRule('criteria.held.warmup', (c) => c.criteria.held.warmup, 'nonnegative'),
];

/** Small named rules checked after the schema and the durations; every one broken is reported. */
const RULES: readonly Rule[] = [
  function stagesIncrease(c) {
    for (let i = 1; i < c.stages.length; i += 1) {
      if (c.stages[i]! <= c.stages[i - 1]!) {
        return { path: 'stages', message: `must increase with no repeats (got ${c.stages.join(', ')})` };
      }
    }
    return null;
  },
  function targetInStages(c) {
    return c.stages.includes(c.targetStage)
      ? null
      : { path: 'targetStage', message: `must be one of the stages ${c.stages.join(', ')} (got ${c.targetStage})` };
  },
  function p95OrangeAboveGreen(c) {
    const { green, orange } = c.criteria.p95Ms;
    return orange > green ? null : { path: 'criteria.p95Ms.orange', message: `must be above green (got ${orange} ≤ ${green})` };
  },
  function errorOrangeAboveGreen(c) {
    const { green, orange } = c.criteria.errorRatePct;
    return orange > green ? null : { path: 'criteria.errorRatePct.orange', message: `must be above green (got ${orange} ≤ ${green})` };
  },
  function trendRedAboveMin(c) {
    const { trendMinPct, trendRedPct } = c.criteria.held;
    return trendRedPct > trendMinPct
      ? null
      : { path: 'criteria.held.trendRedPct', message: `must be above trendMinPct (got ${trendRedPct} ≤ ${trendMinPct})` };
  },
  function holdHasWindows(c) {
    const { holdMs } = configDurationsMs(c);
    const { windowMs, warmupMs } = windowsForHold(holdMs, c);
    const n = Math.floor((holdMs - warmupMs) / windowMs);
    if (n >= MIN_WINDOWS) return null;
    return {
      path: holdMs >= SHORT_HOLD_MS ? 'criteria.held.window' : 'duration',
      message:
        `leaves ${Math.max(0, n)} window(s) of ${formatDuration(windowMs)} in a ${formatDuration(holdMs)} hold after a ` +
        `${formatDuration(warmupMs)} warm-up; the trend test needs at least ${MIN_WINDOWS}`,
    };
  },
];

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The schema inside defaults, prefaults and optionals. */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap();
  return s;
}

/** Keys allowed in the object at `path` of the schema (for "unknown key" messages). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = CapacityConfigSchema;
  for (const key of path) {
    const s = unwrapped(schema);
    if (s instanceof z.ZodArray) schema = s.element;
    else if (s instanceof z.ZodObject && String(key) in s.shape) schema = s.shape[String(key)] as z.core.$ZodType;
    else return [];
  }
  const s = unwrapped(schema);
  // `$schema` is for editors: not worth suggesting.
  return s instanceof z.ZodObject ? Object.keys(s.shape).filter((k) => k !== '$schema') : [];
}

/** One zod issue as `path: what is wrong (got …)` (one line per key for unknown keys). */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.');
  const at = (p: string) => (p === '' ? '(root)' : p);
  const got = describeValue(valueAt(raw, issue.path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(issue.path);
      return issue.keys
        .map((key) => `${path ? `${path}.${key}` : key}: unknown key${known.length ? `; expected one of ${known.join(', ')}` : ''}`)
        .join('\n');
    }
    case 'invalid_type':
      return `${at(path)}: expected ${issue.expected === 'int' ? 'an integer' : issue.expected} (got ${got})`;
    case 'too_small':
      if (issue.origin === 'array') return `${at(path)}: expected at least ${String(issue.minimum)} item(s) (got ${got})`;
      if (issue.origin === 'string') return `${at(path)}: must not be empty`;
      return `${at(path)}: must be ${issue.inclusive ? 'at least' : 'above'} ${String(issue.minimum)} (got ${got})`;
    case 'too_big':
      return `${at(path)}: must be ${issue.inclusive ? 'at most' : 'below'} ${String(issue.maximum)} (got ${got})`;
    case 'invalid_key':
      return `${at(path)}: ${issue.issues[0]?.message ?? 'not a valid key'}`;
    case 'invalid_value':
      return `${at(path)}: expected one of ${issue.values.map((v) => String(v)).join(', ')} (got ${got})`;
    default:
      return `${at(path)}: ${issue.message} (got ${got})`;
  }
}

const HINT = 'every key is optional; the keys and their defaults (those of docs/spec.md) are in docs/config.md';

/** Problems listed one line each; a file wrong all over says how many more rather than scrolling away. */
const MAX_LISTED = 5;

function configError(problems: readonly string[], source: string | undefined): UserError {
  const listed =
    problems.length > MAX_LISTED
      ? [...problems.slice(0, MAX_LISTED - 1), `… and ${problems.length - MAX_LISTED + 1} more problems`]
      : problems;
  return new UserError(listed.join('\n'), { file: source, hint: HINT });
}

/**
 * Validates a parsed config object (schema, then the cross-field rules).
 * Throws a UserError with one line per problem naming the key, e.g. `criteria.p95Ms.orange: must be above green (got 2000 ≤ 2500)`.
 */
export function parseConfig(raw: unknown, source?: string): CapacityConfig {
  const result = CapacityConfigSchema.safeParse(raw);
  if (!result.success)
    throw configError(
      result.error.issues.flatMap((issue) => describeIssue(issue, raw).split('\n')),
      source,
    );
  const broken = (rules: readonly Rule[]) =>
    rules.flatMap((rule) => {
      const b = rule(result.data);
      return b ? [`${b.path}: ${b.message}`] : [];
    });
  const problems = broken(DURATION_RULES);
  if (problems.length === 0) problems.push(...broken(RULES));
  problems.push(...environmentProblems(result.data.environments).map((p) => `${p.path}: ${p.message}`));
  if (problems.length > 0) throw configError(problems, source);
  // A file with a list and no `environment` of its own names the list's first: the current host,
  // the one decide, report and the nightly job then follow (rather than whichever ran last).
  const named = raw !== null && typeof raw === 'object' && 'environment' in raw;
  const first = result.data.environments[0];
  return named || !first ? result.data : { ...result.data, environment: first.name };
}

/** Parses the text of a config file (JSON) and validates it. */
export function parseConfigText(text: string, source: string): CapacityConfig {
  return parseConfig(parseJsonText(text, source, HINT), source);
}

/** A deep partial of the config: what a command's flags set. */
export type ConfigOverrides = {
  [K in keyof CapacityConfig]?: CapacityConfig[K] extends readonly unknown[]
    ? CapacityConfig[K]
    : CapacityConfig[K] extends object
      ? { [L in keyof CapacityConfig[K]]?: CapacityConfig[K][L] extends object ? Partial<CapacityConfig[K][L]> : CapacityConfig[K][L] }
      : CapacityConfig[K];
};

function mergeDeep(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = mergeDeep(out[k], v);
  return out;
}

/**
 * Flags over the file: merges `overrides` (undefined leaves are ignored) into `config` and validates
 * the result again, so a flag that breaks a cross-field rule is reported like a bad file
 * (`source` names it, e.g. "--target-stage").
 */
export function applyOverrides(config: CapacityConfig, overrides: ConfigOverrides, source = 'command-line flags'): CapacityConfig {
  return parseConfig(mergeDeep(config, overrides), source);
}
