import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { oldestFirst } from '../decision/comparability.ts';
import { UserError, isUserError, fsReason } from './errors.ts';
import { type RunManifest, runManifestFormat } from './formats/manifest.ts';
import { type RunSummary, runSummaryFormat } from './formats/run-summary.ts';

/**
 * Reading a results folder: `<results>/runs/<run-id>/run.json` + `summary.json` per run.
 * Reading never fails because of one bad run: that run comes back with `problem` set, and the
 * decision lists it as excluded with that reason.
 */

/** One run folder as found on disk. */
export interface StoredRun {
  /** The folder name (a run id, `2026-11-22T0301Z-ab12`). */
  readonly id: string;
  /** Absolute or cwd-relative path of the run folder, as built from `resultsDir`. */
  readonly dir: string;
  /** null when run.json is missing or invalid (then `problem` says why). */
  readonly manifest: RunManifest | null;
  /** null when summary.json is missing or invalid (then `problem` says why). */
  readonly summary: RunSummary | null;
  /** Why this run cannot be used as it is, in one line; null when both files read fine. */
  readonly problem: string | null;
}

export const RUNS_FOLDER = 'runs';
export const MANIFEST_FILE = 'run.json';
export const SUMMARY_FILE = 'summary.json';

/** The folder of a run inside a results folder. */
export function runDir(resultsDir: string, runId: string): string {
  return join(resultsDir, RUNS_FOLDER, runId);
}

/** Reads one file of a run; a UserError becomes a problem naming the file relative to the run folder. */
async function readOrProblem<T>(dir: string, file: string, read: (path: string) => Promise<T>): Promise<{ value: T | null; problem: string | null; missing?: boolean }> {
  const path = join(dir, file);
  try {
    return { value: await read(path), problem: null };
  } catch (e) {
    if (!isUserError(e)) throw e;
    const message = e.message.startsWith(`${path}: `) ? `${file}: ${e.message.slice(path.length + 2)}` : e.message;
    return { value: null, problem: e.hint ? `${message} (${e.hint})` : message, missing: (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' };
  }
}

/** Reads one run folder; a missing or invalid file becomes `problem`, never an exception. */
export async function readRun(dir: string, id: string): Promise<StoredRun> {
  const m = await readOrProblem(dir, MANIFEST_FILE, (p) => runManifestFormat.read(p));
  const s = await readOrProblem(dir, SUMMARY_FILE, (p) => runSummaryFormat.read(p));
  const problems: string[] = [];
  if (m.problem) problems.push(m.problem);
  if (m.value && m.value.id !== id) problems.push(`${MANIFEST_FILE}: id "${m.value.id}" does not match its folder "${id}"`);
  // Without a readable run.json the summary's state explains nothing more.
  if (s.problem && !m.problem) {
    // A missing summary is expected of a run that never finished a stage; say so plainly.
    problems.push(s.missing ? `${SUMMARY_FILE}: missing (run \`npm run collect -- --run ${dir}\`)` : s.problem);
  }
  if (s.value && s.value.runId !== id) problems.push(`${SUMMARY_FILE}: runId "${s.value.runId}" does not match its folder "${id}"`);
  return { id, dir, manifest: m.value, summary: s.value, problem: problems.length ? problems.join('; ') : null };
}

/**
 * Every run of a results folder, oldest first by start time (`oldestFirst`: run.json's startedAt,
 * the id only breaking ties; two runs of the same minute have random id suffixes).
 * A results folder without a `runs/` folder has no runs yet. Throws a UserError when
 * `resultsDir` does not exist or is not a folder.
 */
export async function listRuns(resultsDir: string): Promise<StoredRun[]> {
  const hint = 'give the folder that `npm run stages --results <folder>` wrote to (default: results)';
  let info;
  try {
    info = await stat(resultsDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'results folder does not exist' : `cannot read the results folder: ${fsReason(e)}`, {
      file: resultsDir,
      hint,
    });
  }
  if (!info.isDirectory()) throw new UserError('is not a folder; expected a results folder', { file: resultsDir, hint });
  const runsDir = join(resultsDir, RUNS_FOLDER);
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new UserError(`cannot list the runs: ${fsReason(e)}`, { file: runsDir, hint });
  }
  // Hidden folders are temporary (a run being moved in place), not runs.
  const ids = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const runs = await Promise.all(ids.map((id) => readRun(join(runsDir, id), id)));
  return runs.sort(oldestFirst);
}
