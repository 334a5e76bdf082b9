import type { RunManifest } from '../formats/manifest.ts';
import type { RunSummary } from '../formats/run-summary.ts';
import { fixed, formatTable } from './format.ts';

/** The end-of-run table: one row per stage, the key transaction's figures over the hold. */
export function formatStageTable(manifest: RunManifest, summary: RunSummary): string {
  const key = manifest.plan.keyTransaction;
  const rows = manifest.stages.map((stage) => {
    const stats = summary.stages.find((s) => s.users === stage.users)?.stats ?? null;
    const mark = stage.users === manifest.plan.targetStage ? ' *' : '';
    return [
      `${stage.users}${mark}`,
      stats ? String(stats.all.count) : '–',
      fixed(stats?.all.throughputPerS, 1),
      fixed(stats?.key.p50Ms, 0),
      fixed(stats?.key.p95Ms, 0),
      fixed(stats?.key.p99Ms, 0),
      stats ? `${(stats.all.errorRate * 100).toFixed(2)}%` : '–',
      stage.status,
    ];
  });
  return formatTable(['users', 'requests', 'req/s', `p50 ${key} ms`, 'p95 ms', 'p99 ms', 'errors', 'stage'], rows) +
    `\n(* target stage; figures over each stage's hold, ramp-up excluded)`;
}
