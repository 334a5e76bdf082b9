import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { decisionFormat, type Decision } from '../../formats/decision.ts';
import { ExitCode } from '../../formats/errors.ts';
import { command as decideCommand } from '../../runner/commands/decide.ts';
import type { Io } from '../../runner/io.ts';
import { launchArgs } from './launch.ts';

/**
 * Helpers of the end-to-end tests: real `npm run stages` runs, in-process (through the command
 * function and an Io with captured, non-terminal streams) or as a child process of the real CLI.
 */

/** The project root: the stages command bundles into its `dist/scenarios` and finds `scenarios/` there. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The scenario's think time, shortened so that 3–4 s holds carry enough samples. */
export const SHORT_THINK = ['THINK_MIN=0.1', 'THINK_MAX=0.3'];

export interface CapturedIo {
  readonly io: Io;
  stdout(): string;
  stderr(): string;
}

/**
 * An Io whose stdout and stderr are captured as text: plain pipes (no TTY, as in CI), or with
 * `terminal`, a stdout that says it is a terminal of that many columns.
 */
export function capturedIo(signal: AbortSignal = new AbortController().signal, terminal?: { columns: number }): CapturedIo {
  const out: PassThrough & { isTTY?: boolean; columns?: number } = new PassThrough();
  if (terminal) Object.assign(out, { isTTY: true, columns: terminal.columns });
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  err.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return {
    io: { cwd: ROOT, env: process.env, stdout: out, stderr: err, now: () => Date.now(), signal },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/** `npm run decide -- --results <results> --config <config> --json`, in this process: the decision it printed. */
export async function decideJson(results: string, config: string): Promise<Decision> {
  const cap = capturedIo();
  const code = await decideCommand.run(
    { results, config, json: true, environment: undefined, baseline: undefined, until: undefined },
    cap.io,
  );
  expect(code, cap.stderr()).toBe(ExitCode.ok);
  return decisionFormat.parse(cap.stdout(), `decide --json over ${results}`);
}

export interface CliRun {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process closed its streams. */
  readonly exited: Promise<number | null>;
  /** Resolves once stdout satisfies `test`; rejects if the process ends first. */
  waitForStdout(test: (stdout: string) => boolean): Promise<void>;
}

/** Spawns `npm run stages -- …`'s command in the project root with stdout and stderr as pipes. */
export function spawnStages(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  return spawnCli('stages', args, env);
}

/** Spawns what `npm run <command> -- …` runs (runner/launch.mjs runner/cli.ts <command> …) in the project root. */
export function spawnCli(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const child = spawn(process.execPath, launchArgs('runner/cli.ts', command, ...args), {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStdout(test) {
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (error?: unknown) => {
          settled = true;
          listeners.delete(check);
          if (error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error(String(error)));
        };
        const check = () => {
          if (settled) return;
          try {
            if (test(stdout)) settle();
          } catch (e) {
            settle(e);
          }
        };
        listeners.add(check);
        check();
        void exited.then((code) => {
          if (!settled) settle(new Error(`the CLI exited (${code}) before the expected output; stdout:\n${stdout}\nstderr:\n${stderr}`));
        });
      });
    },
  };
}

/** Every file under `dir` (recursively), relative paths sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || e.isFIFO())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The text of every file under `dir`, gzip files decompressed: for greps of secrets. */
export async function allText(dir: string): Promise<Array<{ file: string; text: string }>> {
  const files = await listFiles(dir);
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(join(dir, file));
      return { file, text: (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8') };
    }),
  );
}

export interface TargetProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops it (SIGINT, as Ctrl-C) and resolves with what it printed. */
  stop(): Promise<string>;
}

/**
 * `npm run demo-target -- --preset <name> --port 0` in its own process: the target's latency then
 * does not depend on what the test process does meanwhile (statistics of other runs, other targets).
 */
export async function startTargetProcess(preset: string): Promise<TargetProcess> {
  const cli = spawnCli('demo-target', ['--preset', preset, '--port', '0']);
  const line = /^demo target \(\S+\) on (http:\/\/127\.0\.0\.1:\d+) /m;
  try {
    await cli.waitForStdout((out) => line.test(out));
  } catch (e) {
    cli.child.kill('SIGKILL');
    throw e;
  }
  return {
    url: line.exec(cli.stdout())![1]!,
    async stop() {
      cli.child.kill('SIGINT');
      await cli.exited;
      return cli.stdout();
    },
  };
}
