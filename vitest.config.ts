import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Every file but the end-to-end ones shares its worker's module cache (isolate: false): no module
 * mock (vi.mock), nothing left behind (a spy or stubbed env is restored by its test, as
 * test/testkit/cli-in-process.ts does), no process listener left on. Each file otherwise pays its
 * own worker and imports (measured: 30 files took ~41 s of CPU instead of ~70 s). The end-to-end
 * files (`*.e2e.test.ts`) that mock the engines (test/testkit/in-process-engine.ts) are a project
 * of their own, so that no other file sees that mock; they all mock them the same way, so they
 * share their workers' modules too (measured: vitest's CPU 160 → 134 s, wall 93 → 85 s).
 */
const END_TO_END = ['**/*.e2e.test.ts'];
/**
 * End-to-end files that mock nothing and measure no latency (they drive real processes): they share
 * too, saving a worker and its imports each (measured: ~1.5 s of CPU a file).
 */
const SHARING_END_TO_END = ['signals', 'preflight'];
const SHARED_END_TO_END = SHARING_END_TO_END.map((name) => `test/e2e/${name}.e2e.test.ts`);
const ISOLATED_END_TO_END = `**/!(${SHARING_END_TO_END.join('|')}).e2e.test.ts`;
const ALL_TESTS = [
  'engine/**/*.test.ts',
  'runner/**/*.test.ts',
  'scenarios/**/*.test.ts',
  'test/**/*.test.ts',
  'formats/**/*.test.ts',
  'decision/**/*.test.ts',
];

/** The engine's files that run HTTP requests in VUs. */
const MAIN_THREAD_HTTP = ['api-probes', 'arrival', 'doc-examples', 'engine', 'system-tags'].map((f) => `engine/${f}.test.ts`);

/**
 * The long files first: the end-to-end ones and two that run real processes for 10–20 s. Started
 * last, they ran alone at the end of the suite once the short files were done (measured: the last
 * decision file alone for its 20 s, the nightly workflow's 20 s). Started first, the short files
 * fill the cores beside them. Within each group, vitest's own order.
 */
const LONG = [/\.e2e\.test\.ts$/, /\/engine\/engine\.test\.ts$/, /\/test\/ci-workflow\.test\.ts$/];
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => LONG.some((re) => re.test(f.moduleId));
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 4 on 2 cores: the end-to-end files wait on real stages (seconds of wall time, little CPU),
    // so two workers left the cores idle (vitest at load 4-7: 2 workers 155-167 s before these
    // projects; with them 3 workers 106 s, 4: 89 s, 6: 96 s and a WebSocket timing failure).
    maxWorkers: 4,
    sequence: { sequencer: LongFilesFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: [...ALL_TESTS, ...SHARED_END_TO_END],
          exclude: [ISOLATED_END_TO_END, '**/node_modules/**'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'end-to-end', include: END_TO_END, exclude: [...SHARED_END_TO_END, '**/node_modules/**'], isolate: false },
      },
      {
        // The engine's HTTP tests again with every request through the main thread: the path of a
        // machine without the VU socket addon, and of what VU sockets leave to it (docs/engine-vu-sockets.md).
        extends: true,
        test: {
          name: 'main-thread-http',
          include: MAIN_THREAD_HTTP,
          isolate: false,
          env: { K6_EMBEDDED_VU_SOCKETS: '0' },
        },
      },
    ],
  },
});
