import type { SideInput } from '../../decision/compare.ts';
import type { CapacityConfig } from '../../formats/config.ts';
import type { Decision } from '../../formats/decision.ts';
import { formatIsoWeek, isoWeekOf } from './iso-week.ts';
import type { EnvironmentSide, ReportRun } from './report-input.ts';

/**
 * Each environment of a migration rehearsal (issue 17) apart: a run's environment decides which
 * decision it enters, never both. Pure; `npm run compare` and the weekly report share it.
 */

/** The runs of one environment (a run whose run.json is unreadable belongs to none). */
export function runsOf<R extends ReportRun>(runs: readonly R[], environment: string): R[] {
  return runs.filter((r) => r.manifest?.environment === environment);
}

/** Each environment decided over its own runs, in the order given (the current host first). */
export function environmentSides<R extends ReportRun>(
  environments: readonly string[],
  runs: readonly R[],
  config: CapacityConfig,
  decide: (runs: readonly R[], config: CapacityConfig) => Decision,
): EnvironmentSide[] {
  return environments.map((environment) => {
    const own = runsOf(runs, environment);
    return { environment, runs: own, decision: decide(own, { ...config, environment }) };
  });
}

/** What the comparison takes of a side beside its decision, read from the runs it rests on: users held on goodput, ISO weeks. */
export function sideInputOf(side: Pick<EnvironmentSide, 'decision' | 'runs'>): SideInput {
  const used = side.decision.runs.flatMap((id) => side.runs.filter((r) => r.id === id));
  const capacityUsers = used.flatMap((r) => (r.summary?.capacity.users == null ? [] : [r.summary.capacity.users]));
  const weeks = used.flatMap((r) => (r.manifest?.startedAt ? [formatIsoWeek(isoWeekOf(Date.parse(r.manifest.startedAt)))] : []));
  return { decision: side.decision, capacityUsers, weeks };
}
