import type { StageStatus } from '../formats/manifest.ts';
import type { CapacityEstimate, RunSummary, SaturationStep } from '../formats/run-summary.ts';
import type { StageStats } from '../formats/stage-stats.ts';
import { fitUsl, uslDenominator, uslPeakUsers, uslThroughput, type UslFit } from './usl.ts';

/** Saturation (SPEC §2): throughput grew by less than this fraction of the proportional gain… */
export const SATURATION_GAIN_RATIO = 0.25;
/** …while the key p95 rose by more than this many percent. */
export const SATURATION_P95_RISE_PCT = 25;
/** Below this r², the USL does not describe the stages: no capacity estimate. */
export const USL_MIN_R2 = 0.9;
/** Capacity figures are extrapolated at most this far beyond the largest stage. */
export const USL_MAX_EXTRAPOLATION = 1.5;

export interface SummaryStageInput {
  users: number;
  status: StageStatus;
  stats: StageStats | null;
}

/** Stages whose figures measure the target: they have statistics over a hold, and the engine did not break. */
function usable(stages: readonly SummaryStageInput[]): Array<SummaryStageInput & { stats: StageStats }> {
  return stages
    .filter((s): s is SummaryStageInput & { stats: StageStats } => s.stats !== null && s.status !== 'engine-failed' && s.status !== 'skipped' && s.stats.hold.heldMs > 0)
    .sort((a, b) => a.users - b.users);
}

const pct = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(0)} %`;

/**
 * One step up the stage list: did throughput (all requests per second over the hold) stop following
 * users while the key p95 rose, or did errors appear?
 */
export function saturationStep(from: { users: number; stats: StageStats }, to: { users: number; stats: StageStats }): SaturationStep {
  const x1 = from.stats.all.throughputPerS;
  const x2 = to.stats.all.throughputPerS;
  const userGain = to.users / from.users - 1;
  const throughputGainRatio = x1 > 0 && userGain > 0 ? (x2 / x1 - 1) / userGain : null;
  const p1 = from.stats.key.p95Ms;
  const p2 = to.stats.key.p95Ms;
  const p95RisePct = p1 !== null && p2 !== null && p1 > 0 ? (p2 / p1 - 1) * 100 : null;
  const errorsAppeared = from.stats.all.failures === 0 && to.stats.all.failures > 0;
  const flat = throughputGainRatio !== null && throughputGainRatio < SATURATION_GAIN_RATIO;
  const rising = p95RisePct !== null && p95RisePct > SATURATION_P95_RISE_PCT;
  const saturated = (flat && rising) || errorsAppeared;
  const reasons: string[] = [];
  if (flat && rising) {
    reasons.push(`throughput gained ${(throughputGainRatio! * 100).toFixed(0)} % of the proportional gain (< ${SATURATION_GAIN_RATIO * 100} %) while p95 rose ${pct(p95RisePct!)} (> ${SATURATION_P95_RISE_PCT} %)`);
  }
  if (errorsAppeared) reasons.push(`${to.stats.all.failures} failed requests appeared (none at ${from.users} users)`);
  let why: string;
  if (saturated) why = reasons.join('; ');
  else {
    const t = throughputGainRatio === null ? 'throughput gain unknown' : `throughput gained ${(throughputGainRatio * 100).toFixed(0)} % of the proportional gain`;
    const p = p95RisePct === null ? 'p95 change unknown' : `p95 ${pct(p95RisePct)}`;
    why = `${t}, ${p}, no new errors`;
  }
  return { fromUsers: from.users, toUsers: to.users, throughputGainRatio, p95RisePct, errorsAppeared, saturated, why };
}

/**
 * Users at which the key p95 would reach `boundMs`. Under the USL with a closed workload, mean
 * response time is linear in D(N) = 1 + σ(N−1) + κN(N−1) (R = D(N)/λ − think time), so the
 * stages' p95 are regressed on D(N) by least squares and the line solved for `boundMs`.
 * null when p95 does not grow with D, or the crossing lies beyond `maxUsers`.
 */
export function usersAtP95(fit: UslFit, points: ReadonlyArray<{ users: number; p95Ms: number }>, boundMs: number, maxUsers: number): number | null {
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

/**
 * A run's summary across its stages (pure): the saturation signal of SPEC §2 per step up and the
 * first stage showing it, the stages failing Little's law (suspect data), and a USL capacity
 * estimate — or "no estimate" with the reason when fewer than 3 stages or the fit is poor.
 */
export function summarizeRun(input: { runId: string; keyName: string; p95GreenMs: number; stages: SummaryStageInput[] }): RunSummary {
  const stages = input.stages.map((s) => ({ users: s.users, status: s.status, stats: s.stats }));
  const used = usable(input.stages);

  const steps: SaturationStep[] = [];
  for (let i = 1; i < used.length; i++) steps.push(saturationStep(used[i - 1]!, used[i]!));
  let firstStage: number | null = null;
  let why: string;
  const first = used[0];
  if (first && first.stats.all.failures > 0) {
    firstStage = first.users;
    why = `${first.stats.all.failures} failed requests already at the first stage (${first.users} users)`;
  } else {
    const step = steps.find((s) => s.saturated);
    firstStage = step ? step.toUsers : null;
    why = step ? `${step.toUsers} users: ${step.why}` : used.length < 2 ? 'fewer than 2 stages with statistics: no step to compare' : 'no step up showed the signal';
  }

  const suspectStages = input.stages.filter((s) => s.stats !== null && !s.stats.littlesLaw.ok).map((s) => s.users);

  let estimate: CapacityEstimate | null = null;
  let note: string;
  if (used.length < 3) {
    note = `no estimate: ${used.length} stage(s) with statistics, the USL fit needs at least 3`;
  } else {
    const fit = fitUsl(used.map((s) => ({ users: s.users, throughput: s.stats.all.throughputPerS })));
    if (!fit) note = 'no estimate: the USL fit did not converge';
    else if (!(fit.r2 >= USL_MIN_R2)) note = `no estimate: the USL fits the stages poorly (r² ${fit.r2.toFixed(2)} < ${USL_MIN_R2})`;
    else {
      const largest = used[used.length - 1]!.users;
      const maxUsers = USL_MAX_EXTRAPOLATION * largest;
      const nPeak = uslPeakUsers(fit);
      const usersAtPeak = Math.min(nPeak, maxUsers);
      const p95Points = used.filter((s) => s.stats.key.p95Ms !== null).map((s) => ({ users: s.users, p95Ms: s.stats.key.p95Ms! }));
      const usersAtP95Green = usersAtP95(fit, p95Points, input.p95GreenMs, maxUsers);
      estimate = {
        model: 'usl',
        lambda: fit.lambda,
        sigma: fit.sigma,
        kappa: fit.kappa,
        r2: fit.r2,
        residuals: fit.residuals,
        peakThroughputPerS: uslThroughput(fit, usersAtPeak),
        usersAtPeak,
        usersAtP95Green,
      };
      const notes = [`USL fit over ${used.length} stages, r² ${fit.r2.toFixed(3)}`];
      if (used.length === 3) notes.push('3 stages for 3 parameters: the fit cannot show its own error');
      if (nPeak > maxUsers) notes.push(`throughput still rising at ${USL_MAX_EXTRAPOLATION} × the largest stage (${maxUsers} users): peak given there`);
      if (usersAtP95Green === null) notes.push(`p95 does not reach ${input.p95GreenMs} ms within ${maxUsers} users by the fit`);
      note = notes.join('; ');
    }
  }

  return {
    kind: 'run-summary',
    schemaVersion: 1,
    runId: input.runId,
    keyName: input.keyName,
    stages,
    saturation: { firstStage, steps, why },
    capacity: { estimate, note },
    suspectStages,
  };
}
