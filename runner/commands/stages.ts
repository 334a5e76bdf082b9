import { execFile } from 'node:child_process';
import { access, constants, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { defineCommand } from './command.ts';
import { flags } from './flags/stages.ts';
import { ExitCode, UserError, errorLine, fsReason, isUserError } from '../../formats/errors.ts';
import { type StageSettings, stageSettings, stageTarget } from '../settings.ts';
import type { Io } from '../io.ts';
import { formatDuration } from '../../formats/duration.ts';
import { parseHost, type Host } from '../redact.ts';
import { parseOpenStageFactor, scriptSupportsOpenStage } from '../stages/plan.ts';
import { resolveEngine, type EngineChoice } from '../engines/index.ts';
import type { Engine } from '../engines/engine.ts';
import { type CapacityConfig, collectorSettings } from '../../formats/config.ts';
import { loadConfig } from '../config-file.ts';
import { DIST_SCENARIOS_DIR, PROJECT_ROOT, bundleScenario, resolveScenario } from '../bundle.ts';
import { computeStageStats } from '../stats/stage-stats.ts';
import { windowParams } from '../../formats/window-rule.ts';
import { summarizeRun, summaryBounds } from '../stats/run-summary.ts';
import { createK6CsvParser } from '../stats/k6-csv-reader.ts';
import { startDemoTarget, DEMO_PRESETS, type DemoPresetName } from '../demo-target/server.ts';
import { runStages, type StagesResult } from '../stages/run-stages.ts';
import { preflight } from '../stages/preflight.ts';
import { DEFAULT_RESULTS, DEMO_ENVIRONMENT, DEMO_RESULTS } from '../results-store.ts';

export interface StagesArgs {
  host?: string;
  users?: string;
  duration?: string;
  /** A number, or the text as typed on the command line (checked here, so errors quote it). */
  'spawn-rate'?: number | string;
  'target-stage'?: number | string;
  scenario?: string;
  engine?: EngineChoice;
  results?: string;
  config?: string;
  label?: string;
  demo?: boolean;
  'demo-preset'?: string;
  'stop-on-failure'?: boolean;
  'dry-run'?: boolean;
  preflight?: boolean;
  env?: string[];
  'open-stage'?: string | number;
  environment?: string[];
}

export const command = defineCommand<StagesArgs>({
  ...flags,
  run: async (args, io) => (await runStagesCommand(args, io)).exitCode,
});

/** Parses and checks every input before any load is sent; then runs the stages, once per environment. */
export async function runStagesCommand(args: StagesArgs, io: Io): Promise<Pick<StagesResult, 'exitCode'> & Partial<StagesResult>> {
  const config = await loadConfig(args.config, io.cwd);
  const preset = checkTargetFlags(args);
  const settings = stageSettings(config, args);
  // Every environment's host and secrets are read before the first one runs: a missing variable
  // must not stop `--environment all` halfway through a night.
  const targets = args.demo
    ? []
    : settings.environments.map((environment) => {
        const { host, headers } = stageTarget(config, environment, args, io.env);
        if (host === undefined)
          throw new UserError('--host: required, e.g. --host https://app.example.com (or --demo for the embedded demo target)');
        const source = args.host === undefined || args.host === '' ? `environments.${environment}.host` : '--host';
        return { environment, host: parseHost(host, source), headers, source };
      });
  const extraEnv = parseEnvPairs(args.env ?? []);
  const openFactor = args['open-stage'] !== undefined ? parseOpenStageFactor(args['open-stage']) : undefined;
  const { name: scenarioName, entry } = await resolveScenario(args.scenario ?? 'search', io.cwd);

  if (args['dry-run']) {
    printPlan(io, settings, { scenarioName, entry, openFactor });
    return { exitCode: 0 };
  }
  const prepared = await prepareRun(args, io, { entry, openFactor });
  const base = { args, io, config, settings, prepared, scenarioName, extraEnv };
  if (args.demo) {
    const demo = await startDemoTarget(preset ? DEMO_PRESETS[preset] : {});
    try {
      io.stdout.write(`demo target: ${demo.url}${preset ? ` (${preset})` : ''}\n`);
      return await runOneTarget(base, { environment: DEMO_ENVIRONMENT, host: parseHost(demo.url), headers: {}, source: '--demo' });
    } finally {
      await demo.close();
    }
  }
  let result: Pick<StagesResult, 'exitCode'> & Partial<StagesResult> = { exitCode: ExitCode.ok };
  let firstFailure: number = ExitCode.ok;
  for (const [i, target] of targets.entries()) {
    if (targets.length > 1) io.stdout.write(`${i > 0 ? '\n' : ''}=== environment ${target.environment} (${i + 1} of ${targets.length})\n`);
    result = await runOneTargetOrSay(base, target, targets.length > 1);
    if (result.exitCode === ExitCode.interrupted) return result;
    if (firstFailure === ExitCode.ok) firstFailure = result.exitCode;
  }
  // The last run's result, with the first failure's exit code: a failed environment fails the invocation.
  return { ...result, exitCode: firstFailure };
}

/** The combinations of --host, --demo, --demo-preset and --environment that make sense; the preset, checked. */
function checkTargetFlags(args: StagesArgs): DemoPresetName | undefined {
  if (args.host !== undefined && args.demo) throw new UserError('--host and --demo: give one or the other (--demo starts its own target)');
  const environments = typeof args.environment === 'string' ? [args.environment] : (args.environment ?? []);
  if (args.demo && environments.length > 0)
    throw new UserError(`--environment and --demo: give one or the other (demo runs are of environment "${DEMO_ENVIRONMENT}")`);
  if (args.host === undefined && !args.demo && environments.length === 0)
    throw new UserError(
      '--host: required, e.g. --host https://app.example.com (or --environment <name> of the config, or --demo for the embedded demo target)',
    );
  if (args['demo-preset'] !== undefined && !args.demo) throw new UserError('--demo-preset: only with --demo');
  const preset = args['demo-preset'];
  if (preset !== undefined && !(preset in DEMO_PRESETS)) {
    throw new UserError(`--demo-preset: expected one of ${Object.keys(DEMO_PRESETS).join(', ')}, got "${preset}"`);
  }
  return preset as DemoPresetName | undefined;
}

function printPlan(io: Io, settings: StageSettings, what: { scenarioName: string; entry: string; openFactor: number | undefined }): void {
  const { targetStage, spawnRate, plan, holdMs, environments } = settings;
  io.stdout.write(`scenario ${what.scenarioName} (${what.entry}), target stage ${targetStage}, spawn rate ${spawnRate}/s\n`);
  for (const s of plan)
    io.stdout.write(`  ${String(s.users).padStart(5)} users: ramp ${formatDuration(s.rampMs)}, hold ${formatDuration(s.holdMs)}\n`);
  if (what.openFactor !== undefined)
    io.stdout.write(`  open model: ${what.openFactor} × the iteration rate of ${targetStage} users, hold ${formatDuration(holdMs)}\n`);
  if (environments.length > 1) io.stdout.write(`environments, one after another: ${environments.join(', ')}\n`);
}

/** What every run of the invocation shares: engine, bundle, results folder, commit, open stage. */
interface PreparedRun {
  readonly engine: Engine;
  readonly engineVersion: string;
  readonly resultsDir: string;
  readonly bundle: { readonly path: string; readonly sha256: string };
  readonly gitCommit: string | undefined;
  readonly openStage: { readonly factor: number; readonly scriptReady: boolean } | undefined;
}

async function prepareRun(args: StagesArgs, io: Io, what: { entry: string; openFactor: number | undefined }): Promise<PreparedRun> {
  if (args.results !== undefined && args.results.trim() === '')
    throw new UserError('--results: expected a folder path, e.g. results, got an empty string');
  const engine = await resolveEngine(args.engine ?? 'auto', io.env, (line) => io.stderr.write(`${line}\n`));
  // Asking the engine its version starts a process (about half a second): it runs while the
  // folder is checked and the scenario bundled, a share of the runner's overhead (npm run bench -- overhead).
  const versionAsked = engine.version();
  versionAsked.catch(() => {}); // awaited below, after the checks that come first
  const resultsDir = resolve(io.cwd, args.results ?? (args.demo ? DEMO_RESULTS : DEFAULT_RESULTS));
  // The bundle and the commit belong to the toolkit, wherever the user ran the command from.
  const commitAsked = currentCommit(PROJECT_ROOT);
  await assertWritable(resultsDir);
  const bundle = await bundleScenario(what.entry, DIST_SCENARIOS_DIR);
  const engineVersion = await versionAsked;
  const gitCommit = await commitAsked;
  // Whether the open stage can apply is read off the bundle before any load (see --help).
  const openStage =
    what.openFactor !== undefined
      ? { factor: what.openFactor, scriptReady: scriptSupportsOpenStage(await readFile(bundle.path, 'utf8')) }
      : undefined;
  return { engine, engineVersion, resultsDir, bundle, gitCommit, openStage };
}

interface RunBase {
  readonly args: StagesArgs;
  readonly io: Io;
  readonly config: CapacityConfig;
  readonly settings: StageSettings;
  readonly prepared: PreparedRun;
  readonly scenarioName: string;
  readonly extraEnv: Record<string, string>;
}

interface ResolvedTarget {
  readonly environment: string;
  readonly host: Host;
  readonly headers: Readonly<Record<string, string>>;
  /** Where the host came from, for messages: --host, --demo or environments.<name>.host. */
  readonly source: string;
}

/**
 * One environment's run; with several, a user error of one (its host unreachable) is said and
 * the next environment still runs: one host down must not cost the other its night.
 */
async function runOneTargetOrSay(base: RunBase, target: ResolvedTarget, several: boolean) {
  try {
    return await runOneTarget(base, target);
  } catch (e) {
    if (!several || !isUserError(e)) throw e;
    base.io.stderr.write(errorLine(`${target.environment}: ${e.message}`, e.hint));
    return { exitCode: e.exitCode };
  }
}

async function runOneTarget(base: RunBase, target: ResolvedTarget): Promise<Pick<StagesResult, 'exitCode'> & Partial<StagesResult>> {
  const { args, io, config, settings, prepared } = base;
  if (settings.targetFallback)
    io.stdout.write(`target stage: ${settings.targetStage} users (the configured ${config.targetStage} is not in --users)\n`);
  if (args.preflight !== false) {
    const unreachable = await preflight(target.host, { signal: io.signal });
    if (unreachable) {
      throw new UserError(`cannot reach ${target.host.display}: ${unreachable}`, {
        exitCode: ExitCode.unreachable,
        hint: `no load sent, no run recorded; check ${target.source} (--no-preflight to run anyway)`,
      });
    }
    if (io.signal.aborted) return { exitCode: ExitCode.interrupted };
  }
  return runStages(
    {
      resultsDir: prepared.resultsDir,
      scenario: { name: base.scenarioName, bundlePath: prepared.bundle.path, sha256: prepared.bundle.sha256 },
      host: target.host,
      headers: target.headers,
      environment: target.environment,
      ...(args.label !== undefined ? { label: args.label } : {}),
      plan: settings.plan,
      spawnRate: settings.spawnRate,
      targetStage: settings.targetStage,
      keyName: config.keyTransaction.name,
      keyMetric: config.keyTransaction.metric,
      stopOnFailure: args['stop-on-failure'] ?? false,
      stats: { ...collectorSettings(config), ...summaryBounds(config) },
      ...(prepared.gitCommit ? { gitCommit: prepared.gitCommit } : {}),
      extraEnv: base.extraEnv,
      ...(prepared.openStage ? { openStage: prepared.openStage } : {}),
    },
    {
      engine: prepared.engine,
      engineVersion: prepared.engineVersion,
      computeStageStats,
      summarizeRun,
      windowParams,
      liveParser: createK6CsvParser,
    },
    io,
  );
}

function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UserError(`--env: expected K=V, got "${p.slice(0, 40)}"`);
    env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return env;
}

/** Fails before any load when the results folder cannot be written. */
async function assertWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (e) {
    throw new UserError(`--results: cannot write to ${dir}: ${fsReason(e)}`, {
      hint: 'give a folder (created when missing) you may write to',
    });
  }
}

async function currentCommit(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5000 });
    return /^[0-9a-f]{40}$/.test(stdout.trim()) ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}
