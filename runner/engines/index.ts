import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UserError } from '../errors.ts';
import type { Engine, EngineName } from './engine.ts';
import { ENGINE_NAMES } from './engine.ts';
import { processEngine } from './process-engine.ts';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export const ENGINE_CHOICES = ['auto', ...ENGINE_NAMES] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** Real k6: `K6_BIN`, else `k6` on PATH; undefined when neither is there. */
export async function findK6(env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const candidates = env.K6_BIN ? [env.K6_BIN] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'k6'));
  for (const c of candidates) {
    if (await access(c, constants.X_OK).then(() => true, () => false)) return c;
  }
  return undefined;
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: 30_000 });
    return stdout.split('\n').find((l) => l.trim())?.trim() ?? 'unknown';
  } catch (e) {
    throw new UserError(`engine "${command}" does not start (${(e as Error).message.split('\n')[0]})`);
  }
}

function k6Engine(bin: string): Engine {
  return processEngine('k6', bin, [], () => firstLine(bin, ['version']));
}

/** The embedded engine runs as a child Node process, with the same flags as k6. */
function embeddedEngine(): Engine {
  const cli = join(here, '..', 'embedded', 'cli.ts');
  const prefix = ['--import', import.meta.resolve('tsx'), cli];
  return processEngine('embedded', process.execPath, prefix, () => firstLine(process.execPath, [...prefix, 'version']));
}

/**
 * The registry behind `--engine`: `auto` takes real k6 when K6_BIN or PATH has it, else the
 * embedded engine. Asking for k6 when it is absent is a UserError, never a silent fallback.
 */
export async function resolveEngine(choice: EngineChoice, env: Readonly<Record<string, string | undefined>>): Promise<Engine> {
  const k6 = choice === 'embedded' ? undefined : await findK6(env);
  if (choice === 'k6' && !k6) {
    throw new UserError(env.K6_BIN ? `--engine k6: K6_BIN=${env.K6_BIN} is not an executable file` : '--engine k6: no k6 binary on PATH (set K6_BIN or install k6)', {
      hint: 'use --engine embedded to run without k6',
    });
  }
  return k6 ? k6Engine(k6) : embeddedEngine();
}

export type { Engine, EngineName };
