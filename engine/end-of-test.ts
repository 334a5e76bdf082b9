/**
 * The end of a test, as k6 ends it: teardown(), thresholds, handleSummary() or the text summary,
 * --summary-export, outputs completed, and k6's exit code from all of that.
 */
import { resolve } from 'node:path';
import { writeFileAtomic } from '../formats/files.ts';
import { K6ExitCode } from '../formats/k6/exit-codes.ts';
import type { EngineIo, Log } from './engine-io.ts';
import type { RunFlags } from './flags.ts';
import { evaluateThresholds, type Threshold } from './metrics.ts';
import type { RunControl } from './run-control.ts';
import type { SampleSink } from './sample-sink.ts';
import { summaryData, summaryExport, textSummary } from './summary.ts';
import type { Vu } from './vu.ts';

export interface EndOfTest {
  /** VU 0, which runs teardown() and handleSummary(). */
  controller: Vu;
  /** What the script exports (teardown, handleSummary…). */
  exports: ReadonlySet<string>;
  /** setup()'s result, as JSON. */
  data: string | null;
  control: RunControl;
  sink: SampleSink;
  thresholds: Threshold[];
  /** How long the scenarios ran (ms): the summary's test duration. */
  durationMs: number;
  summary: { trendStats: string[]; timeUnit: string };
  flags: RunFlags;
  io: EngineIo;
  log: Log;
}

/** The metrics whose thresholds were crossed, as k6 names them in its error: sorted, comma-separated. */
export function crossedNames(crossed: readonly Threshold[]): string {
  return [...new Set(crossed.map((x) => x.metricKey))].sort().join(', ');
}

/** teardown(); false when it threw (the test's exit code is then 107 unless something worse happened). */
async function teardown(t: EndOfTest): Promise<boolean> {
  if (!t.exports.has('teardown') || t.control.reason === 'output') return true;
  t.controller.clearInterrupt();
  const r = await t.controller.command({ op: 'teardown', data: t.data });
  if (r.op === 'done' && r.abort) {
    t.control.abortMessage = r.abort;
    t.control.reason ??= 'abort';
  } else if (r.op === 'done' && r.error) return false;
  return true;
}

/** handleSummary()'s map written (stdout, stderr, files); false when the script has none or it returned nothing. */
async function handleSummary(t: EndOfTest, summary: unknown): Promise<boolean> {
  if (!t.exports.has('handleSummary')) return false;
  const r = await t.controller.command({ op: 'handleSummary', summary: JSON.stringify(summary) });
  if (r.op !== 'done' || !r.result) return false;
  for (const [k, v] of Object.entries(JSON.parse(r.result) as Record<string, string>)) {
    if (k === 'stdout') t.io.stdout.write(v);
    else if (k === 'stderr') t.io.stderr.write(v);
    else {
      try {
        await writeFileAtomic(resolve(t.io.cwd, k), v);
      } catch (e) {
        t.sink.error ??= new Error(`writing ${k} (from handleSummary): ${(e as Error).message}`);
      }
    }
  }
  return true;
}

async function summaries(t: EndOfTest): Promise<void> {
  const { flags, io } = t;
  const summary = summaryData(t.sink.store, t.thresholds, t.durationMs, { ...t.summary, noColor: flags.noColor }, io.stdout, io.stderr);
  const printed = await handleSummary(t, summary);
  // As k6: colours only on a terminal, and never with --no-color (or NO_COLOR).
  const color = !flags.noColor && summary.state.isStdOutTTY && io.env.NO_COLOR === undefined;
  if (!flags.noSummary && !printed) io.stdout.write(textSummary(summary, { color }));
  if (flags.summaryExport) {
    try {
      await writeFileAtomic(resolve(io.cwd, flags.summaryExport), `${JSON.stringify(summaryExport(summary), null, 4)}\n`);
    } catch (e) {
      t.sink.error ??= new Error(`writing the summary export ${flags.summaryExport}: ${(e as Error).message}`);
    }
  }
}

/** Ends the test; resolves with k6's exit code. */
export async function endTest(t: EndOfTest): Promise<number> {
  const teardownOk = await teardown(t);
  const crossed = evaluateThresholds(t.thresholds, t.durationMs / 1000);
  await summaries(t);
  await t.sink.close();
  const { control, log } = t;
  if (t.sink.error) {
    log('error', t.sink.error.message);
    return K6ExitCode.genericEngine;
  }
  if (control.reason === 'abort') {
    log('error', `test aborted: ${control.abortMessage}`);
    return K6ExitCode.scriptAborted;
  }
  if (control.reason === 'sigint') return K6ExitCode.externalAbort;
  if (crossed.length && control.reason !== 'threshold') log('error', `thresholds on metrics '${crossedNames(crossed)}' have been crossed`);
  if (crossed.length || control.reason === 'threshold') return K6ExitCode.thresholdsHaveFailed;
  return teardownOk ? K6ExitCode.ok : K6ExitCode.scriptException;
}
