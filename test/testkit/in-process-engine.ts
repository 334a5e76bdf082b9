import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { versionLine } from '../../engine/cli.ts';
import type * as Engines from '../../runner/engines/index.ts';
import type { Engine, StageRunOutcome, StageRunSpec } from '../../runner/engines/engine.ts';
import { OLDEST_K6 } from '../../runner/engines/k6-version.ts';
import { k6RunArgs, k6RunEnv } from '../../runner/engines/process-engine.ts';
import { runK6CommandLine } from './engine-runs.ts';

/**
 * The embedded engine as the runner's Engine, run in this process: the k6 command line the runner
 * passes (k6RunArgs, read by the engine's own readCommandLine) and the environment it sets, the
 * stage log as stdout and stderr, the abort as Ctrl-C. It saves the two process starts of a stage
 * (`version` and `run`, ~1.5 s of CPU), for tests of what the runner does with a stage; the
 * process itself (spawn, exit code, signals) is what the few real-process tests are for.
 */
export function inProcessEngine(): Engine {
  return {
    name: 'embedded',
    version: async () => versionLine(),
    async runStage(spec: StageRunSpec): Promise<StageRunOutcome> {
      const log = createWriteStream(spec.logPath, { flags: 'wx' });
      await once(log, 'open');
      const stop = new AbortController();
      let interrupted = false;
      const onAbort = () => {
        interrupted = true;
        stop.abort();
      };
      // No process to kill here: the runner's "kill now" (a second Ctrl-C) stops the test as the first does.
      for (const s of [spec.signal, spec.kill]) {
        if (s?.aborted) onAbort();
        s?.addEventListener('abort', onAbort, { once: true });
      }
      const startedAtMs = Date.now();
      try {
        const exitCode = await runK6CommandLine(k6RunArgs(spec, OLDEST_K6), {
          cwd: process.cwd(),
          env: k6RunEnv(spec, OLDEST_K6),
          stdout: log,
          stderr: log,
          signal: stop.signal,
        });
        return { exitCode, signal: null, interrupted, startedAtMs, endedAtMs: Date.now() };
      } finally {
        for (const s of [spec.signal, spec.kill]) s?.removeEventListener('abort', onAbort);
        log.end();
        await once(log, 'close');
      }
    },
  };
}

/**
 * runner/engines/index.ts with the embedded engine in this process, for a test file's
 * `vi.mock(import('…/runner/engines/index.ts'), async (original) => (await import('…/in-process-engine.ts')).withInProcessEngine(await original()))`:
 * `--engine` is resolved as ever (auto, k6 found or not, warnings); only the embedded engine's process is replaced.
 */
export function withInProcessEngine(engines: typeof Engines): typeof Engines {
  return {
    ...engines,
    async resolveEngine(choice, env, warn) {
      const engine = await engines.resolveEngine(choice, env, warn);
      return engine.name === 'embedded' ? inProcessEngine() : engine;
    },
  };
}
