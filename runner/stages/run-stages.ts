import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../engines/engine.ts';
import type { Io } from '../io.ts';
import { runManifestFormat, stageFiles, type RunManifest, type RunStatus, type StagePlan, type StageRecord } from '../formats/manifest.ts';
import { runSummaryFormat, type RunSummary } from '../formats/run-summary.ts';
import { stageStatsFormat, type StageStats } from '../formats/stage-stats.ts';
import { UserError, ExitCode } from '../errors.ts';
import type { Host } from '../redact.ts';
import { newRunId } from '../run-id.ts';
import { k6StagesOf, plannedRunMs } from '../stage-plan.ts';
import { formatDuration } from '../duration.ts';
import { classifyStage } from './classify.ts';
import { openLiveFeed, type LiveFeed } from './live-feed.ts';
import { LiveStats, type LiveSample } from './live-stats.ts';
import { ProgressWriter, formatProgress, stagePhase } from './progress.ts';
import { formatStageTable } from './stage-table.ts';

/** Everything a run needs, validated and parsed (see commands/stages.ts). */
export interface StagesRequest {
  readonly resultsDir: string;
  readonly scenario: { readonly name: string; readonly bundlePath: string; readonly sha256: string };
  readonly host: Host;
  readonly label?: string;
  readonly plan: readonly StagePlan[];
  readonly spawnRate: number;
  readonly targetStage: number;
  readonly keyName: string;
  readonly stopOnFailure: boolean;
  readonly stats: { readonly windowMs: number; readonly warmupMs: number; readonly outlierMads: number; readonly p95GreenMs: number };
  readonly gitCommit?: string;
  /** Extra `-e` for the script (e.g. the demo's think time). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** What the orchestration calls out to; injected so that tests can walk it with fakes. */
export interface StagesDeps {
  readonly engine: Engine;
  readonly engineVersion: string;
  computeStageStats(input: { file: string; users: number; rampMs: number; holdMs: number; keyName: string; windowMs: number; warmupMs: number; outlierMads: number }): Promise<StageStats>;
  summarizeRun(input: { runId: string; keyName: string; p95GreenMs: number; stages: Array<{ users: number; status: StageRecord['status']; stats: StageStats | null }> }): RunSummary;
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
    throw new UserError(`--results: cannot create ${runs} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const id = newRunId(startedAtMs);
    const dir = join(runs, id);
    try {
      await mkdir(dir);
      return { id, dir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`--results: cannot create ${dir} (${(e as NodeJS.ErrnoException).code})`);
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
  const manifest: RunManifest = {
    kind: 'run-manifest',
    schemaVersion: 1,
    id,
    startedAt: new Date(startedAtMs).toISOString(),
    host: request.host.display,
    ...(request.label ? { label: request.label } : {}),
    scenario: { name: request.scenario.name, bundleSha256: request.scenario.sha256 },
    plan: { stages: [...request.plan], holdMs, spawnRate: request.spawnRate, targetStage: request.targetStage, keyTransaction: request.keyName },
    engine: { name: deps.engine.name, version: deps.engineVersion },
    ...(request.gitCommit ? { gitCommit: request.gitCommit } : {}),
    status: 'running',
    stages: request.plan.map((s) => ({ users: s.users, status: 'skipped' as const, why: 'not run yet', files: stageFiles(s.users) })),
  };
  await runManifestFormat.write(manifestPath, manifest);

  const out = io.stdout;
  out.write(`run ${id}: ${request.plan.length} stages (${request.plan.map((s) => s.users).join(', ')} users), hold ${formatDuration(holdMs)}, ` +
    `spawn rate ${request.spawnRate}/s, against ${request.host.display} with ${deps.engineVersion}\n`);
  out.write(`results: ${dir}\n`);

  const runPlannedMs = plannedRunMs(request.plan);
  const stageResults: Array<{ users: number; status: StageRecord['status']; stats: StageStats | null }> = [];
  const windows = deps.windowParams(holdMs, { windowMs: request.stats.windowMs, warmupMs: request.stats.warmupMs });
  let summary = deps.summarizeRun({ runId: id, keyName: request.keyName, p95GreenMs: request.stats.p95GreenMs, stages: [] });
  const progress = new ProgressWriter(out, io.now);
  let stopped: 'interrupted' | 'failed' | 'target' | undefined;
  let interruptedBefore: number | undefined;

  for (const [index, stage] of request.plan.entries()) {
    if (stopped) break;
    // Ctrl-C before this stage started (e.g. while the last one's statistics were computed): start no engine.
    if (io.signal.aborted) {
      stopped = 'interrupted';
      interruptedBefore = stage.users;
      break;
    }
    const files = stageFiles(stage.users);
    const live = new LiveStats(request.keyName);
    const parser = deps.liveParser?.((s) => live.add(s));
    let feed: LiveFeed | undefined;
    let liveBroken = false;
    if (parser) {
      feed = openLiveFeed(join(dir, `.stage-${stage.users}.live`), (chunk) => {
        if (liveBroken) return;
        try {
          parser.push(chunk);
        } catch {
          // Live figures are a convenience: a row they cannot read must not stop the stage.
          liveBroken = true;
        }
      });
    }
    const stageStartMs = io.now();
    const stagePlannedMs = stage.rampMs + stage.holdMs;
    const tick = setInterval(() => {
      // The stage clock starts with the engine's first sample (its start-up is not the plan's time);
      // without live figures, with the engine process.
      const startMs = parser ? live.firstSampleMs : stageStartMs;
      const elapsed = startMs === null ? null : Math.max(0, io.now() - startMs);
      const phase = stagePhase(elapsed, stage.rampMs, stage.holdMs);
      progress.update(formatProgress({
        stageIndex: index, stageCount: request.plan.length, users: stage.users,
        stageElapsedMs: elapsed ?? 0, stagePlannedMs, runElapsedMs: io.now() - startedAtMs, runPlannedMs,
        phase, keyName: request.keyName, live: live.figures(),
      }), phase);
    }, 1000);
    let record: StageRecord;
    try {
      const outcome = await deps.engine.runStage({
        scriptPath: request.scenario.bundlePath,
        env: {
          HOST: request.host.base,
          USERS: String(stage.users),
          RAMP_RATE: String(request.spawnRate),
          HOLD: formatDuration(stage.holdMs),
          ...request.extraEnv,
        },
        secretEnv: {
          ...(request.host.username !== undefined ? { HOST_USERNAME: request.host.username } : {}),
          ...(request.host.password !== undefined ? { HOST_PASSWORD: request.host.password } : {}),
        },
        stages: k6StagesOf(stage),
        csvOutputs: feed ? [join(dir, files.csv), feed.path] : [join(dir, files.csv)],
        summaryExportPath: join(dir, files.summary),
        logPath: join(dir, files.log),
        csvTimeFormat: 'unix_milli',
        signal: io.signal,
        ...(io.kill ? { kill: io.kill } : {}),
      });
      clearInterval(tick);
      await feed?.close();
      if (!liveBroken) {
        try {
          parser?.end();
        } catch {
          // see above
        }
      }
      progress.done();
      let stats: StageStats | null = null;
      let statsError: string | undefined;
      try {
        stats = await deps.computeStageStats({
          file: join(dir, files.csv), users: stage.users, rampMs: stage.rampMs, holdMs: stage.holdMs,
          keyName: request.keyName, ...windows, outlierMads: request.stats.outlierMads,
        });
        await stageStatsFormat.write(join(dir, files.stats!), stats);
      } catch (e) {
        statsError = (e as Error).message;
      }
      const verdict = classifyStage(outcome, stats, statsError);
      record = {
        users: stage.users,
        status: verdict.status,
        ...(verdict.why ? { why: verdict.why } : {}),
        startedAt: new Date(outcome.startedAtMs).toISOString(),
        endedAt: new Date(outcome.endedAtMs).toISOString(),
        ...(outcome.exitCode !== null ? { exitCode: outcome.exitCode } : {}),
        files: stats ? files : { csv: files.csv, summary: files.summary, log: files.log },
      };
      stageResults.push({ users: stage.users, status: verdict.status, stats });
      out.write(`stage ${index + 1}/${request.plan.length} (${stage.users} users): ${verdict.status}${verdict.why ? ` — ${verdict.why}` : ''}\n`);
      if (verdict.status === 'interrupted') stopped = 'interrupted';
      else if (verdict.status === 'engine-failed') stopped = 'failed';
      else if (verdict.status === 'target-failed' && request.stopOnFailure) stopped = 'target';
    } catch (e) {
      clearInterval(tick);
      await feed?.close();
      progress.done();
      throw e;
    }
    manifest.stages[index] = record;
    summary = deps.summarizeRun({ runId: id, keyName: request.keyName, p95GreenMs: request.stats.p95GreenMs, stages: stageResults });
    await runSummaryFormat.write(join(dir, 'summary.json'), summary);
    await runManifestFormat.write(manifestPath, manifest);
  }

  for (const [i, s] of manifest.stages.entries()) {
    if (s.status === 'skipped') {
      manifest.stages[i] = { ...s, why: stopped === 'interrupted' ? 'the run was interrupted' : stopped === 'failed' ? 'the engine failed on an earlier stage' : 'an earlier stage failed (--stop-on-failure)' };
    }
  }
  const status: RunStatus = stopped === 'interrupted' ? 'interrupted' : stopped === 'failed' ? 'failed' : 'completed';
  manifest.status = status;
  manifest.endedAt = new Date(io.now()).toISOString();
  const failedStage = manifest.stages.find((s) => s.status === 'engine-failed' || s.status === 'interrupted');
  const targetFailed = manifest.stages.filter((s) => s.status === 'target-failed');
  if (status !== 'completed') {
    manifest.why = failedStage ? `stage ${failedStage.users} users: ${failedStage.why ?? failedStage.status}` : `stopped by the operator before stage ${interruptedBefore} users`;
  } else if (targetFailed.length) manifest.why = `the target failed at ${targetFailed.map((s) => s.users).join(', ')} users`;
  await runSummaryFormat.write(join(dir, 'summary.json'), summary);
  await runManifestFormat.write(manifestPath, manifest);

  out.write(`\n${formatStageTable(manifest, summary)}\n\n`);
  out.write(`run ${id}: ${status}${manifest.why ? ` (${manifest.why})` : ''}\nresults: ${dir}\n`);
  const exitCode = status === 'interrupted' ? ExitCode.interrupted : status === 'failed' ? ExitCode.incomplete : ExitCode.ok;
  return { manifest, summary, runDir: dir, exitCode };
}
