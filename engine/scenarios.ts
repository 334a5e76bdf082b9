/**
 * The scenarios to run, from the flags and the script's options (k6's shortcut rules), and what
 * they need together: the plan the engine walks. Pure.
 */
import { z } from 'zod';
import type { RunFlags } from './flags.ts';
import { durationMs, readOption, stages, wholeNumber, type Stage } from './option-values.ts';
import { DEFAULT_GRACEFUL_MS, DEFAULT_MAX_DURATION_MS, base, baseShape } from './executors/executor.ts';
import { ScenarioSchema, executorOf, type Scenario } from './executors/index.ts';

export type { Scenario };

/** How long a scenario runs before its graceful stop (ms). */
export const scenarioDurationMs = (s: Scenario): number => executorOf(s).durationMs(s);
/** The VUs a scenario needs at most. */
export const maxVUs = (s: Scenario): number => executorOf(s).maxVUs(s);
/** The VUs initialised before the test starts (arrival-rate executors allocate the rest when needed). */
export const initialVUs = (s: Scenario): number => executorOf(s).initialVUs(s);
/** k6's one-line description of a scenario for the banner. */
export const describeScenario = (s: Scenario): string => executorOf(s).describe(s);

/** A scenario's base options when nothing sets them (the schema's defaults). */
const unset = (name: string) => ({ name, ...base(z.object(baseShape).parse({})) });

type Shortcuts = Pick<RunFlags, 'vus' | 'durationMs' | 'iterations' | 'stages'>;

function fromShortcuts(s: { vus: number | null; durationMs: number | null; iterations: number | null; stages: Stage[] | null }): Scenario {
  const vus = s.vus ?? 1;
  if (s.stages?.length)
    return { ...unset('default'), executor: 'ramping-vus', startVUs: vus, stages: s.stages, gracefulRampDownMs: DEFAULT_GRACEFUL_MS };
  if (s.iterations != null)
    return {
      ...unset('default'),
      executor: 'shared-iterations',
      vus,
      iterations: s.iterations,
      maxDurationMs: s.durationMs ?? DEFAULT_MAX_DURATION_MS,
    };
  if (s.durationMs != null && s.durationMs > 0) return { ...unset('default'), executor: 'constant-vus', vus, durationMs: s.durationMs };
  return { ...unset('default'), executor: 'shared-iterations', vus, iterations: Math.max(1, vus), maxDurationMs: DEFAULT_MAX_DURATION_MS };
}

/**
 * The scenarios to run: as in k6, shortcut flags (--vus, --duration, --iterations, --stage)
 * replace the script's own scenarios with one named `default`; else the script's `scenarios`;
 * else the script's shortcut options; else one iteration of one VU. Throws a UserError naming
 * a bad option.
 */
export function deriveScenarios(options: Record<string, unknown>, flags: Shortcuts): Scenario[] {
  if (flags.stages || flags.durationMs != null || flags.iterations != null) return [fromShortcuts(flags)];
  const scen = options.scenarios;
  if (scen && typeof scen === 'object' && Object.keys(scen).length) {
    return Object.entries(scen as Record<string, unknown>).map(
      ([name, raw]): Scenario => ({ name, ...readOption(ScenarioSchema, `scenarios.${name}`, raw) }),
    );
  }
  const o = options as { vus?: unknown; duration?: unknown; iterations?: unknown; stages?: unknown };
  return [
    fromShortcuts({
      vus: flags.vus ?? (o.vus === undefined ? null : readOption(wholeNumber(1), 'vus', o.vus)),
      durationMs: o.duration === undefined ? null : readOption(durationMs(0), 'duration', o.duration),
      iterations: o.iterations === undefined ? null : readOption(wholeNumber(1), 'iterations', o.iterations),
      stages: o.stages === undefined ? null : readOption(stages(), 'stages', o.stages),
    }),
  ];
}

/**
 * The most VUs the scenarios hold at once, VUs being shared between scenarios that do not
 * overlap (as k6): the peak over time of `need(s)` summed over the scenarios running, a scenario
 * running from its startTime to the end of its gracefulStop.
 */
export function peakVUs(scenarios: readonly Scenario[], need: (s: Scenario) => number): number {
  const events: Array<[number, number]> = [];
  for (const s of scenarios) {
    events.push([s.startTimeMs, need(s)]);
    events.push([s.startTimeMs + scenarioDurationMs(s) + s.gracefulStopMs, -need(s)]);
  }
  // Ends before starts at the same instant: a scenario starting as another ends takes its VUs.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (cur += d));
  return peak;
}

/** The whole test's length, graceful stops included (ms). */
export const totalDurationMs = (scenarios: readonly Scenario[]): number =>
  Math.max(...scenarios.map((s) => s.startTimeMs + scenarioDurationMs(s) + s.gracefulStopMs));
