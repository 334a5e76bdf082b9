import type { Decision, DecisionValue } from '../../formats/decision.ts';
import type { RunStatus } from '../../formats/run-manifest.ts';
import type { NotifyState } from './state.ts';

/**
 * What deserves a message, as pure functions of (what was last announced, the current decision,
 * the runs on disk). No I/O and no clock: `now` is a parameter.
 */

/** How a run folder ended, as notify needs it (from run.json; `unreadable` when it has none). */
export interface RunOutcome {
  readonly id: string;
  readonly status: RunStatus | 'unreadable';
  /** run.json's `why`, or the reason the folder could not be read. */
  readonly why?: string | undefined;
  /** When it started (run.json's startedAt); places the failures without a run folder among the runs. */
  readonly startedAtMs?: number | null | undefined;
}

type FolderlessFailure = NonNullable<NotifyState['folderlessFailures']>[number];

/**
 * The runs with the failures that left no run folder placed among them by time (each after the
 * runs that started before it), oldest first.
 */
function timeline(runsAscending: readonly RunOutcome[], failures: readonly FolderlessFailure[]): RunOutcome[] {
  const out = [...runsAscending];
  for (const f of failures) {
    const at = Date.parse(f.at);
    let i = out.length;
    while (i > 0 && (out[i - 1]!.startedAtMs ?? -Infinity) > at) i -= 1;
    out.splice(i, 0, {
      id: f.id,
      status: 'failed',
      why: `npm run stages exited with ${f.exitCode} before writing a run folder`,
      startedAtMs: at,
    });
  }
  return out;
}

export type NotifyEvent =
  /** The decision differs from the one last announced (`from` null: the first one ever). */
  | { readonly type: 'decision-changed'; readonly from: DecisionValue | null; readonly to: DecisionValue }
  /** The tool itself failed on the newest `runs.length` runs in a row (≥ the threshold). */
  | { readonly type: 'tool-failing'; readonly runs: readonly { id: string; why: string }[] }
  /** A completed run ended a streak of failures that had been alerted. */
  | { readonly type: 'tool-recovered'; readonly failedRuns: number; readonly runId: string };

/** Consecutive failed runs of the tool before an alert (the "two consecutive failed runs"). */
export const DEFAULT_FAILURE_THRESHOLD = 2;

/**
 * The newest runs, in a row, that the tool itself broke (`status: "failed"`), oldest first.
 * A completed run ends the streak. Runs still `running` (in progress, or killed so hard that they
 * could not record an end) and `interrupted` ones (an operator or CI cancelled them) neither count
 * nor break it: they say nothing about the tool. Unreadable folders do not count either: they are
 * the decision's business (it lists them as excluded).
 */
export function failureStreak(runsAscending: readonly RunOutcome[]): RunOutcome[] {
  const streak: RunOutcome[] = [];
  for (let i = runsAscending.length - 1; i >= 0; i -= 1) {
    const run = runsAscending[i]!;
    if (run.status === 'completed') break;
    if (run.status === 'failed') streak.unshift(run);
  }
  return streak;
}

export interface DetectInput {
  readonly previous: NotifyState | null;
  readonly decision: Decision;
  /**
   * This call reports a failure of `npm run stages` that left no run folder (its exit code; CI's
   * `--tool-failed`): recorded in the state and counted in the streak like a failed run.
   */
  readonly toolFailed?: number | undefined;
  /** All runs of the results folder, oldest first (runner/results-store.ts `listRuns`'s order: by start time). */
  readonly runs: readonly RunOutcome[];
  readonly failureThreshold?: number;
  /** ISO timestamp written into the next state. */
  readonly now: string;
}

export interface DetectOutput {
  /** Empty when nothing changed: then nothing is posted and the state need not be written. */
  readonly events: NotifyEvent[];
  /** The state to write once the events were delivered. */
  readonly next: NotifyState;
  /**
   * The state to write when the events were not delivered (none, no webhook, a failed post): the
   * last announcement unchanged, the failures without a run folder updated so the next call still
   * counts them. Worth writing only when those changed (`failuresChanged`).
   */
  readonly kept: NotifyState;
  readonly failuresChanged: boolean;
}

/**
 * Compares the current decision and failure streak with what was last announced.
 * A change of `decision` (go / watch / no-go / insufficient-data) is an event; a change of the
 * provisional flag alone is not (the decision stayed the same, it just rests on more runs).
 * A failure streak is alerted once when it reaches the threshold, and its end is announced once.
 */
export function detectChanges(input: DetectInput): DetectOutput {
  const { previous, decision, now } = input;
  const threshold = input.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
  const events: NotifyEvent[] = [];

  const lastValue = previous?.decision?.value ?? null;
  if (lastValue !== decision.decision) events.push({ type: 'decision-changed', from: lastValue, to: decision.decision });
  const nextDecision: NotifyState['decision'] =
    lastValue === decision.decision && previous?.decision
      ? previous.decision
      : { value: decision.decision, provisional: decision.provisional, newestRun: decision.runs[0] ?? null, announcedAt: now };

  const recorded = [...(previous?.folderlessFailures ?? [])];
  if (input.toolFailed !== undefined) recorded.push({ id: `no run folder, ${now}`, at: now, exitCode: input.toolFailed });
  const all = timeline(input.runs, recorded);
  // A completed run ends every streak before it: older failures can never count again.
  const lastCompleted = all.map((r) => r.status).lastIndexOf('completed');
  const afterLastCompleted = new Set(all.slice(lastCompleted + 1).map((r) => r.id));
  const failures = recorded.filter((f) => afterLastCompleted.has(f.id));
  const failuresChanged = JSON.stringify(failures) !== JSON.stringify(previous?.folderlessFailures ?? []);

  const streak = failureStreak(all);
  const streakStart = streak[0]?.id ?? null;
  const alerted = previous?.failureAlert ?? null;
  let nextAlert: NotifyState['failureAlert'] = alerted;
  if (streak.length >= threshold && streakStart !== alerted?.streakStart) {
    events.push({ type: 'tool-failing', runs: streak.map((r) => ({ id: r.id, why: r.why ?? 'no reason recorded' })) });
    nextAlert = { streakStart: streakStart!, runIds: streak.map((r) => r.id), alertedAt: now };
  } else if (alerted && streakStart !== alerted.streakStart) {
    // The alerted streak ended: a completed run came after it (a new, shorter streak may have begun).
    const recoveredBy = newestCompleted(all);
    if (recoveredBy) events.push({ type: 'tool-recovered', failedRuns: alerted.runIds.length, runId: recoveredBy });
    nextAlert = null;
  }

  const base = {
    kind: 'notify-state' as const,
    schemaVersion: 1 as const,
    ...(failures.length ? { folderlessFailures: failures } : {}),
    updatedAt: now,
  };
  return {
    events,
    next: { ...base, decision: nextDecision, failureAlert: nextAlert },
    kept: { ...base, decision: previous?.decision ?? null, failureAlert: previous?.failureAlert ?? null },
    failuresChanged,
  };
}

function newestCompleted(runsAscending: readonly RunOutcome[]): string | null {
  for (let i = runsAscending.length - 1; i >= 0; i -= 1) if (runsAscending[i]!.status === 'completed') return runsAscending[i]!.id;
  return null;
}
