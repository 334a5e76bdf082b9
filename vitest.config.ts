import { defineConfig } from 'vitest/config';

/**
 * Tests of pure code (parsing, statistics, decisions, report rendering): no module mock (vi.mock),
 * nothing left behind (a spy or stubbed env is restored by its test, as test/testkit/cli-in-process.ts
 * does), no process listener. They share their workers' module cache (isolate: false):
 * measured, 30 files took ~41 s of CPU instead of ~70 s, each file otherwise paying its own
 * worker and imports. Every other file keeps its own (vi.mock of the engines, stubbed env).
 */
const SHARED_MODULES = ['formats/**/*.test.ts', 'decision/**/*.test.ts', 'runner/stats/**/*.test.ts', 'runner/report/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start loopback servers and engine processes: keep parallelism modest on 2 cores.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'pure', include: SHARED_MODULES, isolate: false } },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['engine/**/*.test.ts', 'runner/**/*.test.ts', 'scenarios/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...SHARED_MODULES, '**/node_modules/**'],
        },
      },
    ],
  },
});
