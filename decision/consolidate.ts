import { CRITERIA, type CriterionId, type DecisionValue, type Level, type Reading } from '../formats/decision.ts';
import { SEVERITY } from './levels.ts';
import { CRITERION_NAMES, plural } from './words.ts';

/**
 * From per-run levels to the decision (SPEC §3): median-severity consolidation, score, Go / Watch /
 * No-Go, and the reading of the score. Pure and total: every combination of levels has an answer.
 */

/**
 * The level that at least half of the runs (rounded up) reach or exceed: with 3 runs, the median
 * severity — (red, red, green) → red, (red, green, green) → green, (green, orange, red) → orange.
 * With an even number of runs (a provisional decision on 2) it is the upper median: with only two
 * runs a red one cannot be called noise.
 */
export function consolidate(levels: readonly Level[]): Level {
  if (levels.length === 0) throw new Error('consolidate: no levels');
  const bySeverity = [...levels].sort((a, b) => SEVERITY[b] - SEVERITY[a]);
  return bySeverity[Math.ceil(levels.length / 2) - 1]!;
}

/** 2 × red + 1 × orange. */
export function score(levels: readonly Level[]): number {
  return levels.reduce((sum, l) => sum + SEVERITY[l], 0);
}

/** 0–1 ok, 2 attention, ≥ 3 open the migration study now. */
export function reading(scoreValue: number): Reading {
  if (scoreValue <= 1) return 'ok';
  if (scoreValue === 2) return 'attention';
  return 'migrate';
}

/** "Target stage not held in 2 of the 3 runs" → No-Go, whatever the consolidation says. */
export const NOT_HELD_RUNS_FOR_NO_GO = 2;

export interface Verdict {
  decision: Exclude<DecisionValue, 'insufficient-data'>;
  score: number;
  reading: Reading;
  consolidated: Record<CriterionId, Level>;
  /** Why, one sentence each, most decisive first. */
  reasons: string[];
}

/** The decision from each criterion's per-run levels (runs in any order, the same order for every criterion). */
export function verdict(perRun: Readonly<Record<CriterionId, readonly Level[]>>): Verdict {
  const consolidated = {} as Record<CriterionId, Level>;
  for (const id of CRITERIA) consolidated[id] = consolidate(perRun[id]);
  const levels = CRITERIA.map((id) => consolidated[id]);
  const total = score(levels);
  const n = perRun.held.length;
  const reds = CRITERIA.filter((id) => consolidated[id] === 'red');
  const oranges = CRITERIA.filter((id) => consolidated[id] === 'orange');
  const notHeld = perRun.held.filter((l) => l === 'red').length;
  const names = (ids: readonly CriterionId[]) => ids.map((id) => CRITERION_NAMES[id]).join(', ');

  const reasons: string[] = [];
  if (reds.length) reasons.push(`${reds.length} red ${reds.length === 1 ? 'criterion' : 'criteria'}: ${names(reds)}`);
  if (notHeld >= NOT_HELD_RUNS_FOR_NO_GO) reasons.push(`target stage not held in ${notHeld} of ${plural(n, 'run')}`);
  if (total >= 3) reasons.push(`score ${total} ≥ 3`);
  let decision: Verdict['decision'];
  if (reasons.length) decision = 'no-go';
  else if (oranges.length >= 2) {
    decision = 'watch';
    reasons.push(`${oranges.length} orange criteria (${names(oranges)}), no red`);
  } else {
    decision = 'go';
    reasons.push(oranges.length ? `no red, one orange criterion (${names(oranges)})` : 'every criterion green');
  }
  // Say when a bad run was outvoted, so a reader of the evidence table is not surprised.
  for (const id of CRITERIA) {
    const worse = perRun[id].filter((l) => SEVERITY[l] > SEVERITY[consolidated[id]]).length;
    if (worse > 0 && n > 1) {
      const worst = perRun[id].reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
      reasons.push(
        `${CRITERION_NAMES[id]}: ${worst} in ${worse} of ${plural(n, 'run')} only, consolidated ${consolidated[id]} (${worse === 1 ? 'one bad run is noise' : 'outvoted by the other runs'})`,
      );
    }
  }
  return { decision, score: total, reading: reading(total), consolidated, reasons };
}
