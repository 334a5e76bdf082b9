import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { CONFIG_FILE_NAME, type CapacityConfig, DEFAULT_CONFIG, parseConfigText } from '../formats/config.ts';
import { UserError, fsReason } from '../formats/errors.ts';

/** Where the config file is found and how it is read; its schema and rules are formats/config.ts (pure). */

/** Reads and validates a config file (JSON). */
export async function readConfigFile(path: string): Promise<CapacityConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw cannotRead(path, e);
  }
  return parseConfigText(text, path);
}

function cannotRead(path: string, e: unknown): UserError {
  return new UserError(`cannot read the config file: ${fsReason(e)}`, {
    file: path,
    hint: 'give the path of a capacity.config.json with --config, or leave --config out to use the defaults',
  });
}

/**
 * The config the commands use: `path` (relative to `cwd`) when given; else `capacity.config.json`
 * in `cwd` if present; else DEFAULT_CONFIG. Throws a one-line UserError naming the file and key.
 */
export async function loadConfig(path: string | undefined, cwd: string): Promise<CapacityConfig> {
  if (path !== undefined) return readConfigFile(isAbsolute(path) ? path : resolve(cwd, path));
  const implicit = join(cwd, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(implicit, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw cannotRead(implicit, e);
  }
  return parseConfigText(text, implicit);
}
