import { compareEnvironments, hasUsableRun } from '../../decision/compare.ts';
import { decisionWord, MISSING, nearBounds, plural } from '../../decision/words.ts';
import type { Comparison, ComparisonSide } from '../../formats/comparison.ts';
import { CRITERIA, type CriterionId } from '../../formats/decision.ts';
import { criterionName } from './criterion-name.ts';
import { environmentChart } from './environment-chart.ts';
import { sideInputOf } from './environment-sides.ts';
import { codeText, mdText, signedMs } from './format.ts';
import { formatIsoWeek } from './iso-week.ts';
import type { EnvironmentSide, ReportInput, ReportSettings } from './report-input.ts';

/**
 * The report's migration rehearsal section (issue 17), from the comparison core
 * (decision/compare.ts): the current host (the config's first environment) beside each candidate,
 * each decided over its own last comparable runs up to the end of the week. Pure; only built when
 * the config lists two environments or more.
 */

export interface MigrationView {
  /** "current vs candidate". */
  readonly environments: string;
  /** One line per environment without a usable run: it is left out of the comparison. */
  readonly missing: readonly string[];
  readonly hasTable: boolean;
  /** The table's columns: the current host, then each candidate compared with it. */
  readonly columns: readonly string[];
  readonly rows: readonly { readonly label: string; readonly cells: readonly string[] }[];
  /** Per candidate: the p95 difference at the target stage and the verdict in words. */
  readonly comparisons: readonly { readonly candidate: string; readonly difference: string; readonly verdict: string }[];
  /** Per column: the runs it rests on. */
  readonly runs: readonly string[];
  readonly chart: { readonly title: string; readonly path: string; readonly alt: string } | null;
}

function figureCell(id: CriterionId, s: ComparisonSide, settings: ReportSettings): string {
  const c = s.criteria[id];
  if (!c) return MISSING;
  if (c.figure === null || id === 'held') return c.level;
  const { p95Ms, errorRatePct } = settings.criteria;
  // As many decimals as keep a figure from printing equal to a bound it is not (2500.3 ms is orange).
  if (id === 'p95') return `${c.level} (${nearBounds(c.figure, [p95Ms.green, p95Ms.orange])} ms)`;
  // Two decimals at least, as the rest of the report prints error rates.
  const rate = nearBounds(c.figure, [errorRatePct.green, errorRatePct.orange], 2);
  return `${c.level} (${(rate.split('.')[1]?.length ?? 0) >= 2 ? rate : Number(rate).toFixed(2)} %)`;
}

/** "p95 at 100 users, candidate − current: −3400 ms (95 % interval …)", said "no measurable difference" when the interval spans zero. */
export function differenceText(c: Comparison, target: number): string {
  const d = c.p95Difference;
  const at = `p95 at ${target} users, ${mdText(c.candidate.environment)} − ${mdText(c.current.environment)}`;
  if (!d) return `${at}: not estimated (fewer than 2 runs with a p95 on one side)`;
  const interval = `${signedMs(d.differenceMs)} (95 % interval ${signedMs(d.lowMs)} to ${signedMs(d.highMs)})`;
  return `${at}: ${interval}${d.measurable ? '' : ' — no measurable difference'}`;
}

function tableRows(sides: readonly ComparisonSide[], byName: Map<string, EnvironmentSide>, input: ReportInput, target: number) {
  const provisional = (s: ComparisonSide) => (byName.get(s.environment)?.decision.provisional ? ' (provisional)' : '');
  return [
    { label: 'decision', cells: sides.map((s) => `${decisionWord(s.decision)}${provisional(s)}`) },
    ...CRITERIA.filter((id) => sides.some((s) => s.criteria[id])).map((id) => ({
      label: criterionName(id, input.settings, target),
      cells: sides.map((s) => figureCell(id, s, input.settings)),
    })),
    {
      label: 'capacity (users held, on goodput)',
      cells: sides.map((s) => (s.capacityUsers === null ? MISSING : `${nearBounds(s.capacityUsers, [])} users`)),
    },
    { label: 'runs', cells: sides.map((s) => String(s.runs.length)) },
    { label: 'weeks', cells: sides.map((s) => s.weeks.join(', ') || MISSING) },
  ];
}

/** The section, or undefined with fewer than two environments (the report is then as without the list). */
export function buildMigrationView(input: ReportInput): MigrationView | undefined {
  const sides = input.environments ?? [];
  if (sides.length < 2) return undefined;
  const [current, ...candidates] = sides as [EnvironmentSide, ...EnvironmentSide[]];
  const week = formatIsoWeek(input.week);
  const missing = sides
    .filter((s) => !hasUsableRun(s.decision))
    .map(
      (s) =>
        `${mdText(s.environment)} has no usable run up to the end of week ${week}, so it is not compared: ` +
        `run \`npm run stages -- --environment ${codeText(s.environment)}\`.`,
    );
  const compared: Comparison[] = hasUsableRun(current.decision)
    ? candidates.filter((c) => hasUsableRun(c.decision)).map((c) => compareEnvironments(sideInputOf(current), sideInputOf(c)))
    : [];
  const columns = compared.length ? [compared[0]!.current, ...compared.map((c) => c.candidate)] : [];
  const target = current.decision.targetStage ?? input.settings.targetStage;
  const byName = new Map(sides.map((s) => [s.environment, s]));
  // The same chart assemble.ts writes: every environment keeps its colour (its place in the list).
  const chart = environmentChart(sides, input.settings);
  return {
    environments: sides.map((s) => mdText(s.environment)).join(' vs '),
    missing,
    hasTable: columns.length > 0,
    columns: columns.map((s) => mdText(s.environment)),
    rows: columns.length ? tableRows(columns, byName, input, target) : [],
    comparisons: compared.map((c) => ({
      candidate: mdText(c.candidate.environment),
      difference: differenceText(c, target),
      verdict: mdText(c.verdict),
    })),
    runs: columns.map(
      (s) => `${mdText(s.environment)}: ${plural(s.runs.length, 'run')} (${s.runs.map((id) => `\`${codeText(id)}\``).join(', ')})`,
    ),
    chart: chart ? { title: chart.title, path: `${input.chartsDir}/${chart.file}`, alt: chart.alt } : null,
  };
}
