/** A k6 release, as `k6 version` names it. */
export interface K6Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * The oldest k6 the toolkit supports: the release the fixtures were recorded with
 * (shared/fixtures/k6/), whose accepted syntax (ES2017, the bundle target), CSV layout, exit codes
 * and flags the tests hold the code to. Older releases are unchecked, so they are refused.
 */
export const OLDEST_K6: K6Version = { major: 0, minor: 48, patch: 0 };
/** The first release line the toolkit does not know: v2.x is the newest whose flags were checked. */
export const FIRST_UNKNOWN_K6: K6Version = { major: 3, minor: 0, patch: 0 };

/** The supported range in words, for messages and docs. */
export const SUPPORTED_K6 = `v${OLDEST_K6.major}.${OLDEST_K6.minor}.${OLDEST_K6.patch} to v${FIRST_UNKNOWN_K6.major - 1}.x`;

/**
 * The release named by `k6 version`'s output: the first `v<major>.<minor>.<patch>` of its first
 * line (`k6 v0.48.0 (go1.19.8, linux/amd64)`, `k6 v1.2.3 (commit/…, go1.24.1, linux/amd64)`;
 * extensions are listed on further lines). Undefined when the first line names none.
 */
export function parseK6Version(output: string): K6Version | undefined {
  const m = /\bv(\d+)\.(\d+)\.(\d+)/.exec(output.split('\n', 1)[0] ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export function formatK6Version(v: K6Version): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareK6Versions(a: K6Version, b: K6Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Why the toolkit cannot drive this release, or undefined when it can. */
export function unsupportedK6(v: K6Version): string | undefined {
  if (compareK6Versions(v, OLDEST_K6) < 0) return `older than ${formatK6Version(OLDEST_K6)}, the oldest the toolkit supports`;
  if (compareK6Versions(v, FIRST_UNKNOWN_K6) >= 0) return `newer than the toolkit knows (${SUPPORTED_K6}), its flags unchecked`;
  return undefined;
}

/** One option the runner gives `k6 run`. */
export interface K6RunOption {
  /** As passed: a flag, or an environment variable of the k6 process. */
  readonly name: string;
  readonly why: string;
}

/**
 * The one table of everything the runner passes to `k6 run`, checked against k6's source and
 * docs for each supported release line: v0.48 (measured: shared/fixtures/k6/), v1.x and v2.x
 * (k6's flag definitions and the v2.0.0 release notes). Every one exists, spelled the same, in
 * all of them; an option that one line lacks would need its own entry here and a test per line.
 *
 * Left out on purpose, in every release: `--no-summary` (removed in v2.0.0) and its successor
 * `--summary-mode=disabled` (v1.0.0 on) both switch off `--summary-export` as well (k6 writes the
 * export from the end-of-test summary), and the runner keeps that export; the text summary
 * only lands in the stage log.
 */
export const K6_RUN_OPTIONS = {
  noColor: { name: '--no-color', why: 'no ANSI colour codes in the stage log' },
  quiet: { name: '--quiet', why: 'no progress bar in the stage log (the runner shows its own progress)' },
  env: { name: '-e', why: 'K=V for the script (__ENV): HOST, USERS, HOLD, …' },
  stage: { name: '--stage', why: "the ramp and hold of a closed-model stage, overriding the script's scenarios" },
  out: { name: '--out', why: 'csv=<file>: the raw samples (gzipped for a .gz name), and csv=<fifo> for live progress' },
  summaryExport: { name: '--summary-export', why: "k6's own aggregate of the stage, kept beside the runner's statistics" },
  csvTimeFormat: { name: 'K6_CSV_TIME_FORMAT', why: 'unix_milli timestamps: whole seconds are too coarse for windowed statistics' },
  noUsageReport: { name: 'K6_NO_USAGE_REPORT', why: 'no usage report sent to Grafana from a load test' },
} as const satisfies Readonly<Record<string, K6RunOption>>;

/** The option's name for a k6 `version`; throws (a toolkit bug: an unsupported k6 let through) outside the checked range. */
export function k6Option(option: K6RunOption, version: K6Version): string {
  if (unsupportedK6(version))
    throw new Error(`k6 ${formatK6Version(version)}: the runner's k6 options are checked for ${SUPPORTED_K6} only, not ${option.name}`);
  return option.name;
}
