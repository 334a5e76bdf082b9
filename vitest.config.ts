import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'formats/**/*.test.ts',
      'engine/**/*.test.ts',
      'runner/**/*.test.ts',
      'decision/**/*.test.ts',
      'scenarios/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start loopback servers and engine processes: keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
