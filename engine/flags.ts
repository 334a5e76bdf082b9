/**
 * `k6 run`'s command line (everything after `run`) read as k6's cobra reads it: `--flag value`,
 * `--flag=value`, `-u2`, `-u=2`; the flags are those help.ts lists (RUN_FLAGS), each read here by
 * its own rule. Pure. Bad usage throws UsageError (k6 exits 255).
 */
import { parseDuration } from '../formats/duration.ts';
import { isCsvTimeFormat, type CsvTimeFormat } from '../formats/k6/csv.ts';
import { RUN_FLAGS, unsupportedFlagMessage } from './help.ts';
import type { Stage } from './option-values.ts';
import { parseSystemTags, type SystemTag } from './system-tags.ts';

export type { Stage };

export interface RunFlags {
  script: string;
  env: Record<string, string>;
  csvOutputs: string[];
  summaryExport: string | null;
  vus: number | null;
  durationMs: number | null;
  iterations: number | null;
  stages: Stage[] | null;
  noThresholds: boolean;
  quiet: boolean;
  noSummary: boolean;
  noColor: boolean;
  includeSystemEnv: boolean;
  /** --summary-trend-stats (null: the script's summaryTrendStats option or k6's default) */
  summaryTrendStats: string[] | null;
  /** --summary-time-unit: s, ms or us (null: the script's option, else the unit chosen per value) */
  summaryTimeUnit: string | null;
  /** --system-tags (null: the script's systemTags option or k6's default set) */
  systemTags: SystemTag[] | null;
}

/** Bad usage, as k6 (cobra) reports it: exit 255. */
export class UsageError extends Error {}

const TREND_STAT_RE = /^(avg|min|med|max|count|p\((\d+(?:\.\d+)?)\))$/;

/** Checks a list of trend stats (k6's summaryTrendStats); returns a message when one is not one. */
export function badTrendStat(stats: readonly string[]): string | null {
  for (const s of stats) {
    const m = TREND_STAT_RE.exec(s);
    if (!m || (m[2] !== undefined && Number(m[2]) > 100))
      return `"${s}" is not a trend stat: expected avg, min, med, max, count or p(N) with 0 ≤ N ≤ 100`;
  }
  return null;
}

export const SUMMARY_TIME_UNITS = ['s', 'ms', 'us'] as const;

const invalid = (flag: string, v: string, why: string): UsageError => new UsageError(`invalid argument "${v}" for "${flag}" flag: ${why}`);

function int(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw invalid(flag, v, 'expected a whole number');
  return Number(v);
}

function duration(flag: string, v: string): number {
  try {
    return parseDuration(v, flag, 'ms');
  } catch {
    throw invalid(flag, v, 'expected a duration like 30s, 5m or 1h30m');
  }
}

/** Parses `--stage 30s:10,1m:10` (repeatable) into stages. */
export function parseStages(flag: string, v: string): Stage[] {
  return v
    .split(',')
    .filter((s) => s.trim())
    .map((s) => {
      const m = /^\s*([^:]+):(\d+)\s*$/.exec(s);
      if (!m) throw invalid(flag, v, 'expected <duration>:<target>,… like 30s:10,1m:10');
      return { durationMs: duration(flag, m[1]!), target: Number(m[2]) };
    });
}

function trendStats(flag: string, v: string): string[] {
  const stats = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = badTrendStat(stats);
  if (bad || !stats.length) throw invalid(flag, v, bad ?? 'expected a list like avg,p(95),p(99.9)');
  return stats;
}

/**
 * What each flag does to the flags read so far, by its long name. `v` is the flag's value (a
 * switch gets its inline `=value`, if any); `flag` the flag as typed, for messages.
 */
type Rule = (f: RunFlags, v: string | undefined, flag: string) => void;
const RULES: Readonly<Record<string, Rule>> = {
  env(f, v = '', flag) {
    const k = v.indexOf('=');
    if (k <= 0) throw invalid(flag, v, 'expected KEY=VALUE');
    f.env[v.slice(0, k)] = v.slice(k + 1);
  },
  out(f, v = '') {
    if (!v.startsWith('csv=') || v.length === 4)
      throw new UsageError(`invalid output "${v}": the embedded engine supports only csv=<file>`);
    f.csvOutputs.push(v.slice(4));
  },
  'summary-export': (f, v = '') => void (f.summaryExport = v),
  vus: (f, v = '', flag) => void (f.vus = int(flag, v)),
  duration: (f, v = '', flag) => void (f.durationMs = duration(flag, v)),
  iterations: (f, v = '', flag) => void (f.iterations = int(flag, v)),
  stage: (f, v = '', flag) => void (f.stages = [...(f.stages ?? []), ...parseStages(flag, v)]),
  'summary-trend-stats': (f, v = '', flag) => void (f.summaryTrendStats = trendStats(flag, v)),
  'system-tags'(f, v = '', flag) {
    try {
      f.systemTags = parseSystemTags(v, `invalid argument "${v}" for "${flag}" flag`);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  },
  'summary-time-unit'(f, v = '', flag) {
    if (!(SUMMARY_TIME_UNITS as readonly string[]).includes(v)) throw invalid(flag, v, 'expected s, ms or us');
    f.summaryTimeUnit = v;
  },
  'no-thresholds': (f) => void (f.noThresholds = true),
  quiet: (f) => void (f.quiet = true),
  'no-summary': (f) => void (f.noSummary = true),
  'no-color': (f) => void (f.noColor = true),
  'include-system-env-vars': (f, inline) => void (f.includeSystemEnv = inline === undefined ? true : inline !== 'false'),
};

/** `-u` → `--vus`, and which flags take a value, from the help's table. */
const LONG = new Map<string, string>(RUN_FLAGS.flatMap((x) => (x.short ? [[`-${x.short}`, x.long] as const] : [])));
const TAKES_VALUE = new Set(RUN_FLAGS.filter((x) => x.arg).map((x) => x.long));

const noFlags = (): RunFlags => ({
  script: '',
  env: {},
  csvOutputs: [],
  summaryExport: null,
  vus: null,
  durationMs: null,
  iterations: null,
  stages: null,
  noThresholds: false,
  quiet: false,
  noSummary: false,
  noColor: false,
  includeSystemEnv: true,
  summaryTrendStats: null,
  summaryTimeUnit: null,
  systemTags: null,
});

/** `--flag=v` and `-fv` / `-f=v` → the flag and its inline value. */
function split(raw: string): { flag: string; inline: string | undefined } {
  const eq = raw.indexOf('=');
  if (raw.startsWith('--')) return eq > 0 ? { flag: raw.slice(0, eq), inline: raw.slice(eq + 1) } : { flag: raw, inline: undefined };
  return raw.length > 2 ? { flag: raw.slice(0, 2), inline: raw.slice(2).replace(/^=/, '') } : { flag: raw, inline: undefined };
}

/** Parses `k6 run` arguments (everything after `run`). Throws UsageError on bad usage. */
export function parseRunArgs(argv: readonly string[]): RunFlags {
  const f = noFlags();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (!raw.startsWith('-') || raw === '-') {
      positional.push(raw);
      continue;
    }
    const { flag, inline } = split(raw);
    const long = flag.startsWith('--') ? flag.slice(2) : LONG.get(flag);
    const rule = long !== undefined && Object.hasOwn(RULES, long) ? RULES[long] : undefined;
    if (long === undefined || !rule) throw new UsageError(unsupportedFlagMessage(flag) ?? `unknown flag: ${flag}`);
    let v = inline;
    if (TAKES_VALUE.has(long) && v === undefined) {
      v = argv[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: ${flag}`);
    }
    rule(f, v, flag);
  }
  if (positional.length !== 1)
    throw new UsageError(
      positional.length ? `accepts 1 arg(s), received ${positional.length}` : 'accepts 1 arg(s), received 0 (the script to run)',
    );
  f.script = positional[0]!;
  return f;
}

/** K6_CSV_TIME_FORMAT, as k6 reads it (unix when unset). */
export function csvTimeFormat(env: Readonly<Record<string, string | undefined>>): CsvTimeFormat {
  const v = env.K6_CSV_TIME_FORMAT;
  if (v === undefined || v === '') return 'unix';
  if (!isCsvTimeFormat(v))
    throw new UsageError(`K6_CSV_TIME_FORMAT: expected unix, unix_milli, unix_micro, unix_nano, rfc3339 or rfc3339_nano, got "${v}"`);
  return v;
}
