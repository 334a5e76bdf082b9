/**
 * Everything the test takes from the script's options and the flags, read and checked at once
 * before any VU runs: a bad option is one line and exit 104 (a bad flag value, 255).
 */
import { UserError } from '../formats/errors.ts';
import { parseDuration } from '../formats/duration.ts';
import type { RunFlags } from './flags.ts';
import { bindThresholds, parseThresholds, type MetricStore, type Threshold } from './metrics.ts';
import { httpOptions, summaryOptions, type HttpOptions } from './options.ts';
import { deriveScenarios, type Scenario } from './scenarios.ts';
import { parseSystemTags, systemTagPlan, type SystemTagPlan } from './system-tags.ts';

export interface TestOptions {
  scenarios: Scenario[];
  summary: { trendStats: string[]; timeUnit: string };
  http: HttpOptions;
  sysTags: SystemTagPlan;
  /** Bound to the store's metrics (none with --no-thresholds). */
  thresholds: Threshold[];
  /** options.tags: on every sample. */
  globalTags: Record<string, string>;
}

/** Reads the options; throws a UserError (or a UsageError for a flag) naming what is wrong. */
export function readTestOptions(
  options: Record<string, unknown>,
  flags: RunFlags,
  exports: ReadonlySet<string>,
  store: MetricStore,
): TestOptions {
  const scenarios = deriveScenarios(options, flags);
  const summary = summaryOptions(options, flags);
  const http = httpOptions(options);
  const sysTags = systemTagPlan(
    flags.systemTags ??
      (options.systemTags === undefined || options.systemTags === null
        ? null
        : parseSystemTags(options.systemTags, 'invalid option systemTags')),
  );
  const thresholds = flags.noThresholds
    ? []
    : bindThresholds(
        store,
        parseThresholds(options.thresholds, (s) => parseDuration(s, 'delayAbortEval', 'ms')),
      );
  for (const s of scenarios) {
    if (!exports.has(s.exec))
      throw new UserError(
        s.exec === 'default'
          ? 'no exported functions in script (export a default function)'
          : `scenario ${s.name}: exec function "${s.exec}" is not exported by the script`,
      );
  }
  const globalTags: Record<string, string> = {};
  if (options.tags && typeof options.tags === 'object') for (const [k, v] of Object.entries(options.tags)) globalTags[k] = String(v);
  return { scenarios, summary, http, sysTags, thresholds, globalTags };
}
