import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../formats/errors.ts';
import { JSLIB_MODULES, jslibModuleFor } from './jslib-urls.ts';
import { packageRoot, writeFileAtomic } from '../formats/files.ts';

/** The engine's own folder (its sources are bundled for the VUs), from the sources or a prebuilt bundle alike. */
const here = `${join(packageRoot(import.meta.url), 'engine')}/`;

/** The code every VU needs: the worker entry, the k6 modules, and the user's script as CommonJS. */
export interface Bundles {
  worker: string;
  runtime: string;
  /** k6/crypto, k6/html and the jslib modules, evaluated in a VU only when its script needs one. */
  lazy: string;
  user: string;
  /** The user bundle's source map (JSON; sources relative to the script's folder), for stack traces. */
  userMap: string;
}

async function one(
  entry: string,
  format: 'cjs' | 'iife',
  platform: 'node' | 'neutral',
  external: string[],
  remote?: string[],
  inject: string[] = [],
): Promise<{ code: string; map: string }> {
  // The user's bundle keeps a source map (never written: `outfile` only places its sources).
  const withMap = remote !== undefined;
  const r = await build({
    metafile: remote !== undefined,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    platform,
    target: 'es2022',
    external,
    inject,
    logLevel: 'silent',
    mainFields: ['module', 'main'],
    ...(withMap ? { outfile: `${entry}.bundle.js`, sourcemap: 'external' as const, sourcesContent: false } : {}),
  });
  if (remote && r.metafile) {
    for (const input of Object.values(r.metafile.inputs))
      for (const imp of input.imports) if (imp.external && /^https?:\/\//.test(imp.path)) remote.push(imp.path);
  }
  const code = r.outputFiles.find((f) => !f.path.endsWith('.map'))!.text;
  return { code, map: r.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '' };
}

/**
 * Run from a prebuilt bundle (runner/launch.mjs: dist/prebuilt/<key of the sources>/), the VUs'
 * own bundles are the same for every run of that build: made by the first run, kept beside it,
 * read by the next (a start-up without three esbuild builds). From the sources, always built.
 */
const PREBUILT_DIR = import.meta.url.endsWith('.mjs') ? join(dirname(fileURLToPath(import.meta.url)), 'vu') : undefined;

async function cached(name: string, make: () => Promise<{ code: string; map: string }>): Promise<{ code: string; map: string }> {
  if (!PREBUILT_DIR) return make();
  const path = join(PREBUILT_DIR, name);
  const kept = await readFile(path, 'utf8').catch(() => undefined);
  if (kept !== undefined) return { code: kept, map: '' };
  const made = await make();
  await writeFileAtomic(path, made.code).catch(() => {}); // a read-only install still runs, building each time
  return made;
}

/** Bundles the engine's worker and runtime, and the user's script (k6 modules left to the runtime). */
export async function bundleAll(scriptPath: string): Promise<Bundles> {
  const [worker, runtime, lazy] = await Promise.all([
    cached('worker.cjs', () => one(`${here}worker.ts`, 'cjs', 'node', [])),
    cached('runtime.js', () => one(`${here}runtime/main.ts`, 'iife', 'neutral', [])),
    cached('lazy.js', () => one(`${here}runtime/lazy.ts`, 'iife', 'neutral', [], undefined, [`${here}runtime/atob.ts`])),
  ]);
  let user: { code: string; map: string };
  const remote: string[] = [];
  try {
    user = await one(scriptPath, 'cjs', 'neutral', ['k6', 'k6/*', 'https://*', 'http://*'], remote);
  } catch (e) {
    const errs = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const first = errs?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new UserError(`${where}${first ? first.text : (e as Error).message}`, { file: scriptPath });
  }
  // Remote modules: the jslib ones the engine answers locally; any other is an error before any VU starts.
  const unknown = remote.find((u) => !jslibModuleFor(u));
  if (unknown) {
    throw new UserError(
      `remote module "${unknown}" is not available to the embedded engine (it answers only https://jslib.k6.io/{${JSLIB_MODULES.join(',')}}/<version>/index.js without network): download it next to the script and import it by path`,
      { file: scriptPath },
    );
  }
  return { worker: worker.code, runtime: runtime.code, lazy: lazy.code, user: user.code, userMap: user.map };
}
