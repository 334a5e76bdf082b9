/**
 * `k6 run` on Node: the phases of a test, each in its own module. Before: the script bundled, VU 0
 * reads the options (test-options.ts), the VUs are initialised (vu-pool.ts), setup() runs. During:
 * the scenarios' executors (scenario-runner.ts, executors/), the VUs' calls served (vu-calls.ts,
 * ws-sessions.ts),
 * every sample to the sink (sample-sink.ts), the ticker (ticker.ts). After: end-of-test.ts.
 */
import { vuSockets } from './native/vu-sockets.ts';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../formats/errors.ts';
import { K6ExitCode } from '../formats/k6/exit-codes.ts';
import type { CsvTimeFormat } from '../formats/k6/csv.ts';
import { banner } from './banner.ts';
import { bundleAll, type Bundles } from './bundle.ts';
import { stderrLog, type EngineIo, type Log } from './engine-io.ts';
import { endTest } from './end-of-test.ts';
import { csvTimeFormat, UsageError, type RunFlags } from './flags.ts';
import { MetricStore } from './metrics.ts';
import { progressText } from './progress.ts';
import { USER_MODULE_PREFIX, type ExecState } from './protocol.ts';
import { RunControl } from './run-control.ts';
import { SampleSink } from './sample-sink.ts';
import { ScenarioRunner } from './scenario-runner.ts';
import { initialVUs, peakVUs } from './scenarios.ts';
import { stackMapper } from './stack.ts';
import { readTestOptions, type TestOptions } from './test-options.ts';
import { startTicker } from './ticker.ts';
import { VuCalls } from './vu-calls.ts';
import { VuPool } from './vu-pool.ts';
import type { ControlCall, Vu } from './vu.ts';

export type { EngineIo };

/** What a test needs before any VU: the script bundled, its environment, its stack mapper. */
interface Prepared {
  scriptPath: string;
  timeFormat: CsvTimeFormat;
  env: Record<string, string>;
  bundles: Bundles;
  /** Stack traces name the user's files and lines, not the bundle's (as k6's do). */
  scriptStack: (text: string) => string;
}

async function prepare(flags: RunFlags, io: EngineIo, log: Log): Promise<Prepared | number> {
  const scriptPath = resolve(io.cwd, flags.script);
  let timeFormat: CsvTimeFormat;
  try {
    timeFormat = csvTimeFormat(io.env);
  } catch (e) {
    log('error', (e as Error).message);
    return K6ExitCode.badUsage;
  }
  if (!existsSync(scriptPath)) {
    log(
      'error',
      `The moduleSpecifier "${flags.script}" couldn't be found on local disk. Make sure that you've specified the right path to the file.`,
    );
    return K6ExitCode.scriptException;
  }
  const env: Record<string, string> = {};
  if (flags.includeSystemEnv) for (const [k, v] of Object.entries(io.env)) if (typeof v === 'string') env[k] = v;
  Object.assign(env, flags.env);
  let bundles: Bundles;
  try {
    bundles = await bundleAll(scriptPath);
  } catch (e) {
    log('error', (e as Error).message);
    return K6ExitCode.scriptException;
  }
  const scriptStack = stackMapper(bundles.userMap, scriptPath, USER_MODULE_PREFIX.split('\n').length - 1, dirname(scriptPath));
  return { scriptPath, timeFormat, env, bundles, scriptStack };
}

/** The run's parts, made once. */
interface Run {
  flags: RunFlags;
  io: EngineIo;
  log: Log;
  prepared: Prepared;
  sink: SampleSink;
  control: RunControl;
  pool: VuPool;
  calls: VuCalls;
  /** Set when the scenarios start (k6/execution reads it). */
  runner: ScenarioRunner | null;
}

/** Runs a test as `k6 run` does; resolves with k6's exit code. Never throws for a script's failure. */
export async function runK6(flags: RunFlags, io: EngineIo): Promise<number> {
  const log = stderrLog(io);
  const prepared = await prepare(flags, io, log);
  if (typeof prepared === 'number') return prepared;
  const sink = new SampleSink(new MetricStore(), (m) => log('warning', m));
  const control = new RunControl();
  const calls = new VuCalls({ sink, log, scriptStack: prepared.scriptStack, execState: () => execState(run) });
  const sockets = vuSockets(io.env);
  if ('off' in sockets && sockets.off)
    log('warning', `embedded engine: VUs send their requests through the main thread (slower): ${sockets.off}`);
  const pool = new VuPool({ bundles: prepared.bundles, scriptPath: prepared.scriptPath, env: prepared.env, hooks: calls, sockets });
  const run: Run = { flags, io, log, prepared, sink, control, pool, calls, runner: null };
  control.onStop(() => pool.stopAll());
  const onSigint = (): void => control.stop('sigint');
  io.signal.addEventListener('abort', onSigint, { once: true });
  try {
    return await runTest(run);
  } catch (e) {
    if (e instanceof UserError) {
      log('error', e.message);
      return K6ExitCode.invalidConfig;
    }
    throw e;
  } finally {
    io.signal.removeEventListener('abort', onSigint);
    const e = await sink.close();
    if (e) log('error', e.message);
    calls.close();
    await pool.close();
  }
}

/** k6/execution's view of the test. */
function execState(run: Run): ExecState {
  return {
    vusActive: run.runner?.active ?? 0,
    vusInitialized: run.pool.initialized,
    iterationsCompleted: run.sink.completed,
    iterationsInterrupted: run.sink.interrupted,
    currentTestRunDuration: run.runner?.sinceStart() ?? 0,
    scenarioProgress: 0,
  };
}

function initFailed(c: ControlCall, run: Run): number {
  const abort = c.op === 'init' && !c.ok ? c.abort : c.op === 'done' ? c.abort : undefined;
  if (abort) {
    run.log('error', `test aborted: ${abort}`);
    return K6ExitCode.scriptAborted;
  }
  const text = c.op === 'init' && !c.ok ? c.error : c.op === 'done' ? (c.error ?? 'init failed') : 'init failed';
  run.log('error', run.prepared.scriptStack(text), 'hint="script exception"');
  return K6ExitCode.scriptException;
}

/** setup()'s result as JSON (null without setup), or the exit code when it failed. */
async function setup(ctl: Vu, exports: ReadonlySet<string>, log: Log): Promise<{ data: string | null } | number> {
  if (!exports.has('setup')) return { data: null };
  const r = await ctl.command({ op: 'setup' });
  if (r.op === 'done' && r.abort) {
    log('error', `test aborted: ${r.abort}`);
    return K6ExitCode.scriptAborted;
  }
  if (r.op !== 'done' || r.error) return K6ExitCode.scriptException;
  return { data: r.result ?? null };
}

/** VU 0's init and the options; the exit code when either fails. */
async function readOptions(run: Run, ctl: Vu): Promise<{ options: TestOptions; exports: Set<string> } | number> {
  const init0 = await ctl.nextControl();
  if (init0.op !== 'init' || !init0.ok) return initFailed(init0, run);
  const exports = new Set(init0.exports);
  try {
    return { options: readTestOptions((init0.options ?? {}) as Record<string, unknown>, run.flags, exports, run.sink.store), exports };
  } catch (e) {
    run.log('error', (e as Error).message);
    return e instanceof UsageError ? K6ExitCode.badUsage : K6ExitCode.invalidConfig;
  }
}

async function runTest(run: Run): Promise<number> {
  const { flags, io, log, pool, sink, control } = run;
  const ctl = pool.controller();
  const read = await readOptions(run, ctl);
  if (typeof read === 'number') return read;
  const { options, exports } = read;
  pool.configure(options.http);
  sink.open(
    options.sysTags,
    flags.csvOutputs.map((p) => resolve(io.cwd, p)),
    run.prepared.timeFormat,
  );
  // The VUs, initialised before the test starts (as k6 does): as many as the scenarios hold at once.
  const badInit = await pool.initialise(peakVUs(options.scenarios, initialVUs));
  if (badInit) return initFailed(badInit, run);
  // As k6: --quiet leaves out the execution description too, not only the progress bars.
  if (!flags.quiet) banner(io.stdout, flags, options.scenarios);
  const set = await setup(ctl, exports, log);
  if (typeof set === 'number') return set;
  const { vu, iter } = options.sysTags;
  const runner = new ScenarioRunner(options.scenarios, {
    pool,
    sink,
    control,
    log,
    data: set.data,
    globalTags: options.globalTags,
    sysMeta: vu || iter ? { vu, iter } : null,
    socketBytes: (v) => run.calls.socketBytes(v),
  });
  run.runner = runner;
  const show = flags.quiet
    ? null
    : (): void =>
        void io.stdout.write(
          progressText(
            runner.sinceStart(),
            { active: runner.active, vusMax: pool.initialized, completed: sink.completed, interrupted: sink.interrupted },
            runner.bars,
          ),
        );
  const scenariosDone = runner.run();
  const stopTicker = startTicker({
    sink,
    control,
    thresholds: options.thresholds,
    log,
    vus: () => ({ active: runner.active, max: pool.initialized }),
    sinceStart: () => runner.sinceStart(),
    show,
  });
  await scenariosDone;
  stopTicker();
  const durationMs = runner.sinceStart();
  show?.();
  return endTest({
    controller: ctl,
    exports,
    data: set.data,
    control,
    sink,
    thresholds: options.thresholds,
    durationMs,
    summary: options.summary,
    flags,
    io,
    log,
  });
}
