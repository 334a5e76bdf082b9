import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The arrows of the house, checked on the sources (tests, fixtures and benches excepted): they
 * flow one way, toward formats/; the engine is a package of its own that the runner reaches only
 * as a process; no folder loop, no file cycle. A slip fails here before review.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['formats', 'engine', 'decision', 'runner', 'scenarios'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((p) => !p.includes('__fixtures__'));
}

/** Project files a file imports (relative specifiers only), as paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s)));
}

const files = SOURCE_DIRS.flatMap(sources);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** A file's place in the layering: its top folder; in runner/, its sub-folder or the file itself. */
function placeOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'runner') return parts[0]!;
  return parts.length > 2 ? `runner/${parts[1]}` : file;
}

describe('the arrows flow one way, toward formats/', () => {
  it.each([
    ['formats/', ['formats/']],
    ['engine/', ['engine/', 'formats/']],
    ['decision/', ['decision/', 'formats/']],
    ['scenarios/', ['scenarios/', 'formats/']],
  ])('%s imports only %j of the project', (folder, allowed) => {
    const inFolder = files.filter((f) => f.startsWith(folder));
    expect(inFolder.length).toBeGreaterThan(0);
    for (const f of inFolder) {
      for (const target of graph.get(f)!) {
        expect
          .soft(
            allowed.some((a) => target.startsWith(a)),
            `${f} imports ${target}`,
          )
          .toBe(true);
      }
    }
  });

  it('nothing outside engine/ imports it: the runner runs it as a process, as it runs k6', () => {
    for (const f of files.filter((x) => !x.startsWith('engine/'))) {
      for (const target of graph.get(f)!) expect.soft(target.startsWith('engine/'), `${f} imports ${target}`).toBe(false);
    }
  });

  it('no file cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('no folder loop (runner/ counted by its sub-folders)', () => {
    const edges = new Map<string, Set<string>>();
    for (const [f, targets] of graph) {
      for (const t of targets) {
        const [a, b] = [placeOf(f), placeOf(t)];
        if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      if (from === to) return true;
      if (seen.has(from)) return false;
      seen.add(from);
      return [...(edges.get(from) ?? [])].some((n) => reaches(n, to, seen));
    };
    const loops = [...edges].flatMap(([a, targets]) => [...targets].filter((b) => reaches(b, a)).map((b) => `${a} ⇄ ${b}`));
    expect(loops).toEqual([]);
  });
});
