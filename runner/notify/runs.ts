import { runStartMs } from '../../formats/run-order.ts';
import type { StoredRun } from '../results-store.ts';
import type { RunOutcome } from './detect.ts';

/** How each stored run ended, as the failure streak reads it (a folder without a readable run.json is `unreadable`). */
export function runOutcomes(runs: readonly StoredRun[]): RunOutcome[] {
  return runs.map((r) =>
    r.manifest
      ? { id: r.id, status: r.manifest.status, why: r.manifest.why, startedAtMs: runStartMs(r) }
      : { id: r.id, status: 'unreadable', why: r.problem ?? undefined, startedAtMs: runStartMs(r) },
  );
}
