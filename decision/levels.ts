import type { CapacityConfig } from '../formats/config.ts';
import type { RunManifest, StageRecord } from '../formats/run-manifest.ts';
import type { RunSummary } from '../formats/run-summary.ts';
import { noneSucceeded, untestableWords, type StageStats, type TrendTest, type WindowStats } from '../formats/stage-stats.ts';
import type { CriterionId, Level, RunLevel } from '../formats/decision.ts';
import { duration, nearBounds, pValue, plural, round, signedPct } from './words.ts';
import { keyLabel } from '../formats/key-transaction.ts';

/**
 * One run's level on each criterion of SPEC §2, with its evidence. Pure: reads the run's manifest
 * and summary (already validated), applies the thresholds of the config.
 */

/** green < orange < red. */
export const SEVERITY: Readonly<Record<Level, number>> = { green: 0, orange: 1, red: 2 };

export type RunLevels = Record<CriterionId, RunLevel>;

type Criteria = CapacityConfig['criteria'];

/** p95 level: green ≤ green bound, orange ≤ orange bound, red above (SPEC §2 (a)). */
export function p95Level(p95Ms: number, bounds: Criteria['p95Ms']): Level {
  if (p95Ms <= bounds.green) return 'green';
  if (p95Ms <= bounds.orange) return 'orange';
  return 'red';
}

/**
 * Error-rate level from counts: green < green bound, orange ≤ orange bound, red above (SPEC §2 (b)).
 * Compared as failures × 100 against bound × count, so that 1 % (100 of 10 000) is exactly orange
 * and 3 % exactly orange, without the rounding of a division (0.03 × 100 = 3.0000000000000004).
 */
export function errorRateLevel(failures: number, count: number, bounds: Criteria['errorRatePct']): Level {
  const failed = failures * 100;
  if (failed < bounds.green * count) return 'green';
  if (failed <= bounds.orange * count) return 'orange';
  return 'red';
}

/** Where a stage of the run stands: its record in run.json and its statistics in summary.json. */
interface StageView {
  users: number;
  record: StageRecord | undefined;
  stats: StageStats | null;
}

function stageView(manifest: RunManifest, summary: RunSummary, users: number): StageView {
  return {
    users,
    record: manifest.stages.find((s) => s.users === users),
    stats: summary.stages.find((s) => s.users === users)?.stats ?? null,
  };
}

function statusWords(record: StageRecord | undefined): string {
  if (!record) return 'not recorded in run.json';
  return record.why ? `${record.status}: ${record.why}` : record.status;
}

/** Why the target stage has no usable data, or null when it has. */
function targetMissing(target: StageView, manifest: RunManifest): string | null {
  const where = `the target stage (${target.users} users)`;
  if (!manifest.plan.stages.some((s) => s.users === target.users)) return `${where} is not in the run's stage list`;
  if (!target.record || target.record.status === 'skipped') return `${where} did not run (${statusWords(target.record)})`;
  if (!target.stats) return `no statistics for ${where} (${statusWords(target.record)})`;
  return null;
}

function ms(value: number, bounds: Criteria['p95Ms']): string {
  return `${nearBounds(value, [bounds.green, bounds.orange])} ms`;
}

function pct(failures: number, count: number, bounds: readonly number[]): string {
  return `${nearBounds((failures * 100) / count, bounds, 2)} %`;
}

function p95Bound(b: Criteria['p95Ms']): string {
  return `green ≤ ${b.green} ms, orange ≤ ${b.orange} ms, red above`;
}

function errorBound(b: Criteria['errorRatePct']): string {
  return `green < ${b.green} %, orange ≤ ${b.orange} %, red above`;
}

function heldBound(c: Criteria): string {
  const h = c.held;
  return (
    `red (not held): ended early, error rate > ${c.errorRatePct.orange} %, timeouts ≥ ${h.bulkTimeoutsPct} %, ` +
    `throughput < ${round(h.collapseRatio * 100, 1)} % of the first windows', or a trend ≥ ${signedPct(h.trendRedPct, 1)}; ` +
    `orange: Mann–Kendall p < ${h.trendAlpha} with Theil–Sen ≥ ${signedPct(h.trendMinPct, 1)} over the hold ` +
    `(tested only on ≥ ${h.trendMinWindows} windows of ≥ ${h.trendMinKeyRequests} key requests), ` +
    `or outlier windows (log p95 above median + ${h.outlierMads} × MAD) with p95 above ${c.p95Ms.green} ms`
  );
}

function p95RunLevel(runId: string, target: StageView, missing: string | null, key: string, c: Criteria): RunLevel {
  const bound = p95Bound(c.p95Ms);
  const stats = target.stats;
  const red = (why: string): RunLevel => ({ runId, level: 'red', figure: null, bound, rule: `${why} → red`, borderline: false, ci: null });
  if (missing || !stats || stats.key.p95Ms === null)
    return red(missing ?? `no "${key}" request at the target stage (${target.users} users)`);
  // Refused connections last ~0 ms, so their p95 would read green. A target that answered none
  // of them failed (SPEC §3: a red).
  if (noneSucceeded(stats.key)) {
    return red(
      `no request of "${key}" succeeded at the target stage (${target.users} users, ${stats.key.count} failed): the target failed`,
    );
  }
  const p95 = stats.key.p95Ms;
  const level = p95Level(p95, c.p95Ms);
  const ci = stats.p95Ci ? { lowMs: stats.p95Ci.lowMs, highMs: stats.p95Ci.highMs } : null;
  // The level is the point estimate's; the interval only says whether another level is plausible.
  const borderline = ci !== null && (p95Level(ci.lowMs, c.p95Ms) !== level || p95Level(ci.highMs, c.p95Ms) !== level);
  const comparison =
    level === 'green'
      ? `≤ ${c.p95Ms.green} ms`
      : level === 'orange'
        ? `> ${c.p95Ms.green} ms and ≤ ${c.p95Ms.orange} ms`
        : `> ${c.p95Ms.orange} ms`;
  const interval = ci ? ` [${ms(ci.lowMs, c.p95Ms)}, ${ms(ci.highMs, c.p95Ms)}]` : ' (no confidence interval: too few windows)';
  const crossed = borderline ? '; borderline: the 95 % interval crosses a bound' : '';
  const rule = `p95 of "${key}" at ${target.users} users ${ms(p95, c.p95Ms)}${interval} ${comparison} → ${level}${crossed}`;
  return { runId, level, figure: p95, bound, rule, borderline, ci };
}

function errorRunLevel(
  runId: string,
  manifest: RunManifest,
  summary: RunSummary,
  target: StageView,
  missing: string | null,
  c: Criteria,
): RunLevel {
  const bound = errorBound(c.errorRatePct);
  const red = (why: string): RunLevel => ({ runId, level: 'red', figure: null, bound, rule: `${why} → red`, borderline: false, ci: null });
  if (missing) return red(missing);
  const order = manifest.plan.stages.map((s) => s.users);
  const upTo = order.slice(0, order.indexOf(target.users) + 1).map((u) => stageView(manifest, summary, u));
  const beyond = order.slice(order.indexOf(target.users) + 1).map((u) => stageView(manifest, summary, u));
  const noStats = upTo.find((s) => !s.stats);
  if (noStats)
    return red(
      `no statistics for stage ${noStats.users} users (${statusWords(noStats.record)}): the error rate up to the target cannot be measured`,
    );
  let failures = 0;
  let count = 0;
  for (const s of upTo) {
    failures += s.stats!.all.failures;
    count += s.stats!.all.count;
  }
  if (count === 0) return red(`no request recorded up to the target stage (${target.users} users)`);
  const bounds = [c.errorRatePct.green, c.errorRatePct.orange];
  const level = errorRateLevel(failures, count, c.errorRatePct);
  const comparison =
    level === 'green'
      ? `< ${c.errorRatePct.green} %`
      : level === 'orange'
        ? `≥ ${c.errorRatePct.green} % and ≤ ${c.errorRatePct.orange} %`
        : `> ${c.errorRatePct.orange} %`;
  const stress = beyond
    .filter((s) => s.stats && s.stats.all.count > 0)
    .map((s) => `${s.users} users ${pct(s.stats!.all.failures, s.stats!.all.count, bounds)}`);
  const reported = stress.length ? `; beyond the target (reported, not scored): ${stress.join(', ')}` : '';
  const rule =
    `${failures} failed of ${count} requests over stages ${upTo.map((s) => s.users).join(', ')} = ` +
    `${pct(failures, count, bounds)} ${comparison} → ${level}${reported}`;
  return { runId, level, figure: (failures * 100) / count, bound, rule, borderline: false, ci: null };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Occasional degradation (SPEC §2): the outlier windows of the stage (the collector's
 * `outlierWindows`: log p95 above median + outlierMads × MAD of the windows' log p95, one
 * definition for the whole toolkit, see runner/stats/windows.ts) whose p95 is also above the
 * p95 green bound. A slow window that is the norm is not an outlier; a fast outlier is harmless.
 */
export function degradedWindows(stats: Pick<StageStats, 'windows' | 'outlierWindows'>, greenMs: number): WindowStats[] {
  const outliers = new Set(stats.outlierWindows);
  return stats.windows.filter((w) => outliers.has(w.index) && w.keyP95Ms !== null && w.keyP95Ms > greenMs);
}

/**
 * What a trend test says against the thresholds: none, continuous degradation (orange) or
 * unstable (red). A trend that is not significant is no finding: its Theil–Sen change is not given.
 */
function readTrend(
  t: TrendTest | null,
  what: string,
  worse: 'increasing' | 'decreasing',
  h: Criteria['held'],
): { level: Level; words: string } {
  if (!t) return { level: 'green', words: `${what}: no trend test (too few windows with figures)` };
  const growth = worse === 'increasing' ? t.changePctOverHold : -t.changePctOverHold;
  const significant = t.direction === worse && t.pValue < h.trendAlpha;
  if (!significant)
    return {
      level: 'green',
      words: `${what}: no significant ${worse === 'increasing' ? 'rise' : 'fall'} (Mann–Kendall p ${pValue(t.pValue)}, α = ${h.trendAlpha})`,
    };
  const stats = `Mann–Kendall p ${pValue(t.pValue)}, Theil–Sen ${signedPct(t.changePctOverHold)} over the hold`;
  if (growth >= h.trendRedPct)
    return {
      level: 'red',
      words: `${what}: ${stats} ≥ ${signedPct(worse === 'increasing' ? h.trendRedPct : -h.trendRedPct)} → not stable`,
    };
  if (growth >= h.trendMinPct) return { level: 'orange', words: `${what}: ${stats} → continuous degradation` };
  return {
    level: 'green',
    words: `${what}: ${stats}, under ${signedPct(worse === 'increasing' ? h.trendMinPct : -h.trendMinPct)}: not counted`,
  };
}

/** Windows compared at the start and end of the hold for a throughput collapse. */
function edgeWindows(n: number): number {
  return Math.max(1, Math.min(3, Math.floor(n / 3)));
}

function heldRunLevel(runId: string, target: StageView, missing: string | null, c: Criteria): RunLevel {
  const bound = heldBound(c);
  const h = c.held;
  const notHeld: string[] = [];
  const degraded: string[] = [];
  const fine: string[] = [];
  let untestable: string | null = null;
  const status = target.record?.status;
  if (status === 'target-failed' || status === 'engine-failed' || status === 'interrupted') {
    notHeld.push(`the stage ended ${statusWords(target.record)}`);
  }
  const stats = target.stats;
  if (missing || !stats) {
    notHeld.push(missing ?? 'no statistics for the target stage');
  } else {
    const hold = stats.hold;
    // A full hold can measure a little short: samples carry timestamps of `timeResolutionMs` (1 s
    // for k6), and the last request may end up to one iteration before the stage's end (few users,
    // long think times). Capped at 10 % of the hold so a stalled target still shows.
    const iteration = Math.min(stats.iterations.meanDurationMs ?? 0, 0.1 * hold.plannedHoldMs);
    const tolerance = Math.max(2 * stats.source.timeResolutionMs, 0.01 * hold.plannedHoldMs, iteration);
    const heldWords = `held ${duration(hold.heldMs)} of ${duration(hold.plannedHoldMs)}`;
    if (hold.heldMs < hold.plannedHoldMs - tolerance) notHeld.push(`${heldWords}${stats.source.truncated ? ' (CSV cut short)' : ''}`);
    else fine.push(heldWords);

    const all = stats.all;
    const errBounds = [c.errorRatePct.green, c.errorRatePct.orange];
    if (all.count > 0 && errorRateLevel(all.failures, all.count, c.errorRatePct) === 'red') {
      notHeld.push(`error rate at the stage ${pct(all.failures, all.count, errBounds)} > ${c.errorRatePct.orange} %`);
    }
    const timeouts = stats.errors.timeouts;
    if (timeouts > 0 && all.count > 0 && timeouts * 100 >= h.bulkTimeoutsPct * all.count) {
      notHeld.push(`${plural(timeouts, 'request')} timed out (${pct(timeouts, all.count, [h.bulkTimeoutsPct])} ≥ ${h.bulkTimeoutsPct} %)`);
    } else if (timeouts > 0) {
      fine.push(`${plural(timeouts, 'timeout')} (under ${h.bulkTimeoutsPct} %)`);
    }

    const w = stats.windows;
    if (w.length >= 2) {
      const k = edgeWindows(w.length);
      const first = mean(w.slice(0, k).map((x) => x.throughputPerS));
      const last = mean(w.slice(-k).map((x) => x.throughputPerS));
      const edge = `last ${plural(k, 'window')} ${round(last, 1)}/s vs first ${round(first, 1)}/s`;
      if (first > 0 && last < h.collapseRatio * first)
        notHeld.push(`throughput collapsed: ${edge} (< ${round(h.collapseRatio * 100, 1)} %)`);
      else fine.push(`throughput kept: ${edge}`);
    } else {
      fine.push(`throughput: ${plural(w.length, 'window')}, too few to compare`);
    }

    // SPEC §2: a hold without the data for a trend test is not tested; the level rests on the rest.
    if (!stats.trendTestable.testable) untestable = untestableWords(stats.trendTestable);
    else {
      for (const trend of [
        readTrend(stats.latencyTrend, 'mean latency', 'increasing', h),
        readTrend(stats.throughputTrend, 'throughput', 'decreasing', h),
      ]) {
        if (trend.level === 'red') notHeld.push(trend.words);
        else if (trend.level === 'orange') degraded.push(trend.words);
        else fine.push(trend.words);
      }
    }

    const outliers = degradedWindows(stats, c.p95Ms.green);
    if (outliers.length) {
      const list = outliers.map((o) => `#${o.index} ${ms(o.keyP95Ms!, c.p95Ms)}`).join(', ');
      degraded.push(`occasional degradation: ${plural(outliers.length, 'outlier window')} with p95 above ${c.p95Ms.green} ms (${list})`);
    } else {
      const n = stats.outlierWindows.length;
      fine.push(n ? `${plural(n, 'outlier window')}, none above ${c.p95Ms.green} ms` : 'no outlier window');
    }
  }
  const level: Level = notHeld.length ? 'red' : degraded.length ? 'orange' : 'green';
  const head = level === 'red' ? 'not held' : level === 'orange' ? 'held with degradation' : 'held, no degradation';
  const evidence = level === 'red' ? [...notHeld, ...degraded] : level === 'orange' ? [...degraded] : [...fine];
  if (untestable) evidence.push(untestable);
  const rule = `${evidence.join('; ')} → ${head} → ${level}`;
  return { runId, level, figure: null, bound, rule, borderline: false, ci: null };
}

/**
 * The level of one run on each criterion (SPEC §2), at the run's own target stage and key
 * transaction (from its plan), with the thresholds of `config`. Missing target data is red, saying why.
 */
export function levelRun(manifest: RunManifest, summary: RunSummary, config: CapacityConfig): RunLevels {
  const c = config.criteria;
  const target = stageView(manifest, summary, manifest.plan.targetStage);
  const missing = targetMissing(target, manifest);
  return {
    p95: p95RunLevel(manifest.id, target, missing, keyLabel(manifest.plan.keyTransaction, manifest.plan.keyMetric), c),
    errorRate: errorRunLevel(manifest.id, manifest, summary, target, missing, c),
    held: heldRunLevel(manifest.id, target, missing, c),
  };
}
