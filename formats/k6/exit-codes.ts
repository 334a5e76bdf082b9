/**
 * k6's process exit codes (source: k6's errext/exitcodes package, stable across releases).
 * The embedded engine exits with the same codes so that the runner reads both engines alike.
 */
export const K6ExitCode = {
  ok: 0,
  thresholdsHaveFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  genericTimeout: 102,
  genericEngine: 103,
  invalidConfig: 104,
  externalAbort: 105,
  cannotStartRestApi: 106,
  scriptException: 107,
  scriptAborted: 108,
  /** Cobra's usage errors (unknown flag, bad value). */
  badUsage: 255,
} as const;
