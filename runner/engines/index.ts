import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../formats/errors.ts';
import { packageRoot } from '../../formats/files.ts';
import type { Engine, EngineName } from './engine.ts';
import { ENGINE_NAMES } from './engine.ts';
import { OLDEST_K6, SUPPORTED_K6, formatK6Version, parseK6Version, unsupportedK6, type K6Version } from './k6-version.ts';
import { processEngine } from './process-engine.ts';

const run = promisify(execFile);

export const ENGINE_CHOICES = ['auto', ...ENGINE_NAMES] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** Real k6: `K6_BIN`, else `k6` on PATH; undefined when neither is there. */
export async function findK6(env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const candidates = env.K6_BIN
    ? [env.K6_BIN]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, 'k6'));
  for (const c of candidates) {
    if (
      await access(c, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return c;
  }
  return undefined;
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: 30_000 });
    return (
      stdout
        .split('\n')
        .find((l) => l.trim())
        ?.trim() ?? 'unknown'
    );
  } catch (e) {
    throw new UserError(`engine "${command}" does not start (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The k6 at `bin`, asked `k6 version`: its first line and release, or why the toolkit cannot drive it. */
export async function checkK6(bin: string): Promise<{ line: string; version: K6Version } | { unusable: string }> {
  let line: string;
  try {
    line = await firstLine(bin, ['version']);
  } catch (e) {
    return { unusable: (e as Error).message };
  }
  const version = parseK6Version(line);
  if (!version) return { unusable: `"${bin} version" printed "${line.slice(0, 80)}", not a k6 release (k6 v<major>.<minor>.<patch>)` };
  const why = unsupportedK6(version);
  return why ? { unusable: `${bin} is k6 ${formatK6Version(version)}, ${why}` } : { line, version };
}

/** The embedded engine runs as a child Node process, with the same flags as k6 v0.48 (the k6 it follows). */
function embeddedEngine(): Engine {
  // Started from prebuilt JavaScript (runner/launch.mjs), as k6 is a binary: no transpiling per stage.
  const prefix = [join(packageRoot(import.meta.url), 'runner', 'launch.mjs'), 'engine/cli.ts'];
  return processEngine('embedded', process.execPath, prefix, () => firstLine(process.execPath, [...prefix, 'version']), OLDEST_K6);
}

const POINT_K6_BIN = `set K6_BIN to a k6 ${SUPPORTED_K6} (K6_BIN=/path/to/k6)`;

/**
 * The registry behind `--engine`: `auto` takes real k6 when K6_BIN or PATH has one the toolkit
 * supports (${SUPPORTED_K6}, read off `k6 version`), else the embedded engine; a k6 that is
 * there but unusable (too old, too new, version unreadable, does not start) is said in one
 * `warn` line. Asking for k6 when there is none, or none usable, is a UserError, never a silent
 * fallback.
 */
export async function resolveEngine(
  choice: EngineChoice,
  env: Readonly<Record<string, string | undefined>>,
  warn: (line: string) => void = () => {},
): Promise<Engine> {
  if (choice === 'embedded') return embeddedEngine();
  const bin = await findK6(env);
  if (!bin) {
    if (choice === 'auto') return embeddedEngine();
    throw new UserError(
      env.K6_BIN
        ? `--engine k6: K6_BIN=${env.K6_BIN} is not an executable file`
        : '--engine k6: no k6 binary on PATH (set K6_BIN or install k6)',
      {
        hint: 'use --engine embedded to run without k6',
      },
    );
  }
  const k6 = await checkK6(bin);
  if ('unusable' in k6) {
    if (choice === 'k6') throw new UserError(`--engine k6: ${k6.unusable}`, { hint: `${POINT_K6_BIN}, or use --engine embedded` });
    warn(`warning: ${k6.unusable}: running on the embedded engine instead (${POINT_K6_BIN} to use real k6)`);
    return embeddedEngine();
  }
  return processEngine('k6', bin, [], async () => k6.line, k6.version);
}

export type { Engine, EngineName };
