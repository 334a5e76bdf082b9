import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { TraceMap, originalPositionFor, sourceContentFor } from '@jridgewell/trace-mapping';
import { BUNDLE_ES_VERSION, bigIntLiteralAt, inspectBundle, type BundlePosition } from './bundle-syntax.ts';
import { UserError } from '../formats/errors.ts';
import { writeFileAtomic } from '../formats/files.ts';
import { packageRoot } from '../formats/files.ts';

/** The toolkit's own folder (where package.json is). */
export const PROJECT_ROOT = packageRoot(import.meta.url);
/** Where the built-in scenarios live: one `<name>.ts` per scenario; `lib/` and `data/` are not scenarios. */
export const SCENARIOS_DIR = join(PROJECT_ROOT, 'scenarios');
/** Where `npm run bundle` writes `<name>.js`. */
export const DIST_SCENARIOS_DIR = join(PROJECT_ROOT, 'dist', 'scenarios');

/**
 * The esbuild target: the newest syntax every supported k6 runs (see BUNDLE_ES_VERSION). esbuild
 * lowers newer syntax (`?.`, `??`, object spread, class fields, `catch {`…) to it; what it cannot
 * lower (top-level await) fails the bundle, and so does a BigInt literal (see bundleScenario).
 */
export const BUNDLE_TARGET = `es${BUNDLE_ES_VERSION}`;

const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The names of the built-in scenarios (`scenarios/<name>.ts`), sorted. */
export async function listScenarios(dir: string = SCENARIOS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => e.name.slice(0, -'.ts'.length))
    .filter((n) => NAME.test(n))
    .sort();
}

/**
 * A scenario given as a built-in name (`search`) or the path of the user's own k6 script
 * (.ts or .js, relative to `cwd`) → its name (the file's base name) and absolute entry path.
 * Throws a one-line UserError for an unknown name (listing the available ones) or a missing file,
 * naming `what` the value was given as (the `--scenario` flag, or the bundle command's argument).
 */
export async function resolveScenario(nameOrPath: string, cwd: string, what = '--scenario'): Promise<{ name: string; entry: string }> {
  const given = nameOrPath.trim();
  const looksLikePath = given.includes('/') || given.includes('\\') || SCRIPT_EXTENSIONS.includes(extname(given));
  if (!looksLikePath) {
    const names = await listScenarios();
    if (NAME.test(given) && names.includes(given)) return { name: given, entry: join(SCENARIOS_DIR, `${given}.ts`) };
    throw new UserError(
      `${what}: unknown scenario "${given}"; expected one of ${names.join(', ') || '(none found)'} or the path of a k6 script (.ts or .js)`,
      {
        hint: `built-in scenarios are the files of ${SCENARIOS_DIR}`,
      },
    );
  }
  const entry = isAbsolute(given) ? given : resolve(cwd, given);
  const ext = extname(entry);
  if (!SCRIPT_EXTENSIONS.includes(ext)) {
    throw new UserError(`${what}: expected a k6 script ending in ${SCRIPT_EXTENSIONS.join(', ')}, got "${given}"`);
  }
  const info = await stat(entry).catch(() => undefined);
  if (!info?.isFile()) throw new UserError(`${what}: no such script file "${given}" (looked at ${entry})`);
  const name = basename(entry, ext).replace(/[^A-Za-z0-9_-]/g, '_');
  return { name, entry };
}

/**
 * Bundles one k6 script with esbuild into `<outDir>/<name>.js`, one ES module that k6 runs as is:
 * `k6`, `k6/*` and remote (`https://`) modules stay imports, everything else is inlined, and a
 * Node import (`node:*`, `fs`, …, also inside an npm package) fails the build with its location.
 * Files the script reads with `open('<relative literal>')` are copied next to the bundle (their
 * path relative to the entry's folder, `..` spelled `__`) and the literal is rewritten to match,
 * so the bundle runs from `outDir`. The bundle must parse as an ES2017 module (acorn) and hold
 * no lowered BigInt literal, else a one-line UserError names the user's file, line and construct
 * before any engine sees it. Resolves once the bundle is written (atomically); `sha256` is the
 * hex digest of its bytes.
 */
export async function bundleScenario(entry: string, outDir: string): Promise<{ name: string; path: string; sha256: string }> {
  const entryAbs = resolve(entry);
  const name = basename(entryAbs, extname(entryAbs)).replace(/[^A-Za-z0-9_-]/g, '_');
  const outPath = join(resolve(outDir), `${name}.js`);
  const assets = new Map<string, string>(); // absolute source → path relative to outDir
  const entryDir = dirname(entryAbs);

  let result: esbuild.BuildResult<{ write: false; metafile: true; sourcemap: 'external' }>;
  try {
    result = await esbuild.build({
      // Paths in the bundle's comments are relative to the entry's folder, so the bytes (and the
      // hash) do not depend on where the project is checked out.
      entryPoints: [entryAbs],
      absWorkingDir: entryDir,
      bundle: true,
      write: false,
      metafile: true,
      outfile: outPath,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: BUNDLE_TARGET,
      // Kept in memory only, to name the user's line when the bundle is refused; `external`
      // adds no comment to the bundle, so its bytes (and hash) do not change.
      sourcemap: 'external',
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [k6Plugin(entryDir, assets)],
    });
  } catch (e) {
    throw bundleError(entryAbs, entryDir, e);
  }

  const output = result.outputFiles.find((f) => f.path === outPath);
  const map = result.outputFiles.find((f) => f.path === `${outPath}.map`);
  if (!output || !map) throw new UserError(`${entry}: esbuild wrote no bundle`);
  assertRunsOnEveryK6(output.text, new TraceMap(map.text), outPath);
  const surviving = nonK6Imports(result.metafile);
  if (surviving.length > 0) {
    throw new UserError(`${entry}: the bundle still imports ${surviving.map((s) => `"${s}"`).join(', ')}, which k6 cannot load`, {
      hint: 'a k6 script may import k6, k6/* and https:// modules; other packages must be bundleable JavaScript',
    });
  }

  await mkdir(dirname(outPath), { recursive: true });
  for (const [source, rel] of assets) {
    const target = join(dirname(outPath), rel);
    // Atomically, like the bundle: another run bundling into the same folder must never let an
    // engine that is starting read a half-copied data file (copyFile truncates, then writes).
    await writeFileAtomic(target, await readFile(source));
  }
  await writeFileAtomic(outPath, output.contents);
  const sha256 = createHash('sha256').update(output.contents).digest('hex');
  return { name, path: outPath, sha256 };
}

/**
 * Refuses a bundle that some supported k6 could not run: one that is not ES2017 (a guard: esbuild
 * lowers to it) or one holding a BigInt literal, which esbuild lowers to a `BigInt()` call that
 * k6 v0.48 has no runtime for. The line named is the user's own, traced through the source map.
 */
function assertRunsOnEveryK6(code: string, map: TraceMap, outPath: string): void {
  const { problem, bigIntCalls } = inspectBundle(code);
  const traced = (pos: BundlePosition) => {
    const o = originalPositionFor(map, pos);
    return o.source === null
      ? undefined
      : { file: resolve(dirname(outPath), o.source), line: o.line, column: o.column, text: sourceContentFor(map, o.source) };
  };
  for (const call of bigIntCalls) {
    const at = traced(call);
    const literal = at && bigIntLiteralAt(at.text?.split('\n')[at.line - 1]?.slice(at.column) ?? '');
    if (at && literal) {
      throw new UserError(
        `${at.file}:${at.line}:${at.column}: BigInt literal ${literal}: k6 v0.48 has no BigInt and esbuild cannot lower it to ${BUNDLE_TARGET}`,
        {
          hint: 'use a Number (exact up to 2^53) or a string of digits',
        },
      );
    }
  }
  if (problem) {
    const at = traced(problem);
    const where = at ? `${at.file}:${at.line}:${at.column}` : `${outPath}:${problem.line}:${problem.column}`;
    throw new UserError(`${where}: the bundle is not ${BUNDLE_TARGET}, which k6 v0.48 refuses (${problem.message})`, {
      hint: 'report this with the script: esbuild should have lowered it',
    });
  }
}

/** The imports left in the bundle that k6 could not load (anything but k6, k6/* and http(s) URLs). */
export function nonK6Imports(metafile: esbuild.Metafile): string[] {
  const left = new Set<string>();
  for (const out of Object.values(metafile.outputs)) {
    for (const imp of out.imports) {
      if (!isK6External(imp.path)) left.add(imp.path);
    }
  }
  return [...left].sort();
}

/** True for what k6 resolves itself: its own modules and remote modules (jslib). */
export function isK6External(specifier: string): boolean {
  return specifier === 'k6' || specifier.startsWith('k6/') || /^https?:\/\//.test(specifier);
}

const NODE_BUILTINS = new Set(builtinModules);
/** True for a Node built-in module (`node:fs`, `fs`, `fs/promises`, `path`, …). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0] ?? '');
}

// `open('./x')` or open("../x") as a call (not `.open(` of an object), with a relative literal path.
const OPEN_CALL = /(?<![\w$.])open\(\s*(['"`])(\.\.?\/[^'"`\\\n$]*)\1/g;
const LOADERS: Record<string, esbuild.Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};

function k6Plugin(entryDir: string, assets: Map<string, string>): esbuild.Plugin {
  return {
    name: 'k6',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (isK6External(args.path)) return { path: args.path, external: true };
        if (isNodeBuiltin(args.path)) {
          return {
            errors: [
              {
                text: `imports the Node module "${args.path}", which k6 cannot run`,
                notes: [
                  { text: 'a k6 script may import k6, k6/* and https:// modules, and bundleable JavaScript; Node APIs do not exist in k6' },
                ],
              },
            ],
          };
        }
        return undefined;
      });

      build.onLoad({ filter: /\.(m|c)?(t|j)sx?$/ }, async (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        const errors: esbuild.PartialMessage[] = [];
        const contents = await replaceAsync(source, OPEN_CALL, async (match, index, quote: string, rel: string) => {
          const abs = resolve(dirname(args.path), rel);
          const info = await stat(abs).catch(() => undefined);
          if (!info?.isFile()) {
            errors.push({ text: `open('${rel}'): no such file ${abs}`, location: locate(source, index, args.path) });
            return match;
          }
          const local = relative(entryDir, abs)
            .split(sep)
            .map((seg) => (seg === '..' ? '__' : seg))
            .join('/');
          assets.set(abs, local);
          return `open(${quote}./${local}${quote}`;
        });
        if (errors.length > 0) return { errors };
        return { contents, loader: LOADERS[extname(args.path)] ?? 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

async function replaceAsync(
  text: string,
  re: RegExp,
  replace: (match: string, index: number, ...groups: string[]) => Promise<string>,
): Promise<string> {
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    parts.push(text.slice(last, m.index), await replace(m[0], m.index, ...m.slice(1).map((g) => g ?? '')));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

function locate(source: string, index: number, file: string): esbuild.PartialMessage['location'] {
  const before = source.slice(0, index).split('\n');
  return { file, line: before.length, column: before[before.length - 1]?.length ?? 0 };
}

// esbuild's words for syntax it cannot lower: "Top-level await is not available in the configured target environment (…)".
const NOT_LOWERABLE = /^(.+?) (?:is|are) not available in the configured target environment/;

/**
 * esbuild's failure → one UserError line: `file:line:col: message` (+ how many more). Syntax
 * esbuild cannot lower is named as the construct, quoting the user's code, not esbuild's words.
 */
function bundleError(entry: string, entryDir: string, e: unknown): Error {
  const errors = (e as { errors?: esbuild.Message[] } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return e instanceof Error ? e : new Error(String(e));
  const first = errors[0]!;
  const loc = first.location;
  const where = loc ? `${resolve(entryDir, loc.file)}:${loc.line}:${loc.column}` : entry;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const construct = NOT_LOWERABLE.exec(first.text)?.[1]?.toLowerCase();
  const code = loc ? ` (\`${loc.lineText.trim().slice(0, 60)}\`)` : '';
  const text = construct ? `${construct}${code}: k6 v0.48 cannot run it and esbuild cannot lower it to ${BUNDLE_TARGET}` : first.text;
  const fix = construct === 'top-level await' ? 'await inside the default function (or an async helper it calls) instead' : undefined;
  return new UserError(`${where}: ${text}${more}`, {
    hint: first.notes[0]?.text ?? fix ?? `fix the script, then bundle again: npm run bundle -- ${entry}`,
    cause: e,
  });
}
