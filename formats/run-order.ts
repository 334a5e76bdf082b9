import type { RunManifest } from './run-manifest.ts';

/** The one ordering of runs (by start time), shared by the decision, the results folder and the report. */

/**
 * When a run started: its manifest's startedAt, else the UTC minute in its id
 * (`2026-11-22T0301Z-ab12`, runner/run-id.ts), else null (an id of another shape).
 */
export function runStartMs(run: { readonly id: string; readonly manifest: Pick<RunManifest, 'startedAt'> | null }): number | null {
  if (run.manifest) return Date.parse(run.manifest.startedAt);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})Z-/.exec(run.id);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : null;
}

/**
 * Newest run first, by start time (run.json's startedAt, else the minute in the id); the id only
 * breaks ties. Ids alone are not time order: two runs started in the same UTC minute get random
 * suffixes. Runs of unknown start time come last. The one ordering of runs for the toolkit.
 */
export function newestFirst(a: Parameters<typeof runStartMs>[0], b: Parameters<typeof runStartMs>[0]): number {
  const ta = runStartMs(a) ?? -Infinity;
  const tb = runStartMs(b) ?? -Infinity;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Oldest run first: the reverse of `newestFirst`. */
export function oldestFirst(a: Parameters<typeof runStartMs>[0], b: Parameters<typeof runStartMs>[0]): number {
  return newestFirst(b, a);
}
