// Starts a command of the toolkit from prebuilt JavaScript instead of transpiling TypeScript at
// every start (issue 15): `node runner/launch.mjs runner/cli.ts <args>` or `… engine/cli.ts <args>`.
// esbuild bundles both entry points into dist/prebuilt/<key>/, where <key> hashes the path, size
// and mtime of every source file (and the lockfile, and this file): a changed source changes the
// key, so a stale build is never run; the first start after a change builds (≈0.5 s), `npm ci`
// builds through `prepare`. Plain JavaScript: it must run before anything is built.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PREBUILT = join(ROOT, 'dist', 'prebuilt');
/** Entry point (as given on the command line) → name of its bundle. */
const ENTRIES = { 'runner/cli.ts': 'capacity', 'engine/cli.ts': 'k6-embedded' };
// templates/: the report's templates are precompiled into the build.
const SOURCE_DIRS = ['runner', 'engine', 'formats', 'decision', 'templates'];

/**
 * The key of the sources as they are now: what a build is valid for. Computed at every start, so
 * kept cheap (~7 ms for ~180 files, a third of what node:crypto and a recursive readdir took):
 * a plain walk, one stat per file, and a 64-bit hash of the list in two FNV-1a lanes; a stale
 * build needs a collision, not merely a change nobody checked.
 */
function sourcesKey() {
  const files = [join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url)];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && /\.(?:ts|mjs|hbs)$/.test(e.name) && !e.name.endsWith('.test.ts')) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir));
  let text = '';
  for (const f of files.sort()) {
    const s = statSync(f);
    text += `${f}\0${s.size}\0${s.mtimeMs}\n`;
  }
  let a = 0x811c9dc5;
  let b = 0x6b43a9b5;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ text.charCodeAt(i), 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * zod's namespace re-exports its ~40 message locales (half of zod's code), which no tree-shaking
 * can drop; the toolkit's messages are English and it never reads z.locales: only English is kept.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(a.importer) ? { path: join(a.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(a.path), 'en.js'))};`,
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * string-width (yargs' help layout: cliui, wrap-ansi, yargs) builds an Intl.Segmenter when it is
 * imported, ~15 ms of every start (ICU's break iterator), though the toolkit's help is nearly all
 * printable ASCII, whose width is its length (string-width 8 says so with a fast path; the 7 that
 * cliui and wrap-ansi use has none). The segmenter is built on first use, and 7 gets 8's fast path.
 * A version whose text differs is left as it is (only slower).
 */
const stringWidthLazySegmenter = {
  name: 'string-width-lazy-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](?:.+[\\/])?string-width[\\/]index\.js$/ }, async (a) => {
      const text = await readFile(a.path, 'utf8');
      const eager = 'const segmenter = new Intl.Segmenter();';
      const asciiFastPath = 'if (/^[\\u0020-\\u007E]*$/.test(string)) {';
      if (text.split(eager).length !== 2 || text.split('segmenter.segment(string)').length !== 2) return undefined;
      let contents = text.replace(eager, 'let segmenter;').replace('segmenter.segment(string)', '(segmenter ??= new Intl.Segmenter()).segment(string)');
      if (!contents.includes(asciiFastPath)) {
        const at = '\tlet width = 0;\n';
        if (contents.split(at).length !== 2) return undefined;
        contents = contents.replace(at, `\t${asciiFastPath}\n\t\treturn string.length;\n\t}\n\n${at}`);
      }
      return { contents, loader: 'js' };
    });
  },
};

/**
 * After starting a command's handler, yargs lays out that command's whole help text (~20 ms: every
 * option's width measured) and keeps it for a showHelp()/getHelp() called later in the run. The
 * CLI calls neither once a handler runs (its fail handler throws; the top-level help runs no
 * handler), so the call is left out. A version whose text differs is left as it is (only slower).
 */
const yargsNoHelpCache = {
  name: 'yargs-no-help-cache',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/ }, async (a) => {
      const text = await readFile(a.path, 'utf8');
      const call = 'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();';
      if (text.split(call).length !== 2) return undefined;
      return { contents: text.replace(call, '/* help text not cached: see runner/launch.mjs */'), loader: 'js' };
    });
  },
};

/** The report's templates precompiled into the build (runner/report/templates-precompiled.ts). */
const reportTemplatesPrecompiled = {
  name: 'report-templates-precompiled',
  setup(b) {
    b.onLoad({ filter: /[\\/]runner[\\/]report[\\/]templates-precompiled\.ts$/ }, async () => {
      const { precompiledModule } = await import('./report/templates-build.mjs');
      const { default: Handlebars } = await import('handlebars');
      return { contents: await precompiledModule(join(ROOT, 'templates'), Handlebars), loader: 'js' };
    });
  },
};

/**
 * yargs imports node:assert (~5 ms to load at every start) for two checks of its own invariants,
 * which pass in every run: they are checked here, and node:assert is loaded only to throw its own
 * error when one fails (Object.is, as its strict comparisons).
 */
const yargsLazyAssert = {
  name: 'yargs-lazy-assert',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (a) => (/[\\/]node_modules[\\/]yargs[\\/]/.test(a.importer) ? { path: 'assert', namespace: 'lazy-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      contents: [
        "import { createRequire } from 'node:module';",
        'const assert = () => createRequire(import.meta.url)(\'node:assert\');',
        'export function strictEqual(a, b, m) { if (!Object.is(a, b)) assert().strictEqual(a, b, m); }',
        'export function notStrictEqual(a, b, m) { if (Object.is(a, b)) assert().notStrictEqual(a, b, m); }',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** Builds into a folder of its own, then renames it into place: concurrent starts never see half a build. */
async function build(key) {
  const final = join(PREBUILT, key);
  if (existsSync(final)) return final;
  const { build: esbuild } = await import('esbuild');
  const tmp = join(PREBUILT, `.tmp-${key}-${process.pid}`);
  mkdirSync(PREBUILT, { recursive: true });
  await esbuild({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([src, name]) => [name, join(ROOT, src)])),
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages are bundled too: resolving and loading ~150 files of node_modules (yargs, zod…) at
    // every start cost more than the command itself. esbuild stays outside: it runs its native binary.
    external: ['esbuild'],
    // Bundled CommonJS packages call require() for Node's own modules; an ES module has none.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // One chunk per command (they are imported on demand): a command loads only its own packages.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [zodEnglishOnly, stringWidthLazySegmenter, yargsLazyAssert, yargsNoHelpCache, reportTemplatesPrecompiled],
    sourcemap: 'linked',
    sourcesContent: false, // stack traces need the mappings only; the maps stay small to load
    logLevel: 'error',
  });
  try {
    renameSync(tmp, final);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another start built the same key first
  }
  // Older builds go once no process can still be loading their chunks (a command loads its own at start).
  const hourAgo = Date.now() - 3_600_000;
  for (const old of readdirSync(PREBUILT)) {
    if (old === key) continue;
    const path = join(PREBUILT, old);
    // Another start may be removing the same old build: what it removed first is no failure of this command.
    try {
      if ((statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
  }
  return final;
}

const [entry, ...args] = process.argv.slice(2);
if (entry === '--build') {
  process.stdout.write(`prebuilt: ${await build(sourcesKey())}\n`);
  // The engine's VU socket addon (engine/native): without it the engine still runs, slower, and says so.
  const { buildVuSocket } = await import('../engine/native/build.mjs');
  const addon = buildVuSocket(ROOT);
  process.stdout.write('path' in addon ? `VU socket addon: ${addon.path}\n` : `VU socket addon not built (the engine sends every request through its main thread): ${addon.reason}\n`);
} else if (!(entry in ENTRIES)) {
  process.stderr.write(`error: launch.mjs: expected one of ${Object.keys(ENTRIES).join(', ')} or --build, got "${entry ?? ''}"\n`);
  process.exitCode = 70;
} else {
  const dir = await build(sourcesKey());
  // Stack traces name the .ts files and lines. Node maps them by reading every chunk's map at load:
  // the engine lets it; the toolkit's CLI maps the stack of a bug itself, when it prints one
  // (runner/stack-trace.ts), so that its starts read no map.
  if (entry === 'engine/cli.ts') process.setSourceMapsEnabled(true);
  const { runAsMain } = await import(pathToFileURL(join(dir, `${ENTRIES[entry]}.mjs`)).href);
  await runAsMain(args);
}
