/**
 * The end-to-end files share their workers' modules (vitest.config.ts, project `end-to-end`,
 * isolate: false), so a module mock one file makes is still there in the files after it. That is
 * sound only while every such mock is the same one: the embedded engine run in-process
 * (test/testkit/in-process-engine.ts). A file that needs another mock needs a project of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const E2E = readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.e2e.test.ts') && !f.startsWith('node_modules') && !f.startsWith('dist'))
  .sort();
/** A module mock or a stub that outlives its file when modules are shared. */
const MOCK = /\bvi\.(mock|doMock|stubGlobal|hoisted)\(/g;
const ENGINES_MOCK =
  /^vi\.mock\(import\('(?:\.\.\/)+(?:runner\/)?engines\/index\.ts'\), async \(original\) =>\n {2}\(await import\('(?:\.\.\/)+(?:test\/)?testkit\/in-process-engine\.ts'\)\)\.withInProcessEngine\(await original\(\)\),\n\);$/m;

describe('end-to-end files: one module mock, the same in all', () => {
  it('finds the end-to-end files', () => {
    expect(E2E.length).toBeGreaterThan(5);
  });

  it.each(E2E)('%s mocks nothing but the engines, in-process', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const mocks = [...text.matchAll(MOCK)].length;
    if (mocks === 0) return;
    expect(mocks).toBe(1);
    expect(text).toMatch(ENGINES_MOCK);
  });
});
