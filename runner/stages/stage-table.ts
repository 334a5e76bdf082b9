import type { RunManifest } from '../../formats/run-manifest.ts';
import type { RunSummary } from '../../formats/run-summary.ts';
import { noneSucceeded } from '../../formats/stage-stats.ts';
import { fixed, formatTable } from './format.ts';
import { MISSING } from '../../decision/words.ts';

/** The end-of-run table: one row per stage, the key transaction's figures over the hold. */
export function formatStageTable(manifest: RunManifest, summary: RunSummary): string {
  const key = manifest.plan.keyTransaction;
  let anyAllFailed = false;
  const rows = manifest.stages.map((stage) => {
    const stats = summary.stages.find((s) => s.users === stage.users)?.stats ?? null;
    const mark = stage.users === manifest.plan.targetStage ? ' *' : '';
    const allFailed = stats !== null && noneSucceeded(stats.key);
    anyAllFailed ||= allFailed;
    const latency = (ms: number | null | undefined): string => (allFailed ? 'n/a' : fixed(ms, 0));
    return [
      `${stage.users}${mark}`,
      stats ? String(stats.all.count) : MISSING,
      fixed(stats?.all.throughputPerS, 1),
      latency(stats?.key.p50Ms),
      latency(stats?.key.p95Ms),
      latency(stats?.key.p99Ms),
      stats ? `${(stats.all.errorRate * 100).toFixed(2)}%` : MISSING,
      stage.status,
    ];
  });
  return (
    formatTable(['users', 'requests', 'req/s', `p50 ${key} ms`, 'p95 ms', 'p99 ms', 'errors', 'stage'], rows) +
    `\n(* target stage; figures over each stage's hold, ramp-up excluded${anyAllFailed ? `; n/a: every ${key} request failed` : ''})`
  );
}

/**
 * After the table, the open-model stage against the target stage's closed-model figures: the
 * closed p95 is measured with a load that slows down when the service does (coordinated
 * omission); the open one is not. Null when no open stage was asked for.
 */
export function formatOpenStageLine(manifest: RunManifest, summary: RunSummary): string | null {
  const open = manifest.openStage;
  if (!open) return null;
  const key = manifest.plan.keyTransaction;
  if (open.status === 'skipped') return `open-model stage (×${open.factor}): skipped — ${open.why ?? 'not run'}`;
  const closed = summary.stages.find((s) => s.users === open.afterStage)?.stats ?? null;
  const f = open.figures;
  const rate = open.ratePerS !== undefined ? `${open.ratePerS.toFixed(2)} it/s` : 'the planned rate';
  if (!f) return `open-model stage (×${open.factor}, ${rate}): ${open.status}${open.why ? ` — ${open.why}` : ''}`;
  return (
    `open-model stage (×${open.factor}, ${rate}, ${open.preAllocatedVUs ?? '?'}–${open.maxVUs ?? '?'} VUs): p95 ${key} ${fixed(f.keyP95Ms, 0)} ms ` +
    `(closed model at ${open.afterStage} users: ${fixed(closed?.key.p95Ms, 0)} ms), dropped iterations ${f.droppedIterations} (${f.droppedPct.toFixed(1)}%), ` +
    `errors ${(f.errorRate * 100).toFixed(2)}%, ${open.status}${open.why ? ` — ${open.why}` : ''} — reported, not scored`
  );
}
