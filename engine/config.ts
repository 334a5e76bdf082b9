/**
 * From the command line and the script's `options` to the test's configuration: flags, the
 * scenarios to run (k6's shortcut rules), thresholds. Pure: no I/O.
 */
import { UserError } from '../formats/errors.ts';
import { parseDuration } from '../formats/duration.ts';
import { isCsvTimeFormat, type CsvTimeFormat } from '../formats/k6/csv.ts';
import { parseSystemTags, type SystemTag } from './system-tags.ts';
import { unsupportedFlagMessage } from './help.ts';

export const EXECUTORS = [
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
  'shared-iterations',
  'constant-arrival-rate',
  'ramping-arrival-rate',
] as const;
export type Executor = (typeof EXECUTORS)[number];

export interface Stage {
  durationMs: number;
  target: number;
}

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

/** Bad usage, as k6 (cobra) reports it: exit 255. */
export class UsageError extends Error {}

function int(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`invalid argument "${v}" for "${flag}" flag: expected a whole number`);
  return Number(v);
}

function duration(flag: string, v: string): number {
  try {
    return parseDuration(v, flag);
  } catch {
    throw new UsageError(`invalid argument "${v}" for "${flag}" flag: expected a duration like 30s, 5m or 1h30m`);
  }
}

/** Parses `--stage 30s:10,1m:10` (repeatable) into stages. */
export function parseStages(flag: string, v: string): Stage[] {
  return v
    .split(',')
    .filter((s) => s.trim())
    .map((s) => {
      const m = /^\s*([^:]+):(\d+)\s*$/.exec(s);
      if (!m) throw new UsageError(`invalid argument "${v}" for "${flag}" flag: expected <duration>:<target>,… like 30s:10,1m:10`);
      return { durationMs: duration(flag, m[1]!), target: Number(m[2]) };
    });
}

/** Parses `k6 run` arguments (everything after `run`). Throws UsageError on bad usage. */
export function parseRunArgs(argv: readonly string[]): RunFlags {
  const f: RunFlags = {
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
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (!raw.startsWith('-') || raw === '-') {
      positional.push(raw);
      continue;
    }
    let flag = raw;
    let inline: string | undefined;
    const eq = raw.indexOf('=');
    if (raw.startsWith('--') && eq > 0) {
      flag = raw.slice(0, eq);
      inline = raw.slice(eq + 1);
    } else if (!raw.startsWith('--') && raw.length > 2) {
      flag = raw.slice(0, 2);
      inline = raw.slice(2).replace(/^=/, '');
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: ${flag}`);
      return v;
    };
    switch (flag) {
      case '-e':
      case '--env': {
        const v = value();
        const k = v.indexOf('=');
        if (k <= 0) throw new UsageError(`invalid argument "${v}" for "${flag}" flag: expected KEY=VALUE`);
        f.env[v.slice(0, k)] = v.slice(k + 1);
        break;
      }
      case '-o':
      case '--out': {
        const v = value();
        if (!v.startsWith('csv=') || v.length === 4)
          throw new UsageError(`invalid output "${v}": the embedded engine supports only csv=<file>`);
        f.csvOutputs.push(v.slice(4));
        break;
      }
      case '--summary-export':
        f.summaryExport = value();
        break;
      case '-u':
      case '--vus':
        f.vus = int(flag, value());
        break;
      case '-d':
      case '--duration':
        f.durationMs = duration(flag, value());
        break;
      case '-i':
      case '--iterations':
        f.iterations = int(flag, value());
        break;
      case '-s':
      case '--stage':
        f.stages = [...(f.stages ?? []), ...parseStages(flag, value())];
        break;
      case '--summary-trend-stats': {
        const v = value();
        const stats = v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const bad = badTrendStat(stats);
        if (bad || !stats.length)
          throw new UsageError(`invalid argument "${v}" for "${flag}" flag: ${bad ?? 'expected a list like avg,p(95),p(99.9)'}`);
        f.summaryTrendStats = stats;
        break;
      }
      case '--system-tags': {
        const v = value();
        try {
          f.systemTags = parseSystemTags(v, `invalid argument "${v}" for "${flag}" flag`);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        break;
      }
      case '--summary-time-unit': {
        const v = value();
        if (!(SUMMARY_TIME_UNITS as readonly string[]).includes(v))
          throw new UsageError(`invalid argument "${v}" for "${flag}" flag: expected s, ms or us`);
        f.summaryTimeUnit = v;
        break;
      }
      case '--no-thresholds':
        f.noThresholds = true;
        break;
      case '-q':
      case '--quiet':
        f.quiet = true;
        break;
      case '--no-summary':
        f.noSummary = true;
        break;
      case '--no-color':
        f.noColor = true;
        break;
      case '--include-system-env-vars':
        f.includeSystemEnv = inline === undefined ? true : inline !== 'false';
        break;
      default:
        throw new UsageError(unsupportedFlagMessage(flag) ?? `unknown flag: ${flag}`);
    }
  }
  if (positional.length !== 1)
    throw new UsageError(
      positional.length ? `accepts 1 arg(s), received ${positional.length}` : 'accepts 1 arg(s), received 0 (the script to run)',
    );
  f.script = positional[0]!;
  return f;
}

export function csvTimeFormat(env: Readonly<Record<string, string | undefined>>): CsvTimeFormat {
  const v = env.K6_CSV_TIME_FORMAT;
  if (v === undefined || v === '') return 'unix';
  if (!isCsvTimeFormat(v))
    throw new UsageError(`K6_CSV_TIME_FORMAT: expected unix, unix_milli, unix_micro, unix_nano, rfc3339 or rfc3339_nano, got "${v}"`);
  return v;
}

/** The summary's trend stats and time unit: flags first, then the script's options, then k6's defaults. Throws UserError on a bad option. */
export function summaryOptions(
  options: Record<string, unknown>,
  flags: Pick<RunFlags, 'summaryTrendStats' | 'summaryTimeUnit'>,
): { trendStats: string[]; timeUnit: string } {
  let trendStats = flags.summaryTrendStats;
  if (!trendStats && options.summaryTrendStats !== undefined) {
    const v = options.summaryTrendStats;
    if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
      throw bad('summaryTrendStats', 'an array of stats like ["avg", "p(95)"]', v);
    const why = badTrendStat(v);
    if (why) throw new UserError(`options.summaryTrendStats: ${why}`);
    trendStats = v;
  }
  let timeUnit = flags.summaryTimeUnit;
  if (timeUnit === null && options.summaryTimeUnit !== undefined && options.summaryTimeUnit !== '') {
    const v = options.summaryTimeUnit;
    if (typeof v !== 'string' || !(SUMMARY_TIME_UNITS as readonly string[]).includes(v))
      throw bad('summaryTimeUnit', '"s", "ms" or "us"', v);
    timeUnit = v;
  }
  return { trendStats: trendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], timeUnit: timeUnit ?? '' };
}

export interface Scenario {
  name: string;
  executor: Executor;
  exec: string;
  startTimeMs: number;
  gracefulStopMs: number;
  /** constant-vus, per-vu-iterations, shared-iterations */
  vus: number;
  /** constant-vus */
  durationMs: number;
  /** per-vu-iterations (per VU), shared-iterations (total) */
  iterations: number;
  /** per-vu-iterations, shared-iterations */
  maxDurationMs: number;
  /** ramping-vus */
  startVUs: number;
  /** ramping-vus (targets are VUs), ramping-arrival-rate (targets are iterations per timeUnit) */
  stages: Stage[];
  gracefulRampDownMs: number;
  /** constant-arrival-rate: iterations started per timeUnit */
  rate: number;
  /** ramping-arrival-rate: the rate at the start */
  startRate: number;
  /** arrival-rate executors */
  timeUnitMs: number;
  preAllocatedVUs: number;
  /** arrival-rate executors: the VUs the scenario may allocate at most (k6's maxVUs) */
  maxVUs: number;
  tags: Record<string, string>;
  env: Record<string, string>;
}

const DEFAULT_GRACEFUL = 30_000;

/** A config error in the script's options (k6 exits 104 for these). */
function bad(path: string, expected: string, got: unknown): UserError {
  return new UserError(`options.${path}: expected ${expected}, got ${JSON.stringify(got)}`);
}

function durOpt(path: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number' && v >= 0) return v; // k6 reads a bare number in options as milliseconds
  if (typeof v !== 'string') throw bad(path, 'a duration like "30s"', v);
  try {
    return parseDuration(v, `options.${path}`);
  } catch {
    throw bad(path, 'a duration like "30s"', v);
  }
}

function intOpt(path: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(path, 'a whole number ≥ 0', v);
  return v;
}

function stagesOpt(path: string, v: unknown): Stage[] {
  if (!Array.isArray(v)) throw bad(path, 'an array of {duration, target}', v);
  return v.map((s: unknown, i) => {
    if (!s || typeof s !== 'object') throw bad(`${path}[${i}]`, '{duration, target}', s);
    const o = s as { duration?: unknown; target?: unknown };
    return { durationMs: durOpt(`${path}[${i}].duration`, o.duration, 0), target: intOpt(`${path}[${i}].target`, o.target, 0) };
  });
}

function strMap(path: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object') throw bad(path, 'an object of strings', v);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

function base(name: string, executor: Executor): Scenario {
  return {
    name,
    executor,
    exec: 'default',
    startTimeMs: 0,
    gracefulStopMs: DEFAULT_GRACEFUL,
    vus: 1,
    durationMs: 0,
    iterations: 1,
    maxDurationMs: 600_000,
    startVUs: 1,
    stages: [],
    gracefulRampDownMs: DEFAULT_GRACEFUL,
    tags: {},
    env: {},
    rate: 0,
    startRate: 0,
    timeUnitMs: 1000,
    preAllocatedVUs: 0,
    maxVUs: 0,
  };
}

function fromShortcuts(s: {
  vus?: number | null;
  durationMs?: number | null;
  iterations?: number | null;
  stages?: Stage[] | null;
}): Scenario {
  if (s.stages?.length) return { ...base('default', 'ramping-vus'), startVUs: s.vus ?? 1, stages: s.stages };
  if (s.iterations != null) {
    return { ...base('default', 'shared-iterations'), vus: s.vus ?? 1, iterations: s.iterations, maxDurationMs: s.durationMs ?? 600_000 };
  }
  if (s.durationMs != null && s.durationMs > 0) return { ...base('default', 'constant-vus'), vus: s.vus ?? 1, durationMs: s.durationMs };
  return { ...base('default', 'shared-iterations'), vus: s.vus ?? 1, iterations: Math.max(1, s.vus ?? 1) };
}

/**
 * The scenarios to run: as in k6, shortcut flags (--vus, --duration, --iterations, --stage)
 * replace the script's own scenarios with one named `default`; else the script's `scenarios`;
 * else the script's shortcut options; else one iteration of one VU.
 */
export function deriveScenarios(
  options: Record<string, unknown>,
  flags: Pick<RunFlags, 'vus' | 'durationMs' | 'iterations' | 'stages'>,
): Scenario[] {
  if (flags.stages || flags.durationMs != null || flags.iterations != null) return [fromShortcuts(flags)];
  const scen = options.scenarios;
  if (scen && typeof scen === 'object' && Object.keys(scen).length) {
    return Object.entries(scen as Record<string, unknown>).map(([name, raw]) => scenarioFrom(name, raw));
  }
  const o = options as { vus?: unknown; duration?: unknown; iterations?: unknown; stages?: unknown };
  return [
    fromShortcuts({
      vus: flags.vus ?? (o.vus === undefined ? null : intOpt('vus', o.vus, 1)),
      durationMs: o.duration === undefined ? null : durOpt('duration', o.duration, 0),
      iterations: o.iterations === undefined ? null : intOpt('iterations', o.iterations, 1),
      stages: o.stages === undefined ? null : stagesOpt('stages', o.stages),
    }),
  ];
}

function scenarioFrom(name: string, raw: unknown): Scenario {
  if (!raw || typeof raw !== 'object') throw bad(`scenarios.${name}`, 'an object', raw);
  const o = raw as Record<string, unknown>;
  const p = `scenarios.${name}`;
  const executor = o.executor;
  if (typeof executor !== 'string' || !(EXECUTORS as readonly string[]).includes(executor)) {
    throw bad(`${p}.executor`, `one of ${EXECUTORS.join(', ')} (the embedded engine runs these)`, executor);
  }
  const s: Scenario = {
    ...base(name, executor as Executor),
    exec: typeof o.exec === 'string' ? o.exec : 'default',
    startTimeMs: durOpt(`${p}.startTime`, o.startTime, 0),
    gracefulStopMs: durOpt(`${p}.gracefulStop`, o.gracefulStop, DEFAULT_GRACEFUL),
    tags: strMap(`${p}.tags`, o.tags),
    env: strMap(`${p}.env`, o.env),
  };
  switch (s.executor) {
    case 'constant-vus':
      s.vus = intOpt(`${p}.vus`, o.vus, 1);
      s.durationMs = durOpt(`${p}.duration`, o.duration, NaN);
      if (Number.isNaN(s.durationMs)) throw bad(`${p}.duration`, 'a duration like "30s"', o.duration);
      break;
    case 'ramping-vus':
      s.startVUs = intOpt(`${p}.startVUs`, o.startVUs, 1);
      s.stages = stagesOpt(`${p}.stages`, o.stages);
      s.gracefulRampDownMs = durOpt(`${p}.gracefulRampDown`, o.gracefulRampDown, DEFAULT_GRACEFUL);
      break;
    case 'per-vu-iterations':
    case 'shared-iterations':
      s.vus = intOpt(`${p}.vus`, o.vus, 1);
      s.iterations = intOpt(`${p}.iterations`, o.iterations, 1);
      s.maxDurationMs = durOpt(`${p}.maxDuration`, o.maxDuration, 600_000);
      if (s.executor === 'shared-iterations' && s.vus > s.iterations) {
        throw new UserError(`options.${p}: the number of VUs (${s.vus}) can't be more than the number of iterations (${s.iterations})`);
      }
      break;
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      s.timeUnitMs = durOpt(`${p}.timeUnit`, o.timeUnit, 1000);
      if (s.timeUnitMs <= 0) throw bad(`${p}.timeUnit`, 'a duration above 0', o.timeUnit);
      if (o.preAllocatedVUs === undefined)
        throw bad(`${p}.preAllocatedVUs`, 'a whole number ≥ 0 (required by arrival-rate executors)', o.preAllocatedVUs);
      s.preAllocatedVUs = intOpt(`${p}.preAllocatedVUs`, o.preAllocatedVUs, 0);
      s.maxVUs = intOpt(`${p}.maxVUs`, o.maxVUs, s.preAllocatedVUs);
      if (s.maxVUs < s.preAllocatedVUs) {
        throw new UserError(`options.${p}: maxVUs (${s.maxVUs}) can't be less than preAllocatedVUs (${s.preAllocatedVUs})`);
      }
      if (s.executor === 'constant-arrival-rate') {
        s.rate = intOpt(`${p}.rate`, o.rate, NaN);
        if (!(s.rate > 0)) throw bad(`${p}.rate`, 'a whole number above 0', o.rate);
        s.durationMs = durOpt(`${p}.duration`, o.duration, NaN);
        if (!(s.durationMs > 0)) throw bad(`${p}.duration`, 'a duration above 0 like "30s"', o.duration);
      } else {
        s.startRate = intOpt(`${p}.startRate`, o.startRate, 0);
        s.stages = stagesOpt(`${p}.stages`, o.stages);
        if (!s.stages.length) throw bad(`${p}.stages`, 'at least one {duration, target}', o.stages);
      }
      if (s.maxVUs === 0) throw bad(`${p}.maxVUs`, 'at least 1 VU (preAllocatedVUs or maxVUs)', o.maxVUs);
      break;
    }
  }
  return s;
}

export const isArrivalRate = (s: Pick<Scenario, 'executor'>): boolean =>
  s.executor === 'constant-arrival-rate' || s.executor === 'ramping-arrival-rate';

/** The VUs a scenario needs at most. */
export function maxVUs(s: Scenario): number {
  if (s.executor === 'ramping-vus') return Math.max(s.startVUs, ...s.stages.map((x) => x.target));
  if (isArrivalRate(s)) return s.maxVUs;
  return s.vus;
}

/** The VUs initialised before the test starts (arrival-rate executors allocate the rest when needed). */
export function initialVUs(s: Scenario): number {
  return isArrivalRate(s) ? s.preAllocatedVUs : maxVUs(s);
}

/**
 * An arrival-rate scenario as data: the offsets (ms from the scenario's start) at which its
 * iterations start, in order, all before its duration. The rate goes linearly from one stage's
 * target to the next (constant-arrival-rate is one flat stage); iteration i starts when the
 * integral of the rate reaches i, so the first one starts at 0 unless the rate starts at 0.
 */
export function* arrivalOffsets(
  s: Pick<Scenario, 'executor' | 'rate' | 'startRate' | 'timeUnitMs' | 'stages' | 'durationMs'>,
): Generator<number> {
  const flat = s.executor === 'constant-arrival-rate';
  const stages = flat ? [{ durationMs: s.durationMs, target: s.rate }] : s.stages;
  let r0 = (flat ? s.rate : s.startRate) / s.timeUnitMs; // iterations per ms
  let t0 = 0;
  let done = 0; // the integral of the rate up to t0
  let i = r0 > 0 ? 0 : 1;
  for (const st of stages) {
    const r1 = st.target / s.timeUnitMs;
    const d = st.durationMs;
    if (d === 0) {
      r0 = r1;
      continue;
    }
    // Within the stage: count(τ) = r0·τ + (r1−r0)·τ²/(2d), increasing; solve count(τ) = i − done.
    const total = ((r0 + r1) / 2) * d;
    const a = (r1 - r0) / (2 * d);
    // (the epsilon keeps float noise from starting a stage's boundary iteration in the stage before)
    while (i - done < total - 1e-9) {
      const k = i - done;
      const tau = Math.abs(a) < 1e-15 ? k / r0 : (-r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * a * k))) / (2 * a);
      yield t0 + Math.min(tau, d);
      i++;
    }
    done += total;
    t0 += d;
    r0 = r1;
  }
}

/**
 * The most VUs the scenarios hold at once, VUs being shared between scenarios that do not
 * overlap (as k6): the peak over time of `need(s)` summed over the scenarios running, a scenario
 * running from its startTime to the end of its gracefulStop.
 */
export function peakVUs(scenarios: readonly Scenario[], need: (s: Scenario) => number): number {
  const events: Array<[number, number]> = [];
  for (const s of scenarios) {
    events.push([s.startTimeMs, need(s)]);
    events.push([s.startTimeMs + scenarioDurationMs(s) + s.gracefulStopMs, -need(s)]);
  }
  // Ends before starts at the same instant: a scenario starting as another ends takes its VUs.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (cur += d));
  return peak;
}

/** How long a scenario runs before its graceful stop (ms). */
export function scenarioDurationMs(s: Scenario): number {
  switch (s.executor) {
    case 'constant-vus':
      return s.durationMs;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return s.stages.reduce((a, x) => a + x.durationMs, 0);
    case 'constant-arrival-rate':
      return s.durationMs;
    default:
      return s.maxDurationMs;
  }
}

/**
 * ramping-vus as data: the times (ms from the scenario's start) at which the number of active
 * VUs changes, and the new number. A VU is added when the linear ramp reaches it and removed
 * when the ramp goes below it, as k6 steps VUs.
 */
export function rampingSteps(startVUs: number, stages: readonly Stage[]): Array<{ atMs: number; vus: number }> {
  const steps = [{ atMs: 0, vus: startVUs }];
  let t = 0;
  let cur = startVUs;
  for (const st of stages) {
    const from = cur;
    const to = st.target;
    if (st.durationMs === 0) {
      if (to !== from) steps.push({ atMs: t, vus: to });
    } else if (to > from) {
      for (let v = from + 1; v <= to; v++) steps.push({ atMs: t + (st.durationMs * (v - from)) / (to - from), vus: v });
    } else if (to < from) {
      for (let v = from - 1; v >= to; v--) steps.push({ atMs: t + (st.durationMs * (from - v)) / (from - to), vus: v });
    }
    t += st.durationMs;
    cur = to;
  }
  return steps;
}

/** The VUs a ramping-vus scenario holds at `atMs` (pure, from the steps). */
export function vusAt(steps: ReadonlyArray<{ atMs: number; vus: number }>, atMs: number): number {
  let v = 0;
  for (const s of steps) {
    if (s.atMs > atMs) break;
    v = s.vus;
  }
  return v;
}

/** k6's one-line description of a scenario for the banner. */
export function describeScenario(s: Scenario): string {
  const g = (ms: number) => formatMs(ms);
  switch (s.executor) {
    case 'constant-vus':
      return `${s.vus} looping VUs for ${g(s.durationMs)} (gracefulStop: ${g(s.gracefulStopMs)})`;
    case 'ramping-vus':
      return `Up to ${maxVUs(s)} looping VUs for ${g(scenarioDurationMs(s))} over ${s.stages.length} stages (gracefulRampDown: ${g(s.gracefulRampDownMs)}, gracefulStop: ${g(s.gracefulStopMs)})`;
    case 'per-vu-iterations':
      return `${s.iterations} iterations for each of ${s.vus} VUs (maxDuration: ${g(s.maxDurationMs)}, gracefulStop: ${g(s.gracefulStopMs)})`;
    case 'shared-iterations':
      return `${s.iterations} iterations shared among ${s.vus} VUs (maxDuration: ${g(s.maxDurationMs)}, gracefulStop: ${g(s.gracefulStopMs)})`;
    case 'constant-arrival-rate':
      return `${((s.rate * 1000) / s.timeUnitMs).toFixed(2)} iterations/s for ${g(s.durationMs)} (maxVUs: ${vuRange(s)}, gracefulStop: ${g(s.gracefulStopMs)})`;
    case 'ramping-arrival-rate':
      return `Up to ${((Math.max(s.startRate, ...s.stages.map((x) => x.target)) * 1000) / s.timeUnitMs).toFixed(2)} iterations/s for ${g(scenarioDurationMs(s))} over ${s.stages.length} stages (maxVUs: ${vuRange(s)}, gracefulStop: ${g(s.gracefulStopMs)})`;
  }
}

/** k6's "maxVUs: 3-5" (or "5" when preAllocatedVUs equals maxVUs). */
function vuRange(s: Scenario): string {
  return s.preAllocatedVUs === s.maxVUs ? String(s.maxVUs) : `${s.preAllocatedVUs}-${s.maxVUs}`;
}

function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${Number(s.toFixed(3))}s` : h || m ? '0s' : ''}`;
}
export { formatMs };

/** The User-Agent of requests when options.userAgent is not set (k6's is `k6/<version> (https://k6.io/)`). */
export const DEFAULT_USER_AGENT = 'k6-embedded/0.1.0 (k6 v0.48 compatible)';

/** k6's HTTP options that the main thread applies to every VU's client. */
export interface HttpOptions {
  /** '' sends no User-Agent header (as k6). */
  userAgent: string;
  insecureSkipTLSVerify: boolean;
  /** No keep-alive: every request on a connection of its own. */
  noConnectionReuse: boolean;
  /** A VU's connections are closed at each iteration's start. */
  noVUConnectionReuse: boolean;
  /** At most this many requests of one http.batch() at a time (0: no limit). */
  batch: number;
  /** At most this many of them to one host at a time (0: no limit). */
  batchPerHost: number;
  /** options.hosts: `name` or `name:port` → the host (and port) to connect to instead. */
  hosts: ReadonlyMap<string, { host: string; port: string | null }>;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  userAgent: DEFAULT_USER_AGENT,
  insecureSkipTLSVerify: false,
  noConnectionReuse: false,
  noVUConnectionReuse: false,
  batch: 20,
  batchPerHost: 6,
  hosts: new Map(),
};

/** k6 options about HTTP that this engine does not implement: a script that sets one is refused, naming it. */
const UNSUPPORTED_HTTP_OPTIONS = [
  'rps',
  'tlsAuth',
  'tlsCipherSuites',
  'tlsVersion',
  'localIPs',
  'blockHostnames',
  'blacklistIPs',
  'dns',
  'httpDebug',
];

function boolOpt(path: string, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw bad(path, 'true or false', v);
  return v;
}

/**
 * The HTTP options (k6's defaults where unset): validated here once, so that a bad one is exit
 * 104 before any VU runs. maxRedirects, discardResponseBodies and throw are checked here too,
 * though each VU applies them to its own requests.
 */
export function httpOptions(options: Record<string, unknown>): HttpOptions {
  for (const name of UNSUPPORTED_HTTP_OPTIONS) {
    const v = options[name];
    // Set to nothing (k6's own zero values): nothing to refuse.
    if (v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0)) {
      throw new UserError(`options.${name} is not supported by the embedded engine (run this script on k6, or leave the option out)`);
    }
  }
  intOpt('maxRedirects', options.maxRedirects, 10);
  boolOpt('discardResponseBodies', options.discardResponseBodies);
  boolOpt('throw', options.throw);
  const ua = options.userAgent;
  if (ua !== undefined && ua !== null && typeof ua !== 'string') throw bad('userAgent', 'a string', ua);
  const hosts = new Map<string, { host: string; port: string | null }>();
  const h = options.hosts;
  if (h !== undefined && h !== null) {
    if (typeof h !== 'object' || Array.isArray(h)) throw bad('hosts', 'an object of host names to addresses', h);
    for (const [name, to] of Object.entries(h as Record<string, unknown>)) {
      const m = typeof to === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(to) : null;
      if (!m) throw bad(`hosts["${name}"]`, 'an address like "127.0.0.1" or "127.0.0.1:8080"', to);
      hosts.set(name.toLowerCase(), { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ?? null });
    }
  }
  return {
    userAgent: typeof ua === 'string' ? ua : DEFAULT_USER_AGENT,
    insecureSkipTLSVerify: boolOpt('insecureSkipTLSVerify', options.insecureSkipTLSVerify),
    noConnectionReuse: boolOpt('noConnectionReuse', options.noConnectionReuse),
    noVUConnectionReuse: boolOpt('noVUConnectionReuse', options.noVUConnectionReuse),
    batch: intOpt('batch', options.batch, 20),
    batchPerHost: intOpt('batchPerHost', options.batchPerHost, 6),
    hosts,
  };
}
