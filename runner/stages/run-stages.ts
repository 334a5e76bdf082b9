import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine, StageRunOutcome } from '../engines/engine.ts';
import type { Io } from '../io.ts';
import {
  openStageFiles,
  runManifestFormat,
  stageFiles,
  type OpenStageRecord,
  type RunManifest,
  type RunStatus,
  type StageFiles,
  type StagePlan,
  type StageRecord,
} from '../../formats/run-manifest.ts';
import { runSummaryFormat, type RunSummary } from '../../formats/run-summary.ts';
import { stageStatsFormat, type StageStats } from '../../formats/stage-stats.ts';
import { UserError, ExitCode, fsReason } from '../../formats/errors.ts';
import type { Host } from '../redact.ts';
import { newRunId } from '../run-id.ts';
import { k6StagesOf, openStageEnv, planOpenStage, plannedRunMs, type OpenStagePlan } from './plan.ts';
import { openStageFigures } from '../stats/open-stage.ts';
import type { CollectorSettings } from '../../formats/config.ts';
import type { StageParams } from '../stats/stage-stats.ts';
import { customKeyMetric } from '../../formats/key-transaction.ts';
import { capacityLines, type summarizeRun, type SummaryBounds } from '../stats/run-summary.ts';
import { formatDuration } from '../../formats/duration.ts';
import { classifyStage, lastEngineError } from './classify.ts';
import { openLiveFeed, type LiveFeed } from './live-feed.ts';
import { LiveStats, type LiveSample } from './live-stats.ts';
import { ProgressWriter, formatProgress, stagePhase } from './progress.ts';
import { formatOpenStageLine, formatStageTable } from './stage-table.ts';
import { writeFormat } from '../../formats/files.ts';
import type { K6Stage } from '../../formats/k6/stage.ts';

/** Everything a run needs, validated and parsed (see commands/stages.ts). */
export interface StagesRequest {
  readonly resultsDir: string;
  readonly scenario: { readonly name: string; readonly bundlePath: string; readonly sha256: string };
  readonly host: Host;
  /** The environment the run measures (run.json `environment`). */
  readonly environment: string;
  /** A free note recorded with the run (`--label`). */
  readonly label?: string;
  readonly plan: readonly StagePlan[];
  readonly spawnRate: number;
  readonly targetStage: number;
  readonly keyName: string;
  /** The key transaction's custom Trend; absent: HTTP requests (http_req_duration). */
  readonly keyMetric?: string;
  readonly stopOnFailure: boolean;
  /** The config's collector settings and the green bounds the summary reads capacity against. */
  readonly stats: Readonly<CollectorSettings & SummaryBounds>;
  readonly gitCommit?: string;
  /**
   * Headers for every request of the script (an environment's `overrides.headers`): secrets may be
   * among them, so they travel as HOST_HEADERS (JSON) in the engine's environment, never in a file.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra `-e` for the script (e.g. the demo's think time). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /**
   * `--open-stage <factor>`: after the closed stages, a constant-arrival-rate stage at factor ×
   * the target stage's iteration rate. `scriptReady`: the bundle builds its options from the
   * open stage's env (plan.ts scriptSupportsOpenStage); when false the stage is skipped.
   */
  readonly openStage?: { readonly factor: number; readonly scriptReady: boolean };
}

/** What the orchestration calls out to; injected so that tests can walk it with fakes. */
export interface StagesDeps {
  readonly engine: Engine;
  readonly engineVersion: string;
  computeStageStats(input: StageParams & { file: string }): Promise<StageStats>;
  summarizeRun(input: Parameters<typeof summarizeRun>[0]): RunSummary;
  windowParams(holdMs: number, configured: { windowMs: number; warmupMs: number }): { windowMs: number; warmupMs: number };
  /** A parser of k6 CSV chunks for live figures; without it, progress shows no live figures. */
  liveParser?(onSample: (s: LiveSample) => void): { push(chunk: Buffer): void; end(): void };
}

export interface StagesResult {
  readonly manifest: RunManifest;
  readonly summary: RunSummary;
  readonly runDir: string;
  readonly exitCode: number;
}

/** Creates `<results>/runs/<id>/`, never reusing an existing folder. */
async function createRunFolder(resultsDir: string, startedAtMs: number): Promise<{ id: string; dir: string }> {
  const runs = join(resultsDir, 'runs');
  try {
    await mkdir(runs, { recursive: true });
  } catch (e) {
    throw new UserError(`--results: cannot create ${runs}: ${fsReason(e)}`);
  }
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const id = newRunId(startedAtMs);
    const dir = join(runs, id);
    try {
      await mkdir(dir);
      return { id, dir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`--results: cannot create ${dir}: ${fsReason(e)}`);
    }
  }
  throw new UserError(`--results: could not find a free run folder under ${runs}`);
}

/**
 * Walks the stage plan: one engine process per stage, one after another; after each stage its
 * statistics, the run summary and the manifest are written (atomically), so that an interrupted
 * or crashed run leaves everything measured until then readable.
 */
export async function runStages(request: StagesRequest, deps: StagesDeps, io: Io): Promise<StagesResult> {
  const startedAtMs = io.now();
  const { id, dir } = await createRunFolder(request.resultsDir, startedAtMs);
  const manifestPath = join(dir, 'run.json');
  const holdMs = request.plan[0]!.holdMs;
  const windows = deps.windowParams(holdMs, { windowMs: request.stats.windowMs, warmupMs: request.stats.warmupMs });
  const manifest = newManifest(request, deps, { id, startedAtMs, holdMs, windows });
  await writeFormat(runManifestFormat, manifestPath, manifest);
  io.stdout.write(startOfRunText(request, deps.engineVersion, { id, dir, holdMs }));

  const run: RunInProgress = {
    request,
    deps,
    io,
    id,
    dir,
    manifest,
    manifestPath,
    holdMs,
    windows,
    startedAtMs,
    stageCount: request.plan.length + (request.openStage ? 1 : 0),
    progress: new ProgressWriter(io.stdout, io.now),
    stageResults: [],
    extras: [],
  };
  const planned = await runPlannedStages(run);
  const { interruptedBefore, summary } = planned;
  let stopped = planned.stopped;
  if (request.openStage) {
    const open = await runOpenStage({
      ...stageContext(run),
      laterStagesPlannedMs: 0,
      laterStages: 0,
      stopped,
      stageResults: run.stageResults,
      manifest,
    });
    manifest.openStage = open.record;
    if (open.record.status === 'interrupted' || open.interruptedBeforeStart) stopped = 'interrupted';
    await writeFormat(runManifestFormat, manifestPath, manifest);
  }

  const status = closeManifest(manifest, stopped, interruptedBefore, io.now());
  await writeFormat(runSummaryFormat, join(dir, 'summary.json'), summary);
  await writeFormat(runManifestFormat, manifestPath, manifest);

  io.stdout.write(endOfRunText(manifest, summary, dir));
  const exitCode = status === 'interrupted' ? ExitCode.interrupted : status === 'failed' ? ExitCode.incomplete : ExitCode.ok;
  return { manifest, summary, runDir: dir, exitCode };
}

/** A run between its first and last write: what every stage of it shares, and what the ended ones left. */
interface RunInProgress {
  readonly request: StagesRequest;
  readonly deps: StagesDeps;
  readonly io: Io;
  readonly id: string;
  readonly dir: string;
  readonly manifest: RunManifest;
  readonly manifestPath: string;
  readonly holdMs: number;
  readonly windows: { windowMs: number; warmupMs: number };
  readonly startedAtMs: number;
  readonly stageCount: number;
  readonly progress: ProgressWriter;
  readonly stageResults: Array<{ users: number; status: StageRecord['status']; stats: StageStats | null }>;
  /** What each ended stage took beyond its plan (start-up, graceful stop): the time-left estimate uses their mean. */
  readonly extras: number[];
}

function stageContext(run: RunInProgress) {
  const { request, deps, io, dir, progress, startedAtMs, windows, stageCount, holdMs } = run;
  const extraPerStageMs = run.extras.length ? run.extras.reduce((a, b) => a + b, 0) / run.extras.length : 0;
  return { request, deps, io, dir, progress, startedAtMs, windows, stageCount, holdMs, extraPerStageMs };
}

/** The plan's stages one after another, each written as it ends, until one stops the run. */
async function runPlannedStages(run: RunInProgress): Promise<{
  stopped: 'interrupted' | 'failed' | 'target' | undefined;
  interruptedBefore: number | undefined;
  summary: RunSummary;
}> {
  const { request, deps, io, dir, manifest } = run;
  const openPlannedMs = request.openStage ? run.holdMs : 0;
  let summary = summarize(request, deps, run.id, []);
  let stopped: 'interrupted' | 'failed' | 'target' | undefined;
  for (const [index, stage] of request.plan.entries()) {
    // Ctrl-C before this stage started (e.g. while the last one's statistics were computed): start no engine.
    if (io.signal.aborted) return { stopped: 'interrupted', interruptedBefore: stage.users, summary };
    const files = stageFiles(stage.users);
    const { outcome, stats, verdict, written } = await executeStage({
      ...stageContext(run),
      laterStagesPlannedMs: plannedRunMs(request.plan.slice(index + 1)) + openPlannedMs,
      laterStages: run.stageCount - index - 1,
      stageIndex: index,
      users: stage.users,
      liveName: `.stage-${stage.users}.live`,
      files,
      rampMs: stage.rampMs,
      holdMs: stage.holdMs,
      env: stageEnv(request, stage),
      k6Stages: k6StagesOf(stage),
    });
    run.extras.push(Math.max(0, outcome.endedAtMs - outcome.startedAtMs - stage.rampMs - stage.holdMs));
    run.stageResults.push({ users: stage.users, status: verdict.status, stats });
    io.stdout.write(
      `stage ${index + 1}/${run.stageCount} (${stage.users} users): ${verdict.status}${verdict.why ? ` — ${verdict.why}` : ''}\n`,
    );
    stopped = stopAfter(verdict.status, request.stopOnFailure);
    manifest.stages[index] = stageRecord(stage.users, outcome, verdict, written);
    summary = summarize(request, deps, run.id, run.stageResults);
    await writeFormat(runSummaryFormat, join(dir, 'summary.json'), summary);
    await writeFormat(runManifestFormat, run.manifestPath, manifest);
    if (stopped) break;
  }
  return { stopped, interruptedBefore: undefined, summary };
}

/** The run's manifest before its first stage: the plan as data, every stage still to run. */
function newManifest(
  request: StagesRequest,
  deps: StagesDeps,
  run: { id: string; startedAtMs: number; holdMs: number; windows: { windowMs: number; warmupMs: number } },
): RunManifest {
  const { id, startedAtMs, holdMs, windows } = run;
  return {
    kind: 'run-manifest',
    schemaVersion: 2,
    id,
    startedAt: new Date(startedAtMs).toISOString(),
    host: request.host.display,
    environment: request.environment,
    ...(request.label ? { label: request.label } : {}),
    scenario: { name: request.scenario.name, bundleSha256: request.scenario.sha256 },
    plan: {
      stages: [...request.plan],
      holdMs,
      spawnRate: request.spawnRate,
      targetStage: request.targetStage,
      keyTransaction: request.keyName,
      ...customKeyMetric(request.keyMetric),
      windows,
      ...(request.openStage ? { openStage: { factor: request.openStage.factor } } : {}),
    },
    engine: { name: deps.engine.name, version: deps.engineVersion },
    ...(request.gitCommit ? { gitCommit: request.gitCommit } : {}),
    status: 'running',
    stages: request.plan.map((s) => ({ users: s.users, status: 'skipped' as const, why: 'not run yet', files: {} })),
    ...(request.openStage ? { openStage: openStageSkipped(request, holdMs, 'not run yet') } : {}),
  };
}

/** What a stage's script reads from its env (scenarios/lib/config.ts), the user's --env over it. */
function stageEnv(request: StagesRequest, stage: StagePlan): Record<string, string> {
  return {
    HOST: request.host.base,
    USERS: String(stage.users),
    RAMP_RATE: String(request.spawnRate),
    HOLD: formatDuration(stage.holdMs),
    ...request.extraEnv,
  };
}

/** What the script reads apart from its `-e` flags (scenarios/lib/config.ts): credentials and headers. */
function secretEnvOf(request: StagesRequest): Record<string, string> {
  return {
    ...(request.host.username !== undefined ? { HOST_USERNAME: request.host.username } : {}),
    ...(request.host.password !== undefined ? { HOST_PASSWORD: request.host.password } : {}),
    ...(request.headers && Object.keys(request.headers).length > 0 ? { HOST_HEADERS: JSON.stringify(request.headers) } : {}),
  };
}

/** The run's end in its manifest: why the stages not run were skipped, its status, and why. */
function closeManifest(
  manifest: RunManifest,
  stopped: 'interrupted' | 'failed' | 'target' | undefined,
  interruptedBefore: number | undefined,
  nowMs: number,
): RunStatus {
  for (const [i, s] of manifest.stages.entries()) {
    if (s.status === 'skipped') {
      manifest.stages[i] = {
        ...s,
        why:
          stopped === 'interrupted'
            ? 'the run was interrupted'
            : stopped === 'failed'
              ? 'the engine failed on an earlier stage'
              : 'an earlier stage failed (--stop-on-failure)',
      };
    }
  }
  const status: RunStatus = stopped === 'interrupted' ? 'interrupted' : stopped === 'failed' ? 'failed' : 'completed';
  manifest.status = status;
  manifest.endedAt = new Date(nowMs).toISOString();
  const failedStage = manifest.stages.find((s) => s.status === 'engine-failed' || s.status === 'interrupted');
  const targetFailed = manifest.stages.filter((s) => s.status === 'target-failed');
  if (status !== 'completed') {
    manifest.why = failedStage
      ? `stage ${failedStage.users} users: ${failedStage.why ?? failedStage.status}`
      : manifest.openStage?.status === 'interrupted'
        ? `open-model stage: ${manifest.openStage.why ?? 'interrupted'}`
        : interruptedBefore !== undefined
          ? `stopped by the operator before stage ${interruptedBefore} users`
          : 'stopped by the operator before the open-model stage';
  } else if (targetFailed.length) manifest.why = `the target failed at ${targetFailed.map((s) => s.users).join(', ')} users`;
  return status;
}

/** A stage as the manifest records it, from what the engine did and what the stage was judged. */
function stageRecord(
  users: number,
  outcome: StageRunOutcome,
  verdict: { status: StageRecord['status']; why?: string | undefined },
  files: StageFiles,
): StageRecord {
  return {
    users,
    status: verdict.status,
    ...(verdict.why ? { why: verdict.why } : {}),
    startedAt: new Date(outcome.startedAtMs).toISOString(),
    endedAt: new Date(outcome.endedAtMs).toISOString(),
    ...(outcome.exitCode !== null ? { exitCode: outcome.exitCode } : {}),
    files,
  };
}

/** Whether a stage's end stops the run: an interruption, a broken engine, or a failed target under --stop-on-failure. */
function stopAfter(status: StageRecord['status'], stopOnFailure: boolean): 'interrupted' | 'failed' | 'target' | undefined {
  if (status === 'interrupted') return 'interrupted';
  if (status === 'engine-failed') return 'failed';
  return status === 'target-failed' && stopOnFailure ? 'target' : undefined;
}

/** The run's summary over the stages ended so far. */
function summarize(
  request: StagesRequest,
  deps: StagesDeps,
  runId: string,
  stages: Parameters<StagesDeps['summarizeRun']>[0]['stages'],
): RunSummary {
  const { p95GreenMs, errorRatePct } = request.stats;
  return deps.summarizeRun({ runId, keyName: request.keyName, p95GreenMs, errorRatePct, stages });
}

/** What the run says before its first stage: its plan in one line, and its folder. */
function startOfRunText(request: StagesRequest, engineVersion: string, run: { id: string; dir: string; holdMs: number }): string {
  const open = request.openStage
    ? ` + an open-model stage at ×${request.openStage.factor} the iteration rate of ${request.targetStage} users`
    : '';
  return (
    `run ${run.id}: ${request.plan.length} stages (${request.plan.map((s) => s.users).join(', ')} users)${open}, hold ${formatDuration(run.holdMs)}, ` +
    `spawn rate ${request.spawnRate}/s, against ${request.host.display} with ${engineVersion}\nresults: ${run.dir}\n`
  );
}

/** What the run says at its end: the stage table, capacity, the open-model line, its status and folder. */
function endOfRunText(manifest: RunManifest, summary: RunSummary, dir: string): string {
  const openLine = formatOpenStageLine(manifest, summary);
  return (
    `\n${formatStageTable(manifest, summary)}\n${capacityLines(summary)}${openLine ? `${openLine}\n\n` : '\n'}` +
    `run ${manifest.id}: ${manifest.status}${manifest.why ? ` (${manifest.why})` : ''}\nresults: ${dir}\n`
  );
}

/** What one stage run needs from the run around it. */
interface StageContext {
  readonly request: StagesRequest;
  readonly deps: StagesDeps;
  readonly io: Io;
  readonly dir: string;
  readonly progress: ProgressWriter;
  readonly startedAtMs: number;
  /** The planned time of the stages after this one, and their number (the run's time left is counted from them). */
  readonly laterStagesPlannedMs: number;
  readonly laterStages: number;
  /** The mean time earlier stages took beyond their plan (see ProgressState). */
  readonly extraPerStageMs: number;
  readonly windows: { windowMs: number; warmupMs: number };
  readonly stageCount: number;
}

/** What executeStage runs: one stage's users, files, timing and engine input. */
type StageRun = StageContext & {
  stageIndex: number;
  users: number;
  /** Shown in the progress line instead of `<users> users` (the open stage). */
  progressLabel?: string;
  liveName: string;
  files: Required<StageFiles>;
  rampMs: number;
  holdMs: number;
  env: Record<string, string>;
  k6Stages: K6Stage[];
};

/**
 * Runs one engine process for a stage, with live progress, then computes and writes its
 * statistics. Shared by the closed stages and the open-model stage.
 */
async function executeStage(
  c: StageRun,
): Promise<{ outcome: StageRunOutcome; stats: StageStats | null; verdict: ReturnType<typeof classifyStage>; written: StageFiles }> {
  const { request, deps, io, dir, progress, files } = c;
  const live = new LiveStats(request.keyName, undefined, request.keyMetric);
  const liveFeed = openStageLiveFeed(c, live);
  const tick = startProgress(c, live, liveFeed.feed !== undefined);
  let outcome: StageRunOutcome;
  try {
    outcome = await deps.engine.runStage({
      scriptPath: request.scenario.bundlePath,
      env: c.env,
      secretEnv: secretEnvOf(request),
      stages: c.k6Stages,
      csvOutputs: liveFeed.feed ? [join(dir, files.csv), liveFeed.feed.path] : [join(dir, files.csv)],
      summaryExportPath: join(dir, files.summary),
      logPath: join(dir, files.log),
      csvTimeFormat: 'unix_milli',
      signal: io.signal,
      ...(io.kill ? { kill: io.kill } : {}),
    });
  } finally {
    clearInterval(tick);
    await liveFeed.close();
  }
  progress.done();
  const { stats, verdict } = await stageStatsAndVerdict(c, outcome);
  return { outcome, stats, verdict, written: await writtenFiles(dir, files) };
}

/**
 * The live figures' feed: the engine's second CSV output, a named pipe read as it is written.
 * Live figures are a convenience: a pipe that cannot be made or a row they cannot read never
 * stops the stage.
 */
function openStageLiveFeed(c: StageRun, live: LiveStats): { feed?: LiveFeed; close(): Promise<void> } {
  const parser = c.deps.liveParser?.((s) => live.add(s));
  if (!parser) return { close: async () => {} };
  let broken = false;
  const guarded = (step: () => void) => {
    if (broken) return;
    try {
      step();
    } catch {
      broken = true;
    }
  };
  let feed: LiveFeed | undefined;
  try {
    feed = openLiveFeed(join(c.dir, c.liveName), (chunk) => guarded(() => parser.push(chunk)));
  } catch (e) {
    // No named pipe here (e.g. no mkfifo): the stage runs, its progress shows no live figures.
    c.io.stderr.write(`warning: no live figures for this stage (${(e as Error).message})\n`);
  }
  return {
    ...(feed ? { feed } : {}),
    close: async () => {
      await feed?.close();
      guarded(() => parser.end());
    },
  };
}

/** The progress line, redrawn every second until the returned timer is cleared. */
function startProgress(c: StageRun, live: LiveStats, hasLiveFeed: boolean): NodeJS.Timeout {
  const { io } = c;
  const stageStartMs = io.now();
  const stagePlannedMs = c.rampMs + c.holdMs;
  return setInterval(() => {
    // The stage clock starts with the engine's first sample (its start-up is not the plan's time);
    // without live figures, with the engine process.
    const startMs = hasLiveFeed ? live.firstSampleMs : stageStartMs;
    const elapsed = startMs === null ? null : Math.max(0, io.now() - startMs);
    const phase = stagePhase(elapsed, c.rampMs, c.holdMs);
    c.progress.update(
      formatProgress(
        {
          stageIndex: c.stageIndex,
          stageCount: c.stageCount,
          users: c.users,
          ...(c.progressLabel ? { label: c.progressLabel } : {}),
          stageElapsedMs: elapsed ?? 0,
          stagePlannedMs,
          stageWallMs: io.now() - stageStartMs,
          runElapsedMs: io.now() - c.startedAtMs,
          laterStagesPlannedMs: c.laterStagesPlannedMs,
          laterStages: c.laterStages,
          extraPerStageMs: c.extraPerStageMs,
          phase,
          keyName: c.request.keyName,
          live: live.figures(),
        },
        c.progress.width,
      ),
      phase,
    );
  }, 1000);
}

/** The stage's statistics, written beside its CSV, and what the stage's end says of it. */
async function stageStatsAndVerdict(
  c: StageRun,
  outcome: StageRunOutcome,
): Promise<{ stats: StageStats | null; verdict: ReturnType<typeof classifyStage> }> {
  const { request, dir, files } = c;
  let stats: StageStats | null = null;
  let statsError: string | undefined;
  try {
    stats = await c.deps.computeStageStats({
      file: join(dir, files.csv),
      users: c.users,
      rampMs: c.rampMs,
      holdMs: c.holdMs,
      keyName: request.keyName,
      ...customKeyMetric(request.keyMetric),
      ...request.stats,
      ...c.windows,
    });
    await writeFormat(stageStatsFormat, join(dir, files.stats), stats);
  } catch (e) {
    statsError = (e as Error).message;
  }
  let verdict = classifyStage(outcome, stats, statsError);
  if (verdict.status === 'engine-failed') {
    // "exited with code 107" alone sends the operator to the log: say what it said last.
    const said = lastEngineError(await readTail(join(dir, files.log), LOG_TAIL_BYTES));
    if (said) verdict = { ...verdict, why: `${verdict.why} (${said})` };
  }
  return { stats, verdict };
}

/** How much of a stage log's end is searched for the engine's last error. */
const LOG_TAIL_BYTES = 64 * 1024;

/** The last `bytes` of a file as text; empty when it cannot be read (no log written). */
async function readTail(path: string, bytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** The stage's files that exist: run.json lists only what was written. */
async function writtenFiles(dir: string, files: Required<StageFiles>): Promise<StageFiles> {
  const written: StageFiles = {};
  for (const key of ['csv', 'summary', 'log', 'stats'] as const) {
    if ((await stat(join(dir, files[key])).catch(() => undefined))?.isFile()) written[key] = files[key];
  }
  return written;
}

const OPEN_ENV_NAMES = 'EXECUTOR, RATE, TIME_UNIT, PRE_ALLOCATED_VUS, MAX_VUS and HOLD';

/** The open stage's record before (or instead of) running it. */
function openStageSkipped(request: StagesRequest, holdMs: number, why: string): OpenStageRecord {
  return {
    kind: 'open',
    executor: 'constant-arrival-rate',
    factor: request.openStage!.factor,
    afterStage: request.targetStage,
    status: 'skipped',
    why,
    holdMs,
  };
}

/** The open stage's plan from the target stage's figures, or why it does not run. */
function openStagePlan(
  c: OpenStageContext,
): { ok: true; plan: OpenStagePlan } | { ok: false; why: string; interruptedBeforeStart: boolean } {
  const { request } = c;
  const skip = (why: string, interruptedBeforeStart = false) => ({ ok: false as const, why, interruptedBeforeStart });
  if (c.stopped === 'interrupted') return skip('the run was interrupted');
  if (c.stopped === 'failed') return skip('the engine failed on an earlier stage');
  if (c.io.signal.aborted) return skip('the run was interrupted', true);
  if (!request.openStage!.scriptReady) {
    return skip(
      `the script does not build its options from ${OPEN_ENV_NAMES} (see scenarios/lib/config.ts buildOptions); without --stage it would run its own options, not an open model`,
    );
  }
  const target = c.stageResults.find((s) => s.users === request.targetStage);
  if (!target) return skip(`the target stage (${request.targetStage} users) did not run`);
  if (target.status !== 'completed')
    return skip(
      `the target stage (${request.targetStage} users) ${target.status === 'target-failed' ? 'failed' : `ended ${target.status}`}`,
    );
  const planned = planOpenStage({
    factor: request.openStage!.factor,
    baseRatePerS: target.stats?.iterations.ratePerS ?? null,
    meanIterationMs: target.stats?.iterations.meanDurationMs ?? null,
    holdMs: c.holdMs,
    targetUsers: request.targetStage,
  });
  return planned.ok ? planned : skip(planned.why);
}

/**
 * The open-model stage: sized from the target stage's statistics, run without `--stage` so that
 * the script's env-built constant-arrival-rate scenario applies; or skipped, saying why. It is
 * reported, not scored: its figures land in run.json `openStage` and stage-open.stats.json,
 * never in summary.json, so the decision and comparability read the closed stages only.
 */
type OpenStageContext = StageContext & {
  holdMs: number;
  stopped: 'interrupted' | 'failed' | 'target' | undefined;
  stageResults: ReadonlyArray<{ users: number; status: StageRecord['status']; stats: StageStats | null }>;
  manifest: RunManifest;
};

async function runOpenStage(c: OpenStageContext): Promise<{ record: OpenStageRecord; interruptedBeforeStart: boolean }> {
  const { request, holdMs } = c;
  const open = request.openStage!;
  const planned = openStagePlan(c);
  if (!planned.ok) {
    c.io.stdout.write(`open-model stage: skipped — ${planned.why}\n`);
    return { record: openStageSkipped(request, holdMs, planned.why), interruptedBeforeStart: planned.interruptedBeforeStart };
  }
  const plan = planned.plan;
  const files = openStageFiles();
  const sizing = {
    baseRatePerS: plan.baseRatePerS,
    rate: plan.rate,
    timeUnit: plan.timeUnit,
    ratePerS: plan.ratePerS,
    preAllocatedVUs: plan.preAllocatedVUs,
    maxVUs: plan.maxVUs,
  };
  c.io.stdout.write(
    `open-model stage: ${plan.rate} iterations per ${plan.timeUnit} (×${plan.factor} of ${plan.baseRatePerS.toFixed(2)}/s at ${request.targetStage} users), ` +
      `${plan.preAllocatedVUs}–${plan.maxVUs} VUs, hold ${formatDuration(holdMs)}\n`,
  );
  const { outcome, stats, verdict, written } = await executeStage({
    ...c,
    stageIndex: request.plan.length,
    users: request.targetStage,
    progressLabel: `open ${plan.ratePerS.toFixed(2)} it/s`,
    liveName: '.stage-open.live',
    files,
    rampMs: 0,
    holdMs,
    env: {
      HOST: request.host.base,
      USERS: String(request.targetStage),
      RAMP_RATE: String(request.spawnRate),
      ...request.extraEnv,
      // Last: the runner's plan for this stage wins over a same-named --env.
      ...openStageEnv(plan),
    },
    k6Stages: [],
  });
  const figures = stats ? openStageFigures(stats) : undefined;
  c.io.stdout.write(`stage ${c.stageCount}/${c.stageCount} (open model): ${verdict.status}${verdict.why ? ` — ${verdict.why}` : ''}\n`);
  return {
    record: {
      kind: 'open',
      executor: 'constant-arrival-rate',
      factor: open.factor,
      afterStage: request.targetStage,
      status: verdict.status,
      ...(verdict.why ? { why: verdict.why } : {}),
      ...sizing,
      holdMs,
      startedAt: new Date(outcome.startedAtMs).toISOString(),
      endedAt: new Date(outcome.endedAtMs).toISOString(),
      ...(outcome.exitCode !== null ? { exitCode: outcome.exitCode } : {}),
      files: written,
      ...(figures ? { figures } : {}),
    },
    interruptedBeforeStart: false,
  };
}
