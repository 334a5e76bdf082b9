import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Engine, EngineName, StageRunOutcome, StageRunSpec } from './engine.ts';
import { formatDuration } from '../duration.ts';

/** k6 `run` arguments for a stage: the same for real k6 and the embedded engine. */
export function k6RunArgs(spec: StageRunSpec): string[] {
  const args = ['run', '--no-color', '--quiet'];
  for (const [k, v] of Object.entries(spec.env)) args.push('-e', `${k}=${v}`);
  // `--stage` would replace the script's scenarios: left out when the stage has none (open model).
  if (spec.stages.length > 0) args.push('--stage', spec.stages.map((s) => `${formatDuration(s.durationMs)}:${s.target}`).join(','));
  for (const out of spec.csvOutputs) args.push('--out', `csv=${out}`);
  args.push('--summary-export', spec.summaryExportPath);
  args.push(spec.scriptPath);
  return args;
}

/**
 * An engine that is a k6-compatible command line: `command ...prefixArgs run [flags] script`.
 * stdout and stderr go to the stage log; SIGINT on abort (k6 then stops gracefully and writes
 * its outputs), SIGKILL on kill.
 */
export function processEngine(name: EngineName, command: string, prefixArgs: readonly string[], versionOf: () => Promise<string>): Engine {
  return {
    name,
    version: versionOf,
    async runStage(spec: StageRunSpec): Promise<StageRunOutcome> {
      const log = createWriteStream(spec.logPath, { flags: 'wx' });
      await once(log, 'open');
      const startedAtMs = Date.now();
      const child = spawn(command, [...prefixArgs, ...k6RunArgs(spec)], {
        env: { ...process.env, ...spec.secretEnv, K6_CSV_TIME_FORMAT: spec.csvTimeFormat, K6_NO_USAGE_REPORT: 'true' },
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
