import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as acorn from 'acorn';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_TARGET, PROJECT_ROOT, bundleScenario, isK6External, listScenarios, resolveScenario } from './bundle.ts';
import { bigIntLiteralAt, inspectBundle } from './bundle-syntax.ts';
import { UserError } from '../formats/errors.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bundle-test-'));
  // User scripts may bundle npm packages: give the temp project the toolkit's node_modules.
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function write(rel: string, text: string): Promise<string> {
  const path = join(tmp, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

/** Every module specifier the bundle loads: static imports/exports, dynamic import(), require(). */
function specifiers(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.add(m[1]!);
  return [...found].sort();
}

async function rejection(p: Promise<unknown>): Promise<UserError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('built-in scenarios', () => {
  it('lists the scenarios, not lib/ or tests', async () => {
    const names = await listScenarios();
    expect(names).toContain('search');
    expect(names.every((n) => !n.includes('.') && n !== 'lib' && n !== 'data')).toBe(true);
  });

  it('bundles every scenario into one ES module that imports only k6, k6/* and https:// modules', async () => {
    const names = await listScenarios();
    expect(names.length).toBeGreaterThan(0);
    const outDir = join(tmp, 'dist-all');
    for (const name of names) {
      const { entry } = await resolveScenario(name, tmp);
      const bundle = await bundleScenario(entry, outDir);
      expect(bundle.path).toBe(join(outDir, `${name}.js`));
      const bytes = await readFile(bundle.path);
      expect(bundle.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      const code = bytes.toString('utf8');
      const imports = specifiers(code);
      expect(imports.filter((s) => !isK6External(s))).toEqual([]);
      expect(code).not.toMatch(/\brequire\(|\bprocess\.|node:/);
      expect(code).toMatch(/export default |\bas default\b/);
      expect(code).toMatch(/export\s*\{[^}]*options/);
    }
  });

  it('every scenario bundle parses as an ES2017 module, the syntax k6 v0.48 accepts', async () => {
    const outDir = join(tmp, 'dist-es2017');
    for (const name of await listScenarios()) {
      const { entry } = await resolveScenario(name, tmp);
      const code = await readFile((await bundleScenario(entry, outDir)).path, 'utf8');
      expect(() => acorn.parse(code, { ecmaVersion: 2017, sourceType: 'module' }), name).not.toThrow();
    }
  });

  it('the search bundle keeps k6 imports, tags its requests and carries its data file', async () => {
    const outDir = join(tmp, 'dist-search');
    const { entry } = await resolveScenario('search', tmp);
    const bundle = await bundleScenario(entry, outDir);
    const code = await readFile(bundle.path, 'utf8');
    expect(specifiers(code)).toEqual(['k6', 'k6/data', 'k6/encoding', 'k6/http']);
    for (const name of ['home', 'search', 'result']) expect(code).toContain(`name: "${name}"`);
    expect(code).toContain(`open("./data/queries.json")`);
    const queries: unknown = JSON.parse(await readFile(join(outDir, 'data', 'queries.json'), 'utf8'));
    expect(Array.isArray(queries) && queries.length > 0).toBe(true);
  });

  it('writes the same bytes twice (the hash identifies the scenario)', async () => {
    const { entry } = await resolveScenario('search', tmp);
    const a = await bundleScenario(entry, join(tmp, 'twice-a'));
    const b = await bundleScenario(entry, join(tmp, 'twice-b'));
    expect(a.sha256).toBe(b.sha256);
  });
});

describe('resolveScenario', () => {
  it('an unknown scenario is a one-line error listing the available ones', async () => {
    const e = await rejection(resolveScenario('nope', tmp));
    expect(e.message).toMatch(/^--scenario: unknown scenario "nope"; expected one of .*search.* or the path of a k6 script/);
    expect(e.message).not.toContain('\n');
  });

  it.each([['./missing.ts'], ['missing.js'], ['/nowhere/x.ts']])('a missing script %s is a one-line error', async (given) => {
    const e = await rejection(resolveScenario(given, tmp));
    expect(e.message).toMatch(/^--scenario: no such script file/);
  });

  it('a path that is not a script is refused', async () => {
    await write('notes/readme.txt', 'x');
    const e = await rejection(resolveScenario('notes/readme.txt', tmp));
    expect(e.message).toMatch(/^--scenario: expected a k6 script ending in \.ts/);
  });

  it('a path is resolved against cwd and named after the file', async () => {
    const path = await write('mine/my-test.ts', 'export default function () {}\n');
    expect(await resolveScenario('mine/my-test.ts', tmp)).toEqual({ name: 'my-test', entry: path });
  });
});

describe("a user's own script", () => {
  it('bundles TypeScript, inlines local modules and npm packages, keeps k6 and jslib external', async () => {
    await write('app/helpers/pick.ts', 'export function pick<T>(xs: readonly T[]): T { return xs[0] as T; }\n');
    const entry = await write(
      'app/load.ts',
      [
        "import http from 'k6/http';",
        "import { sleep } from 'k6';",
        "import exec from 'k6/execution';",
        "import { randomIntBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';",
        "import ansiRegex from 'ansi-regex';",
        "import { pick } from './helpers/pick.ts';",
        'interface Page { path: string }',
        "const pages: Page[] = [{ path: '/' }];",
        'export const options = { vus: 1, duration: "1s" };',
        'export default function (): void {',
        '  http.get(`${__ENV.HOST}${pick(pages).path}`, { tags: { name: String(exec.vu.idInTest) } });',
        "  if (ansiRegex().test('x')) sleep(randomIntBetween(1, 2));",
        '}',
        '',
      ].join('\n'),
    );
    const bundle = await bundleScenario(entry, join(tmp, 'dist-user'));
    expect(bundle.name).toBe('load');
    const code = await readFile(bundle.path, 'utf8');
    expect(specifiers(code)).toEqual(['https://jslib.k6.io/k6-utils/1.4.0/index.js', 'k6', 'k6/execution', 'k6/http']);
    expect(code).toContain('function pick(xs)');
    expect(code).not.toContain('interface Page');
  });

  it.each([
    ["import fs from 'node:fs';", 'node:fs'],
    ["import { readFileSync } from 'fs';", 'fs'],
    ["import { readFile } from 'fs/promises';", 'fs/promises'],
    ["import * as path from 'path';", 'path'],
    ["const cp = require('child_process');", 'child_process'],
    ["import { request } from 'undici';", 'node:'],
  ])('a Node import (%s) fails the bundle with a clear one-line error', async (line, module) => {
    const entry = await write(
      `node-${module.replace(/\W/g, '_')}/script.js`,
      `${line}\nexport default function () { console.log(typeof fs); }\n`,
    );
    const e = await rejection(bundleScenario(entry, join(tmp, 'dist-node')));
    expect(e.message).toMatch(/:\d+:\d+: imports the Node module "/);
    expect(e.message).toContain(module);
    expect(e.message).not.toContain('\n');
    expect(e.hint).toMatch(/k6, k6\/\* and https:\/\//);
  });

  it('copies the files the script open()s next to the bundle, also from a module and from above', async () => {
    await write('data-app/shared/users.csv', 'name\nada\n');
    await write('data-app/tests/lib/pages.json', '["/"]');
    await write('data-app/tests/lib/pages.ts', "export const pages: string[] = JSON.parse(open('./pages.json'));\n");
    const entry = await write(
      'data-app/tests/journey.ts',
      [
        "import { pages } from './lib/pages.ts';",
        "const users = open('../shared/users.csv');",
        'const file = { open(p: string) { return p; } };',
        "file.open('./not-a-k6-open.txt');",
        'export default function () { console.log(users, pages); }',
        '',
      ].join('\n'),
    );
    const outDir = join(tmp, 'dist-data');
    const bundle = await bundleScenario(entry, outDir);
    const code = await readFile(bundle.path, 'utf8');
    expect(code).toContain('open("./lib/pages.json")');
    expect(code).toContain('open("./__/shared/users.csv")');
    expect(code).toContain('./not-a-k6-open.txt');
    expect(await readFile(join(outDir, 'lib', 'pages.json'), 'utf8')).toBe('["/"]');
    expect(await readFile(join(outDir, '__', 'shared', 'users.csv'), 'utf8')).toBe('name\nada\n');
  });

  it('a missing data file fails at bundle time, naming it', async () => {
    const entry = await write('nodata/script.js', "const d = open('./nope.json');\nexport default function () { console.log(d); }\n");
    const e = await rejection(bundleScenario(entry, join(tmp, 'dist-nodata')));
    expect(e.message).toMatch(/script\.js:1:\d+: open\('\.\/nope\.json'\): no such file/);
  });

  it('top-level await is refused at bundle time: one line naming the file, line and construct', async () => {
    const entry = await write(
      'tla/script.js',
      "import http from 'k6/http';\nconst r = await Promise.resolve(1);\nexport default function () { http.get('x' + r); }\n",
    );
    const e = await rejection(bundleScenario(entry, join(tmp, 'dist-tla')));
    expect(e.message).toBe(
      `${entry}:2:10: top-level await (\`const r = await Promise.resolve(1);\`): k6 v0.48 cannot run it and esbuild cannot lower it to es2017`,
    );
    expect(e.hint).toMatch(/inside the default function/);
  });

  it.each([
    ['10n', 'export const big = 10n;'],
    ['0xffn', 'export const mask = 0xffn;'],
    ['1_000n', 'export const n = 1_000n * 2n;'],
  ])('a BigInt literal (%s) is refused at bundle time: one line naming the file, line and literal', async (literal, line) => {
    const entry = await write(`bigint-${literal}/lib.ts`, `// numbers\n${line}\n`);
    const main = await write(
      `bigint-${literal}/script.ts`,
      "import http from 'k6/http';\nimport * as lib from './lib.ts';\nexport default function () { http.get('x' + String(Object.keys(lib))); }\n",
    );
    const e = await rejection(bundleScenario(main, join(tmp, 'dist-bigint')));
    const column = line.indexOf(literal);
    expect(e.message).toBe(`${entry}:2:${column}: BigInt literal ${literal}: k6 v0.48 has no BigInt and esbuild cannot lower it to es2017`);
  });

  it('a BigInt() call the user wrote is not a literal and bundles (whether k6 has BigInt is a runtime matter)', async () => {
    const entry = await write('bigint-call/script.js', 'const n = BigInt("10");\nexport default function () { console.log(String(n)); }\n');
    await expect(bundleScenario(entry, join(tmp, 'dist-bigint-call'))).resolves.toMatchObject({ name: 'script' });
  });

  it('a syntax error is reported with its location', async () => {
    const entry = await write('syntax/script.ts', 'export default function ( {\n');
    const e = await rejection(bundleScenario(entry, join(tmp, 'dist-syntax')));
    expect(e.message).toMatch(/script\.ts:\d+:\d+: /);
  });
});

describe('ES2017 bundles (k6 v0.48 refuses newer syntax)', () => {
  const modern = [
    "import http from 'k6/http';",
    'class Client { base = "/api"; #calls = 0; static made = 0; get calls() { return this.#calls; } }',
    'const defaults = { tags: { name: "home" } };',
    'const params = { ...defaults, timeout: "10s" };',
    'let cached: string | undefined;',
    'cached ??= "x"; let n = 0; n ||= 1_000_000;',
    'export default function () {',
    '  try { JSON.parse("{"); } catch { n += 1; }',
    '  const name = params?.tags?.name ?? "none";',
    '  http.get(`${__ENV.HOST ?? ""}${new Client().base}/${name}/${cached}/${n}`, params);',
    '}',
    '',
  ].join('\n');

  it('a user script full of modern syntax bundles to an ES2017 module', async () => {
    const entry = await write('modern/script.ts', modern);
    const code = await readFile((await bundleScenario(entry, join(tmp, 'dist-modern'))).path, 'utf8');
    expect(() => acorn.parse(code, { ecmaVersion: 2017, sourceType: 'module' })).not.toThrow();
    expect(inspectBundle(code)).toEqual({ problem: null, bigIntCalls: [] });
  });

  it('the check can fail: the same script bundled for es2020 (the old target) is not ES2017', async () => {
    expect(BUNDLE_TARGET).toBe('es2017');
    const entry = await write('modern-2020/script.ts', modern);
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2020',
      external: ['k6/*'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(() => acorn.parse(code, { ecmaVersion: 2017, sourceType: 'module' })).toThrow(SyntaxError);
    expect(inspectBundle(code).problem).toMatchObject({ message: expect.stringMatching(/^Unexpected token|^Unexpected character/) });
  });

  it.each([
    ['object spread', 'const a = { ...b };'],
    ['optional catch binding', 'try { f(); } catch { g(); }'],
    ['optional chaining', 'const x = a?.b;'],
    ['nullish coalescing', 'const x = a ?? b;'],
    ['class field', 'class A { x = 1; }'],
    ['numeric separator', 'const x = 1_000;'],
    ['logical assignment', 'a ??= 1;'],
    ['BigInt literal', 'const x = 10n;'],
    ['top-level await', 'await f();'],
  ])('inspectBundle refuses %s', (_what, line) => {
    const { problem } = inspectBundle(`const a = {}, b = {};\n${line}\n`);
    expect(problem).toMatchObject({ line: 2 });
    expect(problem?.message).not.toMatch(/\(\d+:\d+\)$/);
  });

  it.each([
    ['async/await', 'async function f() { await g(); }'],
    ['exponent', 'const x = 2 ** 10;'],
    ['generators, destructuring defaults, template literals', 'function* g({ a = 1 } = {}) { yield `${a}`; }'],
    ['an ES module', 'import http from "k6/http"; export default function () { http.get("x"); }'],
  ])('inspectBundle accepts %s (ES2017)', (_what, code) => {
    expect(inspectBundle(code).problem).toBeNull();
  });

  it('inspectBundle finds BigInt( calls, where esbuild puts a lowered literal', () => {
    expect(inspectBundle('var n = /* @__PURE__ */ BigInt("10");\nvar m = x.BigInt;\n').bigIntCalls).toEqual([{ line: 1, column: 24 }]);
  });

  it.each([
    ['10n;', '10n'],
    ['0xFFn)', '0xFFn'],
    ['0o7n', '0o7n'],
    ['0b101n', '0b101n'],
    ['1_000n', '1_000n'],
    ['10', undefined],
    ['10 n', undefined],
    ['BigInt("10")', undefined],
    ['1e3n', undefined],
    ['10name', undefined],
  ])('bigIntLiteralAt(%j) = %j', (text, literal) => {
    expect(bigIntLiteralAt(text)).toBe(literal);
  });
});
