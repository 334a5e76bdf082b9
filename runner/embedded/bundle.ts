import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The code every VU needs: the worker entry, the k6 modules, and the user's script as CommonJS. */
export interface Bundles {
  worker: string;
  runtime: string;
  user: string;
}

async function one(entry: string, format: 'cjs' | 'iife', platform: 'node' | 'neutral', external: string[]): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    platform,
    target: 'es2022',
    external,
    logLevel: 'silent',
    mainFields: ['module', 'main'],
  });
  return r.outputFiles[0]!.text;
}

/** Bundles the engine's worker and runtime, and the user's script (k6 modules left to the runtime). */
export async function bundleAll(scriptPath: string): Promise<Bundles> {
  const [worker, runtime] = await Promise.all([
    one(`${here}worker.ts`, 'cjs', 'node', []),
    one(`${here}runtime/main.ts`, 'iife', 'neutral', []),
  ]);
  let user: string;
  try {
    user = await one(scriptPath, 'cjs', 'neutral', ['k6', 'k6/*', 'https://*', 'http://*']);
  } catch (e) {
    const errs = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const first = errs?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new UserError(`${where}${first ? first.text : (e as Error).message}`, { file: scriptPath });
  }
  return { worker, runtime, user };
}
