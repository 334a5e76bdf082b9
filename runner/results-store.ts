import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { oldestFirst } from '../formats/run-order.ts';
import { UserError, isUserError, fsReason } from '../formats/errors.ts';
import { CONFIG_FILE_NAME, type CapacityConfig } from '../formats/config.ts';
import { loadConfig } from './config-file.ts';
import { type RunManifest, runManifestFormat } from '../formats/run-manifest.ts';
import { type RunSummary, runSummaryFormat } from '../formats/run-summary.ts';
import { readFormat, readFormatSync } from '../formats/files.ts';

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

type FileRead<T> = { value: T | null; problem: string | null; missing?: boolean };

/** A UserError reading a file of a run, as a problem naming the file relative to the run folder; anything else is thrown. */
function problemRead(dir: string, file: string, e: unknown): FileRead<never> {
  if (!isUserError(e)) throw e;
  const path = join(dir, file);
  const message = e.message.startsWith(`${path}: `) ? `${file}: ${e.message.slice(path.length + 2)}` : e.message;
  return {
    value: null,
    problem: e.hint ? `${message} (${e.hint})` : message,
    missing: (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT',
  };
}

async function readManifest(dir: string): Promise<FileRead<RunManifest>> {
  try {
    return { value: await readFormat(runManifestFormat, join(dir, MANIFEST_FILE)), problem: null };
  } catch (e) {
    return problemRead(dir, MANIFEST_FILE, e);
  }
}

/** The summary and the run's problems, which depend on it. */
function readSummary(dir: string, id: string, m: FileRead<RunManifest>): Pick<StoredRun, 'summary' | 'problem'> {
  let s: FileRead<RunSummary>;
  try {
    s = { value: readFormatSync(runSummaryFormat, join(dir, SUMMARY_FILE)), problem: null };
  } catch (e) {
    s = problemRead(dir, SUMMARY_FILE, e);
  }
  const problems: string[] = [];
  if (m.problem) problems.push(m.problem);
  if (m.value && m.value.id !== id) problems.push(`${MANIFEST_FILE}: id "${m.value.id}" does not match its folder "${id}"`);
  // Without a readable run.json the summary's state explains nothing more.
  if (s.problem && !m.problem) {
    // A missing summary is expected of a run that never finished a stage; say so plainly.
    problems.push(s.missing ? `${SUMMARY_FILE}: missing (run \`npm run collect -- --run ${dir}\`)` : s.problem);
  }
  if (s.value && s.value.runId !== id) problems.push(`${SUMMARY_FILE}: runId "${s.value.runId}" does not match its folder "${id}"`);
  return { summary: s.value, problem: problems.length ? problems.join('; ') : null };
}

/**
 * Reads one run folder; a missing or invalid file becomes `problem`, never an exception. run.json
 * is read now; summary.json (most of a run's bytes, and of the time to validate them) on first use
 * of `summary` or `problem`: a decision over a hundred runs reads the few it rests on (decision/decide.ts).
 */
export async function readRun(dir: string, id: string): Promise<StoredRun> {
  const m = await readManifest(dir);
  let read: Pick<StoredRun, 'summary' | 'problem'> | undefined;
  const summaryPart = () => (read ??= readSummary(dir, id, m));
  return Object.defineProperties(
    { id, dir, manifest: m.value },
    {
      summary: { enumerable: true, get: () => summaryPart().summary },
      problem: { enumerable: true, get: () => summaryPart().problem },
    },
  ) as StoredRun;
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

/** The folder `npm run stages` writes to when no `--results` is given. */
export const DEFAULT_RESULTS = 'results';
/** The demo's results folder (`npm run demo`, `npm run stages -- --demo`): never mixed with a real environment's. */
export const DEMO_RESULTS = join(DEFAULT_RESULTS, 'demo');
/** The environment of every run against the embedded demo target. */
export const DEMO_ENVIRONMENT = 'demo';

/** The runs of one environment, and what the reader should know about the choice. */
export interface EnvironmentChoice {
  readonly environment: string;
  /** Its runs, plus the unreadable ones (their environment is unknown: listed as excluded, with why). */
  readonly runs: StoredRun[];
  /** Said when the folder holds several environments: which one was read and how to pick another. */
  readonly note: string | null;
}

/** Environments of readable runs with their run counts, in order of first appearance (oldest first). */
export function environmentsOf(runs: readonly StoredRun[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.manifest) counts.set(r.manifest.environment, (counts.get(r.manifest.environment) ?? 0) + 1);
  return counts;
}

/**
 * Which environment a decision or report reads (pure): the one asked for; else the config's when
 * it has runs; else the only one there is; else the newest run's. A decision never mixes two.
 * Throws a UserError when the requested one has no run but others do.
 */
export function chooseEnvironment(
  runs: readonly StoredRun[],
  options: { requested?: string; configured: string; resultsDir: string },
): EnvironmentChoice {
  const counts = environmentsOf(runs);
  const listed = [...counts].map(([env, n]) => `${env} (${n} run${n === 1 ? '' : 's'})`).join(', ');
  if (options.requested !== undefined && counts.size > 0 && !counts.has(options.requested)) {
    throw new UserError(`--environment: no run of "${options.requested}" in ${options.resultsDir}; its runs are of ${listed}`);
  }
  const newest = [...runs].reverse().find((r) => r.manifest)?.manifest?.environment;
  const environment =
    options.requested ??
    (counts.has(options.configured) || counts.size === 0 ? options.configured : counts.size === 1 ? [...counts.keys()][0]! : newest!);
  const others = [...counts.keys()].filter((e) => e !== environment);
  const note =
    others.length > 0
      ? `environments in ${options.resultsDir}: ${listed}; reading ${environment} — another with --environment ${others[0]}`
      : options.requested === undefined && counts.size === 1 && environment !== options.configured
        ? `reading ${environment}, the only environment in ${options.resultsDir} (the config names ${options.configured}, which has no run there)`
        : null;
  return { environment, runs: runs.filter((r) => !r.manifest || r.manifest.environment === environment), note };
}

/** What `decide` and `report` read: the folder, its config, one environment's runs. */
export interface ResultsSelection extends EnvironmentChoice {
  readonly resultsDir: string;
  /** The config, its `environment` set to the one read (decisions and reports are named after it). */
  readonly config: CapacityConfig;
  /** Lines for stderr: which folder, config and environment were taken when not given. */
  readonly notes: string[];
  /** Every run of the folder, whatever its environment (a migration rehearsal decides each environment over its own). */
  readonly allRuns: readonly StoredRun[];
}

/**
 * Resolves `--results`, `--config` and `--environment` the same way for every command that reads
 * runs. Without `--results`: `results`, or the demo's `results/demo` when only the demo has runs.
 * Without `--config`: the results folder's own capacity.config.json (the demo writes one), else
 * the one in the current folder, else the defaults.
 */
export async function selectResults(
  args: { results?: string; config?: string; environment?: string },
  cwd: string,
): Promise<ResultsSelection> {
  const notes: string[] = [];
  let resultsDir = resolve(cwd, args.results ?? DEFAULT_RESULTS);
  let runs = await listRuns(resultsDir);
  if (args.results === undefined && runs.length === 0) {
    const demoDir = resolve(cwd, DEMO_RESULTS);
    const demoRuns = await listRuns(demoDir).catch(() => []);
    if (demoRuns.length > 0) {
      notes.push(`no run in ${DEFAULT_RESULTS}/; reading the demo's ${DEMO_RESULTS}/ (--results <folder> for another)`);
      resultsDir = demoDir;
      runs = demoRuns;
    }
  }
  const ownConfig = join(resultsDir, CONFIG_FILE_NAME);
  const useOwn = args.config === undefined && (await stat(ownConfig).catch(() => undefined))?.isFile() === true;
  // The results folder may be the current one: its config is then the usual one, nothing to say.
  if (useOwn && ownConfig !== join(cwd, CONFIG_FILE_NAME))
    notes.push(`config: ${relative(cwd, ownConfig)} (the results folder's own; --config <file> for another)`);
  const config = await loadConfig(useOwn ? ownConfig : args.config, cwd);
  const shown = relative(cwd, resultsDir) || '.';
  const choice = chooseEnvironment(runs, {
    ...(args.environment !== undefined ? { requested: args.environment } : {}),
    configured: config.environment,
    resultsDir: shown,
  });
  if (choice.note) notes.push(choice.note);
  return { ...choice, resultsDir, config: { ...config, environment: choice.environment }, notes, allRuns: runs };
}
