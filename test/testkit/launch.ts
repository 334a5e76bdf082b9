import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node's arguments to run a command as `npm run` does: from the prebuilt JavaScript, through
 * runner/launch.mjs (which rebuilds when a source changed), so tests run what users run.
 */
export function launchArgs(entry: 'runner/cli.ts' | 'engine/cli.ts', ...args: string[]): string[] {
  return [join(PROJECT_ROOT, 'runner', 'launch.mjs'), entry, ...args];
}
