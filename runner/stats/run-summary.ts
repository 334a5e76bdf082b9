import { errorRateLevel, p95Level } from '../../decision/levels.ts';
import { nearBounds, plural } from '../../decision/words.ts';
import type { StageStatus } from '../../formats/run-manifest.ts';
import type { CapacityEstimate, RunSummary, SaturationSignal, SaturationStep } from '../../formats/run-summary.ts';
import { noneSucceeded, type StageStats } from '../../formats/stage-stats.ts';
import { normalCdf } from './distributions.ts';
import { fitUsl, peakIsCapped, uslDenominator, uslPeakUsers, uslThroughput, type UslFit, type UslParams } from './usl.ts';

/** Saturation (SPEC §2): goodput grew by less than this fraction of the proportional gain… */
export const SATURATION_GAIN_RATIO = 0.25;
/** …while the key p95 rose by more than this many percent. */
export const SATURATION_P95_RISE_PCT = 25;
/** An error-rate rise counts when a one-sided two-proportion test finds it significant at this level… */
export const SATURATION_ALPHA = 0.05;
/** …and it is at least this many percentage points: a few failures appearing is not saturation. */
export const SATURATION_MIN_ERROR_RISE_POINTS = 0.5;
/** Below this r², the USL does not describe the stages: no capacity estimate. */
export const USL_MIN_R2 = 0.9;
/** Capacity figures are extrapolated at most this far beyond the largest stage. */
export const USL_MAX_EXTRAPOLATION = 1.5;

export interface SummaryStageInput {
  users: number;
  status: StageStatus;
  stats: StageStats | null;
}

/** The green bounds capacity and saturation are read against (the config's criteria). */
export interface SummaryBounds {
  p95GreenMs: number;
  errorRatePct: { green: number; orange: number };
}

/** The bounds of a config. */
export function summaryBounds(config: {
  readonly criteria: {
    readonly p95Ms: { readonly green: number };
    readonly errorRatePct: { readonly green: number; readonly orange: number };
  };
}): SummaryBounds {
  return {
    p95GreenMs: config.criteria.p95Ms.green,
    errorRatePct: { green: config.criteria.errorRatePct.green, orange: config.criteria.errorRatePct.orange },
  };
}

type Measured = SummaryStageInput & { stats: StageStats };

/** Stages whose figures measure the target: they have statistics over a hold, and the engine did not break. */
function usable(stages: readonly SummaryStageInput[]): Measured[] {
  return stages
    .filter((s): s is Measured => s.stats !== null && s.status !== 'engine-failed' && s.status !== 'skipped' && s.stats.hold.heldMs > 0)
    .sort((a, b) => a.users - b.users);
}

const signed = (v: number): string => `${Math.round(v) >= 0 ? '+' : '−'}${Math.abs(v).toFixed(0)} %`;
const rate = (r: number): string => `${(r * 100).toFixed(2)} %`;
const perS = (v: number): string => v.toFixed(1);
/** "248.7–313.0", or one figure when both ends print alike (every refit stopped at the same limit). */
const span = (lo: number, hi: number, f: (v: number) => string): string => (f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`);
/** A typeset minus sign, as the other figures of the outputs write it. */
const minus = (text: string): string => text.replace(/^-/, '−');

/**
 * One-sided two-proportion z-test of "the failure rate rose from f1/n1 to f2/n2" (pooled
 * standard error, no continuity correction): its p-value, null when the rate did not rise.
 */
export function errorRiseP(f1: number, n1: number, f2: number, n2: number): number | null {
  if (n1 === 0 || n2 === 0 || f2 / n2 <= f1 / n1) return null;
  const pooled = (f1 + f2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return null;
  return Math.min(1, Math.max(0, 1 - normalCdf((f2 / n2 - f1 / n1) / se)));
}

/** The stage's error rate in words against the bounds: "13.2 % of requests fail (1234 of 9345)". */
function failWords(s: StageStats, b: SummaryBounds): string {
  const pct = nearBounds((s.all.failures * 100) / s.all.count, [b.errorRatePct.green, b.errorRatePct.orange], 1);
  return `${pct} % of requests fail (${s.all.failures} of ${s.all.count})`;
}

/** Whether the error rate of `s` is at least the green bound (counts compared as the decision does). */
function leftGreen(s: StageStats, b: SummaryBounds): boolean {
  return s.all.count > 0 && errorRateLevel(s.all.failures, s.all.count, b.errorRatePct) !== 'green';
}

/**
 * One step up the stage list (SPEC §2): did goodput stop following users while the key p95 rose,
 * did the error rate leave green, or did it rise beyond noise? Each signal that fired is named
 * with its figures; when none did, the words say why the step is not saturation.
 */
export function saturationStep(
  from: { users: number; stats: StageStats },
  to: { users: number; stats: StageStats },
  bounds: SummaryBounds,
): SaturationStep {
  const a = from.stats;
  const b = to.stats;
  const userGain = to.users / from.users - 1;
  const g1 = a.all.goodputPerS;
  const g2 = b.all.goodputPerS;
  const goodputGainRatio = g1 > 0 && userGain > 0 ? (g2 / g1 - 1) / userGain : null;
  // A p95 of requests that all failed (refused connections last ~0 ms) says nothing about latency.
  const p1 = noneSucceeded(a.key) ? null : a.key.p95Ms;
  const p2 = noneSucceeded(b.key) ? null : b.key.p95Ms;
  const p95RisePct = p1 !== null && p2 !== null && p1 > 0 ? (p2 / p1 - 1) * 100 : null;
  const riseP = errorRiseP(a.all.failures, a.all.count, b.all.failures, b.all.count);
  const risePoints = (b.all.errorRate - a.all.errorRate) * 100;

  const signals: SaturationSignal[] = [];
  const words: string[] = [];
  const gain =
    goodputGainRatio === null
      ? 'goodput gain unknown'
      : `goodput gained ${minus((goodputGainRatio * 100).toFixed(0))} % of the proportional gain (${perS(g1)} → ${perS(g2)} successful requests/s for ${signed(userGain * 100)} users)`;
  const p95 = p95RisePct === null ? 'p95 change unknown' : `p95 ${signed(p95RisePct)} (${Math.round(p1!)} → ${Math.round(p2!)} ms)`;
  const flat = goodputGainRatio !== null && goodputGainRatio < SATURATION_GAIN_RATIO;
  const rising = p95RisePct !== null && p95RisePct > SATURATION_P95_RISE_PCT;
  if (flat && rising) {
    signals.push('goodput-flat-p95-up');
    words.push(
      `${gain}, under ${SATURATION_GAIN_RATIO * 100} %, while ${p95.replace('p95', 'p95 rose')}, over ${SATURATION_P95_RISE_PCT} %`,
    );
  }
  const errors = `error rate ${rate(a.all.errorRate)} → ${rate(b.all.errorRate)} (${b.all.failures} of ${b.all.count} failed)`;
  const errorFindings: string[] = [];
  if (leftGreen(b, bounds)) {
    signals.push('error-rate-left-green');
    errorFindings.push(`at or above the green bound of ${bounds.errorRatePct.green} %`);
  }
  const significant = riseP !== null && riseP < SATURATION_ALPHA;
  const test = riseP === null ? 'no rise' : `one-sided two-proportion test p ${riseP < 0.001 ? '< 0.001' : `= ${riseP.toFixed(3)}`}`;
  if (significant && risePoints >= SATURATION_MIN_ERROR_RISE_POINTS) {
    signals.push('error-rate-rise');
    errorFindings.push(
      `a rise of ${risePoints.toFixed(2)} points (≥ ${SATURATION_MIN_ERROR_RISE_POINTS}), significant (${test}, α ${SATURATION_ALPHA})`,
    );
  }
  if (errorFindings.length) words.push(`${errors}: ${errorFindings.join(', and ')}`);
  let why: string;
  if (signals.length) why = words.join('; ');
  else {
    let noise = '';
    if (riseP !== null) {
      const reasons = [
        significant ? '' : `not significant (${test} ≥ ${SATURATION_ALPHA})`,
        risePoints >= SATURATION_MIN_ERROR_RISE_POINTS ? '' : `${risePoints.toFixed(2)} points < ${SATURATION_MIN_ERROR_RISE_POINTS}`,
      ].filter(Boolean);
      noise = `: noise, not saturation (${reasons.join(', ')})`;
    }
    why = `no signal: ${gain}, ${p95}, ${errors}${noise}`;
  }
  return {
    fromUsers: from.users,
    toUsers: to.users,
    goodputGainRatio,
    p95RisePct,
    fromErrorRate: a.all.errorRate,
    toErrorRate: b.all.errorRate,
    errorRiseP: riseP,
    signals,
    saturated: signals.length > 0,
    why,
  };
}

/**
 * Users at which the key p95 would reach `boundMs`. Under the USL with a closed workload, mean
 * response time is linear in D(N) = 1 + σ(N−1) + κN(N−1) (R = D(N)/λ − think time), so the
 * stages' p95 are regressed on D(N) by least squares and the line solved for `boundMs`.
 * null when p95 does not grow with D, or the crossing lies beyond `maxUsers`.
 */
export function usersAtP95(
  fit: UslParams,
  points: ReadonlyArray<{ users: number; p95Ms: number }>,
  boundMs: number,
  maxUsers: number,
): number | null {
  if (points.length < 2) return null;
  const d = points.map((p) => uslDenominator(fit, p.users));
  const y = points.map((p) => p.p95Ms);
  const md = d.reduce((a, b) => a + b, 0) / d.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  const sxx = d.reduce((a, v) => a + (v - md) ** 2, 0);
  if (sxx <= 0) return null;
  const b = d.reduce((a, v, i) => a + (v - md) * (y[i]! - my), 0) / sxx;
  const a = my - b * md;
  if (!(b > 0)) return null;
  const target = (boundMs - a) / b;
  // Solve κN² + (σ − κ)N + (1 − σ − target) = 0 for N > 0.
  const qa = fit.kappa;
  const qb = fit.sigma - fit.kappa;
  const qc = 1 - fit.sigma - target;
  let n: number;
  if (qa < 1e-15) {
    if (qb <= 0) return null;
    n = -qc / qb;
  } else {
    const disc = qb * qb - 4 * qa * qc;
    if (disc < 0) return null;
    n = (-qb + Math.sqrt(disc)) / (2 * qa);
  }
  if (!Number.isFinite(n)) return null;
  if (n > maxUsers) return null;
  return Math.max(1, n);
}

/** Why a stage does not count as capacity (SPEC §2: held, p95 and error rate green); empty when it does. */
function missedBounds(s: SummaryStageInput, keyName: string, b: SummaryBounds): string[] {
  if (s.status === 'skipped') return ['not run'];
  if (!s.stats) return [`no statistics (the stage ended ${s.status})`];
  const st = s.stats;
  const why: string[] = [];
  if (s.status !== 'completed') why.push(`the stage ended ${s.status}`);
  else if (st.source.truncated) why.push('its CSV was cut short');
  if (st.all.count === 0) return [...why, 'no request in the hold'];
  if (leftGreen(st, b)) why.push(failWords(st, b));
  if (noneSucceeded(st.key)) why.push(`no "${keyName}" request succeeded`);
  else if (st.key.p95Ms === null) why.push(`no "${keyName}" request`);
  else if (p95Level(st.key.p95Ms, { green: b.p95GreenMs, orange: Infinity }) !== 'green')
    why.push(`p95 of "${keyName}" ${Math.round(st.key.p95Ms)} ms > ${b.p95GreenMs} ms`);
  return why;
}

/**
 * Capacity in users (SPEC §2): the largest stage that held with the key p95 and the error rate
 * within their green bounds, in words with the first stage above it that did not and why
 * ("holds 100 users; at 150 users 13.2 % of requests fail (…)"). A smaller stage that missed the
 * bounds is said too: the capacity is then less sure than its figure.
 */
export function capacityInUsers(
  stages: readonly SummaryStageInput[],
  keyName: string,
  b: SummaryBounds,
): { users: number | null; words: string } {
  const run = [...stages].filter((s) => s.status !== 'skipped').sort((x, y) => x.users - y.users);
  if (run.length === 0) return { users: null, words: 'no stage was run' };
  const verdicts = run.map((s) => ({ users: s.users, missed: missedBounds(s, keyName, b) }));
  const holding = verdicts.filter((v) => v.missed.length === 0);
  const at = (v: { users: number; missed: string[] }): string => `at ${v.users} users ${v.missed.join(' and ')}`;
  if (holding.length === 0) return { users: null, words: `holds no stage within the green bounds: ${at(verdicts[0]!)}` };
  const users = holding[holding.length - 1]!.users;
  const below = verdicts.filter((v) => v.users < users && v.missed.length > 0);
  const above = verdicts.find((v) => v.users > users);
  let words = `holds ${users} users`;
  if (below.length) words += ` (though ${below.map((v) => `${v.users} users did not: ${v.missed.join(' and ')}`).join('; ')})`;
  words += above ? `; ${at(above)}` : `, the largest stage run: the limit lies beyond it`;
  return { users, words };
}

/** Peak of a fit within `limitUsers`: the model's own, or the limit when it still rises there. */
function peakWithin(fit: UslParams, limitUsers: number): { users: number; goodput: number } {
  const users = Math.min(uslPeakUsers(fit), limitUsers);
  return { users, goodput: uslThroughput(fit, users) };
}

/** The peak's range over USL refits each leaving one stage out; null with fewer than 4 stages or 2 refits. */
function leaveOneOut(
  points: ReadonlyArray<{ users: number; throughput: number }>,
  full: { users: number; goodput: number },
  limitUsers: number,
): CapacityEstimate['uncertainty'] {
  if (points.length < 4) return null;
  const peaks = [full];
  for (let i = 0; i < points.length; i++) {
    const fit = fitUsl(points.filter((_, j) => j !== i));
    if (fit && fit.r2 >= USL_MIN_R2) peaks.push(peakWithin(fit, limitUsers));
  }
  if (peaks.length < 3) return null;
  const g = peaks.map((p) => p.goodput);
  const u = peaks.map((p) => p.users);
  return {
    method: 'leave-one-stage-out',
    refits: peaks.length - 1,
    peakGoodputLowPerS: Math.min(...g),
    peakGoodputHighPerS: Math.max(...g),
    usersAtPeakLow: Math.min(...u),
    usersAtPeakHigh: Math.max(...u),
  };
}

/** The USL fitted to goodput per stage, with its limit and uncertainty, or the reason there is none. */
function uslEstimate(
  used: readonly Measured[],
  bounds: SummaryBounds,
  capacityUsers: number | null,
): { estimate: CapacityEstimate | null; note: string } {
  if (used.length < 3)
    return { estimate: null, note: `no model estimate: ${plural(used.length, 'stage')} with statistics, the USL fit needs at least 3` };
  const points = used.map((s) => ({ users: s.users, throughput: s.stats.all.goodputPerS }));
  const fit: UslFit | null = fitUsl(points);
  if (!fit) return { estimate: null, note: 'no model estimate: the USL fit did not converge' };
  if (!(fit.r2 >= USL_MIN_R2))
    return { estimate: null, note: `no model estimate: the USL fits the stages' goodput poorly (r² ${fit.r2.toFixed(2)} < ${USL_MIN_R2})` };
  const red = used.find(
    (s) => s.stats.all.count > 0 && errorRateLevel(s.stats.all.failures, s.stats.all.count, bounds.errorRatePct) === 'red',
  );
  const largest = used[used.length - 1]!.users;
  const limit: CapacityEstimate['limit'] = red
    ? { users: red.users, reason: 'red-error-rate' }
    : { users: USL_MAX_EXTRAPOLATION * largest, reason: 'extrapolation' };
  const peak = peakWithin(fit, limit.users);
  const p95Points = used
    .filter((s) => s.stats.key.p95Ms !== null && !noneSucceeded(s.stats.key))
    .map((s) => ({ users: s.users, p95Ms: s.stats.key.p95Ms! }));
  const usersAtP95Green = usersAtP95(fit, p95Points, bounds.p95GreenMs, limit.users);
  const uncertainty = leaveOneOut(points, peak, limit.users);
  const notes = [`USL fitted to goodput (successful requests/s) over ${used.length} stages, r² ${fit.r2.toFixed(3)}`];
  if (uncertainty) notes.push(`${plural(uncertainty.refits, 'refit')} leaving one stage out each`);
  else notes.push(`${used.length} stages for 3 parameters: the fit cannot show its own uncertainty`);
  if (uslPeakUsers(fit) > limit.users) {
    notes.push(
      red
        ? `goodput still rising by the model at ${red.users} users, but there ${failWords(red.stats, bounds)}, a red error rate: past capacity, so not extrapolated beyond`
        : `goodput still rising by the model at ${USL_MAX_EXTRAPOLATION} × the largest stage (${limit.users} users): the peak is at least that, given there`,
    );
  }
  if (capacityUsers !== null && peak.users > capacityUsers)
    notes.push(`the model's peak lies above the ${capacityUsers} users held within the bounds: a model figure, not a measured one`);
  if (usersAtP95Green === null) notes.push(`p95 does not reach ${bounds.p95GreenMs} ms within ${Math.round(limit.users)} users by the fit`);
  return {
    estimate: {
      model: 'usl',
      lambda: fit.lambda,
      sigma: fit.sigma,
      kappa: fit.kappa,
      r2: fit.r2,
      residuals: fit.residuals,
      peakGoodputPerS: peak.goodput,
      usersAtPeak: peak.users,
      limit,
      uncertainty,
      usersAtP95Green,
    },
    note: notes.join('; '),
  };
}

/** Each saturation signal in a few words, for the outputs that name the one that fired. */
export const SIGNAL_NAMES: Readonly<Record<SaturationSignal, string>> = {
  'goodput-flat-p95-up': 'goodput stopped following users while p95 rose',
  'error-rate-left-green': 'error rate left green',
  'error-rate-rise': 'error rate rose beyond noise',
};

/** The first stage showing saturation in words: "from 150 users (error rate left green)", or "not seen". */
export function saturationWords(s: RunSummary['saturation']): string {
  if (s.firstStage === null) return 'not seen';
  return `from ${s.firstStage} users (${s.signals.map((x) => SIGNAL_NAMES[x]).join('; ')})`;
}

/** Capacity in users and saturation, one line each, as the terminal outputs (stages, collect) print them. */
export function capacityLines(summary: Pick<RunSummary, 'capacity' | 'saturation'>): string {
  return `capacity: ${summary.capacity.words}\nsaturation: ${saturationWords(summary.saturation)} — ${summary.saturation.why}\n`;
}

/**
 * The USL estimate in words, secondary to capacity in users: its peak goodput and users, whether
 * the model still rises at its limit (a lower bound then, saying why it stops), its uncertainty.
 */
export function estimateWords(e: CapacityEstimate): string {
  const at = `${perS(e.peakGoodputPerS)} successful requests/s at ${Math.round(e.usersAtPeak)} users`;
  let peak = `peak ${at}`;
  if (peakIsCapped(e)) {
    // Past a red stage the service fails: the model's rise there is not capacity, so no "≥".
    peak =
      e.limit.reason === 'red-error-rate'
        ? `${at}, still rising by the model but not extrapolated past that stage, whose error rate is red`
        : `≥ ${at}, still rising at the limit of the extrapolation`;
  }
  const u = e.uncertainty;
  const range = u
    ? `; ${span(u.peakGoodputLowPerS, u.peakGoodputHighPerS, perS)}/s at ${span(u.usersAtPeakLow, u.usersAtPeakHigh, (v) => String(Math.round(v)))} users when one stage is left out`
    : '; uncertainty unknown: 3 stages for 3 parameters';
  return `${peak} (USL on goodput, R² ${e.r2.toFixed(2)}${range})`;
}

/**
 * A run's summary across its stages (pure): the saturation signals of SPEC §2 per step up and the
 * first stage showing one, the stages failing Little's law (suspect data), capacity in users, and
 * the USL estimate on goodput — or "no model estimate" with the reason.
 */
export function summarizeRun(input: { runId: string; keyName: string; stages: SummaryStageInput[] } & SummaryBounds): RunSummary {
  const bounds: SummaryBounds = { p95GreenMs: input.p95GreenMs, errorRatePct: input.errorRatePct };
  const stages = input.stages.map((s) => ({ users: s.users, status: s.status, stats: s.stats }));
  const used = usable(input.stages);

  const steps: SaturationStep[] = [];
  for (let i = 1; i < used.length; i++) steps.push(saturationStep(used[i - 1]!, used[i]!, bounds));
  let firstStage: number | null = null;
  let signals: SaturationSignal[] = [];
  let why: string;
  const first = used[0];
  if (first && leftGreen(first.stats, bounds)) {
    firstStage = first.users;
    signals = ['error-rate-left-green'];
    why = `already at the first stage (${first.users} users) ${failWords(first.stats, bounds)}: at or above the green bound of ${bounds.errorRatePct.green} %`;
  } else {
    const step = steps.find((s) => s.saturated);
    firstStage = step ? step.toUsers : null;
    signals = step ? step.signals : [];
    why = step
      ? `from ${step.fromUsers} to ${step.toUsers} users: ${step.why}`
      : used.length < 2
        ? 'fewer than 2 stages with statistics: no step to compare'
        : 'no step up showed a signal beyond noise';
  }

  const suspectStages = input.stages.filter((s) => s.stats !== null && !s.stats.littlesLaw.ok).map((s) => s.users);
  const capacity = capacityInUsers(input.stages, input.keyName, bounds);
  const { estimate, note } = uslEstimate(used, bounds, capacity.users);

  return {
    kind: 'run-summary',
    schemaVersion: 2,
    runId: input.runId,
    keyName: input.keyName,
    stages,
    saturation: { firstStage, signals, steps, why },
    capacity: { users: capacity.users, words: capacity.words, estimate, note },
    suspectStages,
  };
}
