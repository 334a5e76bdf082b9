import type { RunManifest } from '../formats/run-manifest.ts';
import type { RunSummary } from '../formats/run-summary.ts';
import { duration } from './words.ts';
import { keyLabel } from '../formats/key-transaction.ts';

/**
 * Which runs can carry a decision (SPEC §3): a run the operator stopped or the tool broke is not
 * a measurement of the target; a run whose target failed is (it is a red). Comparability is
 * checked on the runs' recorded plans, relative to one reference run.
 */

/** A run as the decision reads it (runner/results-store.ts's StoredRun has this shape). */
export interface RunInput {
  readonly id: string;
  readonly manifest: RunManifest | null;
  readonly summary: RunSummary | null;
  /** Why the run's files cannot be used as they are (unreadable, missing), or null. */
  readonly problem: string | null;
}

/** A run that can be levelled: both files read. */
export interface UsableRun extends RunInput {
  readonly manifest: RunManifest;
  readonly summary: RunSummary;
}

function why(text: string | undefined): string {
  return text ? `: ${text}` : '';
}

/**
 * Why a run cannot be used at all (whatever it is compared with), or null when it can.
 * Checked in this order so that the reason given is the one that explains the others (an
 * interrupted run usually has no summary either: "interrupted" is what the reader needs).
 */
export function unusableReason(run: RunInput): string | null {
  const m = run.manifest;
  if (!m) return run.problem ?? 'run.json missing';
  if (m.status === 'running') return 'status "running": still running, or the runner stopped without recording its end';
  const interrupted = m.stages.find((s) => s.status === 'interrupted');
  if (m.status === 'interrupted' || interrupted) {
    return `interrupted by the operator${why(m.why ?? interrupted?.why)} (not comparable)`;
  }
  const broke = m.stages.find((s) => s.status === 'engine-failed');
  if (broke) return `the engine broke at stage ${broke.users} users${why(broke.why)} (not a measurement of the target)`;
  if (m.status === 'failed' && !m.stages.some((s) => s.status === 'target-failed')) {
    return `failed without a target failure${why(m.why)} (the tool broke, not the target)`;
  }
  if (run.problem) return run.problem;
  const s = run.summary;
  if (!s) return 'summary.json missing';
  if (s.keyName !== m.plan.keyTransaction) {
    return `summary.json was computed for key transaction "${s.keyName}" but the run's is "${m.plan.keyTransaction}" (run \`npm run collect -- --run <run folder>\`)`;
  }
  // A stage the engine completed must have statistics; without them the run cannot be levelled
  // fairly (a red here would blame the target for a collection problem).
  const order = m.plan.stages.map((p) => p.users);
  const upToTarget = order.slice(0, order.indexOf(m.plan.targetStage) + 1);
  for (const users of upToTarget) {
    const record = m.stages.find((r) => r.users === users);
    if (record?.status === 'completed' && !s.stages.find((x) => x.users === users)?.stats) {
      return `stage ${users} users completed but has no statistics (run \`npm run collect -- --run <run folder>\`)`;
    }
  }
  return null;
}

/** The recorded facts two runs must share to be compared (SPEC §3), each with how to say it. */
const KEYS: readonly { what: string; get: (m: RunManifest) => string }[] = [
  { what: 'scenario', get: (m) => m.scenario.name },
  { what: 'bundle sha256', get: (m) => m.scenario.bundleSha256.slice(0, 12) },
  { what: 'host', get: (m) => m.host },
  { what: 'stages', get: (m) => m.plan.stages.map((s) => s.users).join(',') },
  { what: 'hold', get: (m) => (m.plan.holdMs % 100 === 0 ? duration(m.plan.holdMs) : `${m.plan.holdMs}ms`) },
  { what: 'spawn rate', get: (m) => `${m.plan.spawnRate}/s` },
  { what: 'target stage', get: (m) => String(m.plan.targetStage) },
  // Not in SPEC's list by name, but a p95 of another transaction is another measurement.
  { what: 'key transaction', get: (m) => keyLabel(m.plan.keyTransaction, m.plan.keyMetric) },
  { what: 'engine', get: (m) => m.engine.name },
];

/** How `run` differs from `reference` on the comparability keys; empty when comparable. */
export function differences(run: RunManifest, reference: RunManifest): string[] {
  const out: string[] = [];
  for (const key of KEYS) {
    const a = key.get(run);
    const b = key.get(reference);
    if (a !== b) out.push(`${key.what} ${a} ≠ ${b}`);
  }
  return out;
}
