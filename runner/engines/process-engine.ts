import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Engine, EngineName, StageRunOutcome, StageRunSpec } from './engine.ts';
import { formatDuration } from '../../formats/duration.ts';
import { K6_RUN_OPTIONS as O, k6Option, type K6RunOption, type K6Version } from './k6-version.ts';

/**
 * k6 `run` arguments for a stage on a given k6 release (the embedded engine takes those of
 * k6 v0.48, which it follows), every one from the table of options checked per release.
 */
export function k6RunArgs(spec: StageRunSpec, version: K6Version): string[] {
  const flag = (o: K6RunOption) => k6Option(o, version);
  const args = ['run', flag(O.noColor), flag(O.quiet)];
  for (const [k, v] of Object.entries(spec.env)) args.push(flag(O.env), `${k}=${v}`);
  // `--stage` would replace the script's scenarios: left out when the stage has none (open model).
  if (spec.stages.length > 0) args.push(flag(O.stage), spec.stages.map((s) => `${formatDuration(s.durationMs)}:${s.target}`).join(','));
  for (const out of spec.csvOutputs) args.push(flag(O.out), `csv=${out}`);
  args.push(flag(O.summaryExport), spec.summaryExportPath);
  args.push(spec.scriptPath);
  return args;
}

/** The k6 process's environment for a stage: the user's, the script's secrets, and the runner's k6 settings. */
export function k6RunEnv(spec: StageRunSpec, version: K6Version): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...spec.secretEnv,
    [k6Option(O.csvTimeFormat, version)]: spec.csvTimeFormat,
    [k6Option(O.noUsageReport, version)]: 'true',
  };
}

/**
 * An engine that is a k6-compatible command line: `command ...prefixArgs run [flags] script`,
 * with the flags of k6 release `flagsOf`. stdout and stderr go to the stage log; SIGINT on abort
 * (k6 then stops gracefully and writes its outputs), SIGKILL on kill.
 */
export function processEngine(
  name: EngineName,
  command: string,
  prefixArgs: readonly string[],
  versionOf: () => Promise<string>,
  flagsOf: K6Version,
): Engine {
  return {
    name,
    version: versionOf,
    async runStage(spec: StageRunSpec): Promise<StageRunOutcome> {
      const log = createWriteStream(spec.logPath, { flags: 'wx' });
      await once(log, 'open');
      const startedAtMs = Date.now();
      const child = spawn(command, [...prefixArgs, ...k6RunArgs(spec, flagsOf)], {
        env: k6RunEnv(spec, flagsOf),
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a terminal Ctrl-C reaches only the runner, which forwards one
        // SIGINT (k6 reads a second SIGINT as "kill now").
        detached: true,
      });
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      let interrupted = false;
      const onAbort = () => {
        interrupted = true;
        child.kill('SIGINT');
      };
      const onKill = () => child.kill('SIGKILL');
      if (spec.signal.aborted) onAbort();
      spec.signal.addEventListener('abort', onAbort, { once: true });
      spec.kill?.addEventListener('abort', onKill, { once: true });
      try {
        const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
          child.once('error', reject);
          child.once('close', (code, sig) => resolve([code, sig]));
        });
        return { exitCode, signal, interrupted, startedAtMs, endedAtMs: Date.now() };
      } finally {
        process.off('exit', killOnExit);
        spec.signal.removeEventListener('abort', onAbort);
        spec.kill?.removeEventListener('abort', onKill);
        log.end();
        await once(log, 'close');
      }
    },
  };
}
