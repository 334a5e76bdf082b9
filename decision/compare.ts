import type { Comparison, ComparisonSide, P95Difference } from '../formats/comparison.ts';
import { CRITERIA, type Decision } from '../formats/decision.ts';
import { UserError } from '../formats/errors.ts';
import { CRITERION_NAMES, decisionWord } from './words.ts';

/**
 * The migration comparison (issue 17): two environments' decisions, each computed by decide()
 * over its own runs only, put side by side. Pure.
 */

/** Per environment, what the decision does not hold: users held on goodput per run (SPEC §2), the ISO weeks of its runs. */
export interface SideInput {
  readonly decision: Decision;
  readonly capacityUsers: readonly number[];
  readonly weeks: readonly string[];
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Whether a side's decision rests on a run: without one there is nothing to compare (compareEnvironments refuses). */
export function hasUsableRun(d: Decision): boolean {
  return d.decision !== 'insufficient-data' && d.runs.length > 0;
}

function side(input: SideInput): ComparisonSide {
  const d = input.decision;
  if (!hasUsableRun(d)) {
    throw new UserError(`environment "${d.environment}" has no usable run to compare`, {
      hint: `run \`npm run stages -- --environment ${d.environment}\` first`,
    });
  }
  const criteria: ComparisonSide['criteria'] = {};
  for (const id of CRITERIA) {
    const c = d.criteria[id];
    if (c) criteria[id] = { level: c.level, figure: median(c.runs.flatMap((r) => (r.figure === null ? [] : [r.figure]))) };
  }
  const weeks = [...new Set(input.weeks)].sort();
  return { environment: d.environment, decision: d.decision, criteria, capacityUsers: median(input.capacityUsers), runs: d.runs, weeks };
}

// Two-sided 97.5 % quantiles of Student's t for df 1..30; beyond, the normal's 1.96.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

function meanVar(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) };
}

/**
 * Welch's interval on the per-run p95s: the run (a night) is the unit of repetition, so the
 * run-to-run spread — not the within-run window spread, which is autocorrelated — is the noise
 * a migration must beat. Unequal variances because the two hosts need not vary alike.
 * The Welch–Satterthwaite df is floored (conservative). Null with fewer than 2 runs a side.
 */
export function p95Difference(current: readonly number[], candidate: readonly number[]): P95Difference | null {
  if (current.length < 2 || candidate.length < 2) return null;
  const a = meanVar(current);
  const b = meanVar(candidate);
  const va = a.variance / current.length;
  const vb = b.variance / candidate.length;
  const se = Math.sqrt(va + vb);
  const df = se === 0 ? Number.POSITIVE_INFINITY : (va + vb) ** 2 / (va ** 2 / (current.length - 1) + vb ** 2 / (candidate.length - 1));
  const t = T975[Math.max(1, Math.floor(df)) - 1] ?? 1.96;
  const differenceMs = b.mean - a.mean;
  const lowMs = differenceMs - t * se;
  const highMs = differenceMs + t * se;
  return { differenceMs, lowMs, highMs, measurable: lowMs > 0 || highMs < 0 };
}

/** "No-Go (p95 at the target stage red)": the decision and its worst criteria. */
function stated(s: ComparisonSide): string {
  const red = CRITERIA.filter((id) => s.criteria[id]?.level === 'red');
  const orange = CRITERIA.filter((id) => s.criteria[id]?.level === 'orange');
  const why = red.length ? red.map((id) => `${CRITERION_NAMES[id]} red`) : orange.map((id) => `${CRITERION_NAMES[id]} orange`);
  return `${s.environment}: ${decisionWord(s.decision)}${why.length ? ` (${why.join(', ')})` : ''}`;
}

type Value = 'go' | 'watch' | 'no-go';
const RANK: Readonly<Record<Value, number>> = { go: 0, watch: 1, 'no-go': 2 };

/** The verdict grid: every pair of Go/Watch/No-Go, current first. */
export function verdictWords(cur: ComparisonSide, cand: ComparisonSide): string {
  const c = cur.decision as Value;
  const k = cand.decision as Value;
  const both = `${stated(cur)}; ${stated(cand)} — `;
  if (c === k) {
    if (c === 'go') return `${both}both Go: no capacity reason to migrate`;
    if (c === 'watch') return `${both}both Watch: the candidate does not clearly hold more; compare the p95 difference`;
    return `${both}both No-Go: migrating to this candidate does not fix capacity`;
  }
  if (RANK[k] < RANK[c]) {
    if (k === 'go') return `${both}the candidate holds the target, the current host does not`;
    return `${both}the candidate is better but does not clearly hold the target either`;
  }
  if (c === 'go') return `${both}the current host holds the target, the candidate does not: do not migrate to it`;
  return `${both}the candidate is worse than the current host: do not migrate to it`;
}

export function compareEnvironments(current: SideInput, candidate: SideInput): Comparison {
  const cur = side(current);
  const cand = side(candidate);
  const p95s = (s: SideInput) => (s.decision.criteria.p95?.runs ?? []).flatMap((r) => (r.figure === null ? [] : [r.figure]));
  return {
    kind: 'comparison',
    schemaVersion: 1,
    current: cur,
    candidate: cand,
    p95Difference: p95Difference(p95s(current), p95s(candidate)),
    verdict: verdictWords(cur, cand),
  };
}
