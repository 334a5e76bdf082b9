/** The one mark of a missing value in every table, line and report the toolkit prints. */
export const MISSING = '—';

/**
 * The decision in words — its value, its action, the numbers and durations of its evidence —
 * as the decide table, the report and the notifications write them. Pure; no locale (the output
 * is compared in tests and read in reports the same way everywhere).
 */

import type { CriterionId, DecisionValue } from '../formats/decision.ts';

/** Each criterion as the decision's reasons and the decide table name it. */
export const CRITERION_NAMES: Readonly<Record<CriterionId, string>> = {
  p95: 'p95 at the target stage',
  errorRate: 'error rate up to the target',
  held: 'target stage held',
};

const DECISION_WORDS: Readonly<Record<DecisionValue, string>> = {
  go: 'Go',
  watch: 'Watch',
  'no-go': 'No-Go',
  'insufficient-data': 'Insufficient data',
};

/** A decision value as people write it: "Go", "Watch", "No-Go", "Insufficient data". */
export function decisionWord(value: DecisionValue): string {
  return DECISION_WORDS[value];
}

/** The config's next-week actions, one per decision (the shape of `CapacityConfig['actions']`). */
export interface DecisionActions {
  readonly go: string;
  readonly watch: string;
  readonly noGo: string;
  readonly provisional: string;
  readonly insufficientData: string;
}

/**
 * The action for `value`, then the provisional note when the decision is provisional (never for
 * insufficient data, which has no decision to be provisional about).
 */
export function decisionActions(actions: DecisionActions, value: DecisionValue, provisional: boolean): string[] {
  const main = { go: actions.go, watch: actions.watch, 'no-go': actions.noGo, 'insufficient-data': actions.insufficientData }[value];
  return provisional && value !== 'insufficient-data' ? [main, actions.provisional] : [main];
}

/** Rounds to at most `digits` decimals and drops trailing zeros: 2480.35 → "2480.4" (digits 1). */
export function round(value: number, digits: number): string {
  const f = 10 ** digits;
  return String(Math.round(value * f) / f);
}

/**
 * `value` with as few decimals as needed so that it never prints equal to one of `bounds`
 * it is not equal to: 2500.3 next to a bound of 2500 prints "2500.3", not "2500" (which would read
 * as green while it is orange).
 */
export function nearBounds(value: number, bounds: readonly number[], minDigits = 0): string {
  for (let d = minDigits; d < 6; d += 1) {
    const text = round(value, d);
    if (!bounds.some((b) => Number(text) === b && value !== b)) return text;
  }
  return String(value);
}

/** Milliseconds as `9m58s`, `45s`, `1.5s`, `250ms` (k6's style, to the tenth of a second). */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = (tenths % 600) / 10;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/** A signed percentage: +14 %, −3.5 %. */
export function signedPct(value: number, digits = 1): string {
  const text = round(Math.abs(value), digits);
  return `${value < 0 ? '−' : '+'}${text} %`;
}

/** A p-value as statisticians write it: 0.003, 0.41, < 0.001. */
export function pValue(p: number): string {
  if (p < 0.001) return '< 0.001';
  return `= ${p < 0.01 ? round(p, 4) : round(p, 3)}`;
}

/** "1 run", "3 runs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
