import type { OpenStageRecord } from '../../formats/run-manifest.ts';
import type { StageStats } from '../../formats/stage-stats.ts';
import { Metric } from '../../formats/k6/csv.ts';

/**
 * The open-model stage's figures (run.json `openStage.figures`), from its stage statistics:
 * the key transaction's p95 over the hold, and the arrivals the constant-arrival-rate executor
 * could not start for want of a free VU (k6's `dropped_iterations` counter, over the whole file:
 * k6 counts them as they happen, and the stage has no ramp). Pure.
 */
export function openStageFigures(stats: StageStats): NonNullable<OpenStageRecord['figures']> {
  const dropped = Math.round(stats.metrics[Metric.droppedIterations]?.count ?? 0);
  // Started iterations over the same whole-file span as the drops (k6's `iterations` counter),
  // or those ended in the hold when the counter is absent.
  const started = Math.round(stats.metrics[Metric.iterations]?.count ?? stats.iterations.count);
  return {
    keyP50Ms: stats.key.p50Ms,
    keyP95Ms: stats.key.p95Ms,
    keyP99Ms: stats.key.p99Ms,
    keyCount: stats.key.count,
    requests: stats.all.count,
    throughputPerS: stats.all.throughputPerS,
    errorRate: stats.all.errorRate,
    iterationsPerS: stats.iterations.ratePerS,
    droppedIterations: dropped,
    droppedPct: dropped + started > 0 ? (100 * dropped) / (dropped + started) : 0,
  };
}
