/**
 * Every second of the test: the `vus` and `vus_max` samples, the outputs flushed, the progress
 * shown, and (every 2 s, as k6) the abortOnFail thresholds checked.
 */
import type { Log } from './engine-io.ts';
import { evaluateThresholds, type Threshold } from './metrics.ts';
import { crossedNames } from './end-of-test.ts';
import type { RunControl } from './run-control.ts';
import type { SampleSink } from './sample-sink.ts';

export interface TickerDeps {
  sink: SampleSink;
  control: RunControl;
  thresholds: readonly Threshold[];
  log: Log;
  /** VUs active now, and initialised. */
  vus: () => { active: number; max: number };
  /** ms since the test started. */
  sinceStart: () => number;
  /** Shows the progress (null with --quiet). */
  show: (() => void) | null;
}

/** Starts ticking; returns the stop. */
export function startTicker(d: TickerDeps): () => void {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    const t = performance.timeOrigin + performance.now();
    const { active, max } = d.vus();
    d.sink.add('vus', active, t, {});
    d.sink.add('vus_max', max, t, {});
    d.sink.flush(() => d.control.stop('output'));
    d.show?.();
    if (ticks % 2 === 0) abortOnFail(d);
  }, 1000);
  return () => clearInterval(timer);
}

/** As k6 during the run: only abortOnFail thresholds past their delayAbortEval, on metrics with samples. */
function abortOnFail(d: TickerDeps): void {
  const elapsed = d.sinceStart();
  const abortable = d.thresholds.filter((x) => x.abortOnFail && elapsed >= x.delayAbortEvalMs && x.sink.count > 0);
  if (!abortable.length) return;
  const crossed = evaluateThresholds(abortable, elapsed / 1000);
  if (!crossed.length) return;
  d.log(
    'error',
    `thresholds on metrics '${crossedNames(crossed)}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
  );
  d.control.stop('threshold');
}
