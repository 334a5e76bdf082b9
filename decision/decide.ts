import type { CapacityConfig } from '../formats/config.ts';
import { newestFirst, runStartMs } from '../formats/run-order.ts';
import { type RunInput, type UsableRun, differences, unusableReason } from './comparability.ts';
import { verdict } from './consolidate.ts';
import { CRITERIA, type CriterionId, type CriterionResult, type Decision, type DecisionValue, type Level } from '../formats/decision.ts';
import { type RunLevels, levelRun } from './levels.ts';
import { decisionActions, plural } from './words.ts';
import { keyLabel } from '../formats/key-transaction.ts';

export { levelRun, type RunLevels } from './levels.ts';
export type { RunInput } from './comparability.ts';

/**
 * The decision over a results folder's runs (SPEC §3): exclusions, comparability with a reference
 * run, the last `runsToCompare` comparable runs, per-run levels, consolidation, score, decision.
 * Pure: the runs, the config and the time bound are parameters.
 */

export interface DecideOptions {
  /** The run the others are compared with (default: the newest usable run). */
  baseline?: string;
  /** ISO-8601 time: runs started after it are ignored (a report for a past week). */
  until?: string;
}

/** A bad --baseline or --until: the caller turns it into a one-line user error. */
export class DecisionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionInputError';
  }
}

function actionFor(config: CapacityConfig, value: DecisionValue, provisional: boolean): string {
  return decisionActions(config.actions, value, provisional).join(' ');
}

/** The runs up to `until` (all without it), newest first; a run of unknown start time is kept, to be listed with its problem. */
function consideredRuns(runs: readonly RunInput[], until: string | undefined): RunInput[] {
  const sorted = [...runs].sort(newestFirst);
  if (until === undefined) return sorted;
  const untilMs = Date.parse(until);
  if (Number.isNaN(untilMs)) throw new DecisionInputError(`--until: expected an ISO-8601 time like 2026-11-23T00:00:00Z (got "${until}")`);
  return sorted.filter((r) => {
    const t = runStartMs(r);
    return t === null || t <= untilMs;
  });
}

/** The run the others are compared with: --baseline's (refused in one line when it cannot be), else the newest usable. */
function referenceRun(
  runs: readonly RunInput[],
  usable: readonly UsableRun[],
  excluded: ReadonlyArray<{ id: string; reason: string }>,
  options: DecideOptions,
): UsableRun | undefined {
  if (options.baseline === undefined) return usable[0];
  const reference = usable.find((r) => r.id === options.baseline);
  if (reference) return reference;
  const out = excluded.find((e) => e.id === options.baseline);
  const known = runs.some((r) => r.id === options.baseline);
  throw new DecisionInputError(
    out
      ? `--baseline ${options.baseline}: this run cannot be a reference: ${out.reason}`
      : known
        ? `--baseline ${options.baseline}: this run started after --until ${options.until ?? ''}`.trimEnd()
        : `--baseline ${options.baseline}: no such run in the results folder`,
  );
}

/** What the decision warns of: a config that differs from the runs' plan, a target stage that fails Little's law. */
function decisionWarnings(plan: UsableRun['manifest']['plan'], used: readonly UsableRun[], config: CapacityConfig): string[] {
  const warnings: string[] = [];
  if (plan.targetStage !== config.targetStage) {
    warnings.push(`the config's targetStage is ${config.targetStage} but the runs were made with ${plan.targetStage}: the runs' is used`);
  }
  const configKey = keyLabel(config.keyTransaction.name, config.keyTransaction.metric);
  if (keyLabel(plan.keyTransaction, plan.keyMetric) !== configKey) {
    warnings.push(
      `the config's key transaction is "${configKey}" but the runs measured "${keyLabel(plan.keyTransaction, plan.keyMetric)}": the runs' is used`,
    );
  }
  for (const run of used) {
    const target = run.manifest.plan.targetStage;
    if (run.summary.suspectStages.includes(target)) {
      const why = run.summary.stages.find((s) => s.users === target)?.stats?.littlesLaw.why;
      warnings.push(`${run.id}: the target stage fails the Little's law check: ${why ?? 'suspect data'}`);
    }
  }
  return warnings;
}

/**
 * Decides over `runs` (any order: they are sorted by start time, `newestFirst`) with the thresholds of `config`.
 * Throws DecisionInputError when `options.baseline` names no usable run or `options.until` is not a time.
 */
export function decide(runs: readonly RunInput[], config: CapacityConfig, options: DecideOptions = {}): Decision {
  const considered = consideredRuns(runs, options.until);
  const { usable, excluded } = sortUsable(considered, config.runsToCompare, options.baseline);
  const reference = referenceRun(runs, usable, excluded, options);
  if (!reference) return noDecision(runs, considered, excluded, config, options);

  const comparable: UsableRun[] = [];
  for (const run of usable) {
    const diff = differences(run.manifest, reference.manifest);
    if (diff.length) excluded.push({ id: run.id, reason: `not comparable with ${reference.id}: ${diff.join('; ')}` });
    else comparable.push(run);
  }
  const used = comparable.slice(0, config.runsToCompare);
  const provisional = used.length < config.runsToCompare;

  const levels: RunLevels[] = used.map((r) => levelRun(r.manifest, r.summary, config));
  const perRun = {} as Record<CriterionId, Level[]>;
  for (const id of CRITERIA) perRun[id] = levels.map((l) => l[id].level);
  const v = verdict(perRun);
  const criteria: Partial<Record<CriterionId, CriterionResult>> = {};
  for (const id of CRITERIA) criteria[id] = { level: v.consolidated[id], runs: levels.map((l) => l[id]) };
  const reasons = provisional
    ? [`provisional: rests on ${plural(used.length, 'comparable run')} of the ${config.runsToCompare} to compare`, ...v.reasons]
    : v.reasons;

  const plan = reference.manifest.plan;
  return {
    ...DECISION_HEADER,
    decision: v.decision,
    provisional,
    score: v.score,
    reading: v.reading,
    reasons,
    criteria,
    runs: used.map((r) => r.id),
    baseline: reference.id,
    excluded: listedExclusions(considered, excluded, used, provisional),
    runsToCompare: config.runsToCompare,
    environment: config.environment,
    targetStage: plan.targetStage,
    keyTransaction: keyLabel(plan.keyTransaction, plan.keyMetric),
    action: actionFor(config, v.decision, provisional),
    warnings: decisionWarnings(plan, used, config),
  };
}

const DECISION_HEADER = { kind: 'decision' as const, schemaVersion: 1 as const };

/**
 * The runs a decision may rest on, and the others with why not, newest first. It stops at the
 * oldest run the decision uses once there are `runsToCompare` runs comparable with the reference:
 * an older run changes nothing (its exclusion is left out: listedExclusions), so it is not looked
 * at, and its summary is never read (runner/results-store.ts reads it on first use).
 */
function sortUsable(
  considered: readonly RunInput[],
  runsToCompare: number,
  baseline: string | undefined,
): { usable: UsableRun[]; excluded: { id: string; reason: string }[] } {
  const excluded: { id: string; reason: string }[] = [];
  const usable: UsableRun[] = [];
  let reference: UsableRun | undefined;
  let comparable = 0;
  for (const run of considered) {
    const reason = unusableReason(run);
    if (reason || !run.manifest || !run.summary) {
      excluded.push({ id: run.id, reason: reason ?? 'run.json or summary.json missing' });
      continue;
    }
    const kept: UsableRun = { ...run, manifest: run.manifest, summary: run.summary };
    usable.push(kept);
    if (reference) comparable += differences(kept.manifest, reference.manifest).length === 0 ? 1 : 0;
    else if (baseline === undefined || kept.id === baseline) {
      reference = kept; // as referenceRun picks it
      comparable = usable.filter((r) => differences(r.manifest, kept.manifest).length === 0).length;
    }
    if (reference && comparable >= runsToCompare) break;
  }
  return { usable, excluded };
}

/**
 * With enough runs, exclusions older than the oldest run used changed nothing: they are left out.
 * With too few, every exclusion helps explain why the decision is provisional. Newest first.
 */
function listedExclusions(
  considered: readonly RunInput[],
  excluded: { id: string; reason: string }[],
  used: readonly UsableRun[],
  provisional: boolean,
): { id: string; reason: string }[] {
  const oldestUsed = used[used.length - 1]!;
  const byId = new Map(considered.map((r) => [r.id, r]));
  const order = (a: { id: string }, b: { id: string }) => newestFirst(byId.get(a.id)!, byId.get(b.id)!);
  return (provisional ? excluded : excluded.filter((e) => order(e, oldestUsed) < 0)).sort(order);
}

/** No run to decide on: insufficient data, saying whether the folder was empty, all later, or all excluded. */
function noDecision(
  runs: readonly RunInput[],
  considered: readonly RunInput[],
  excluded: { id: string; reason: string }[],
  config: CapacityConfig,
  options: DecideOptions,
): Decision {
  const reason =
    considered.length > 0
      ? `no comparable run: ${plural(considered.length, 'run')} found, every one excluded (see excluded)`
      : runs.length > 0
        ? `no run up to ${options.until ?? ''} (the results folder has ${plural(runs.length, 'run')}, all later)`
        : 'no run in the results folder';
  return {
    ...DECISION_HEADER,
    decision: 'insufficient-data',
    provisional: false,
    score: null,
    reading: null,
    reasons: [reason],
    criteria: {},
    runs: [],
    baseline: null,
    excluded,
    runsToCompare: config.runsToCompare,
    environment: config.environment,
    targetStage: config.targetStage,
    keyTransaction: keyLabel(config.keyTransaction.name, config.keyTransaction.metric),
    action: actionFor(config, 'insufficient-data', false),
    warnings: [],
  };
}
