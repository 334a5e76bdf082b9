import type { RunSummary } from '../../formats/run-summary.ts';
import { peakIsCapped, uslThroughput } from '../stats/usl.ts';
import type { ReportInput, ReportRun } from './report-input.ts';
import { keyLabel } from '../../formats/key-transaction.ts';

/**
 * The data of the report's charts, as plain series (pure). `charts.ts` turns each spec into
 * an SVG with ECharts; tests check the series here and their presence in the SVG.
 */

export type ChartId = 'p95-vs-users' | 'throughput-vs-users' | 'error-rate-vs-users' | 'target-windows' | 'environments-vs-users';

export interface LineSeries {
  /**
   * The legend label. Several series may share one (the windows chart draws a run's p95 and
   * goodput in two panels under its label): one legend entry then stands for, and toggles, both.
   */
  readonly name: string;
  /** Index of the run it comes from (its colour), null for a series that is not a run's data. */
  readonly run: number | null;
  /** [x, y]; y null leaves a gap. */
  readonly points: readonly (readonly [number, number | null])[];
  readonly dashed: boolean;
  /** Draw the points as symbols (observed data) or not (a fitted curve). */
  readonly symbols: boolean;
}

/** A horizontal bound drawn across the plot (e.g. the green p95 bound). */
export interface Bound {
  readonly label: string;
  readonly value: number;
  readonly level: 'green' | 'orange';
}

/** A vertical marker (e.g. users at the capacity peak). */
export interface Marker {
  readonly label: string;
  readonly x: number;
}

/** A run as the legends name it: a short label ("11-26 15:24") and its full id. */
export interface RunLabel {
  readonly label: string;
  readonly id: string;
}

/** An environment as a chart's legend names it, with the runs its line is drawn from. */
export interface EnvironmentLabel {
  readonly name: string;
  readonly runs: readonly string[];
}

/**
 * One plot of a chart, with its own y axis. A chart of two metrics is two panels stacked on
 * one x axis (small multiples) rather than two y axes on one plot, which read as six tangled lines.
 */
export interface Panel {
  readonly yAxis: { readonly name: string };
  readonly series: readonly LineSeries[];
  /** Bounds far above the data are marked at the top edge rather than stretching the axis. */
  readonly bounds: readonly Bound[];
}

export interface ChartSpec {
  readonly id: ChartId;
  readonly file: string;
  readonly title: string;
  /** Text alternative for the Markdown image. */
  readonly alt: string;
  readonly xAxis: { readonly name: string };
  /** Top to bottom. */
  readonly panels: readonly Panel[];
  /** The runs drawn, in order (index = LineSeries.run), so the full ids travel with the picture; empty when colours are environments. */
  readonly runs: readonly RunLabel[];
  /** When each colour is an environment (index = LineSeries.run): its name and the runs its line is drawn from. */
  readonly environments?: readonly EnvironmentLabel[];
  /** Vertical markers, across every panel. */
  readonly markers: readonly Marker[];
}

/** Every series of a chart, panel after panel. */
export function allSeries(spec: ChartSpec): LineSeries[] {
  return spec.panels.flatMap((p) => p.series);
}

export const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * The throughput the charts plot, per stage or window: goodput (successful requests/s), as the
 * USL is fitted to it and failed requests are not capacity (all-requests throughput stays in the
 * stats and the details table).
 */
export const goodputOf = (x: { readonly goodputPerS: number }) => x.goodputPerS;
export const GOODPUT_AXIS = 'goodput (successful requests/s)';

interface RunWithSummary {
  readonly id: string;
  readonly startedAt: string | null;
  readonly summary: RunSummary;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Short legend labels: the run's UTC start, "MM-DD HH:MM", as the report's run table shows it
 * (full run ids made legends wider than the chart). Runs started in the same minute, or
 * without a manifest, fall back to their full id so that no two labels are alike.
 */
export function runLabels(runs: readonly { readonly id: string; readonly startedAt: string | null }[]): RunLabel[] {
  const short = runs.map((r) => {
    const t = r.startedAt ? Date.parse(r.startedAt) : NaN;
    if (!Number.isFinite(t)) return r.id;
    const d = new Date(t);
    return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  });
  return runs.map((r, i) => ({ id: r.id, label: short.filter((x) => x === short[i]).length > 1 ? r.id : short[i]! }));
}

function stagePoints(
  run: RunWithSummary,
  pick: (s: NonNullable<RunSummary['stages'][number]['stats']>) => number | null,
): [number, number | null][] {
  return [...run.summary.stages]
    .sort((a, b) => a.users - b.users)
    .map((s) => [s.users, s.stats ? pick(s.stats) : null] as [number, number | null]);
}

/** What every chart of a report draws from: the runs used that have a summary (newest first), their labels, the settings. */
interface ChartContext {
  readonly runs: readonly RunWithSummary[];
  readonly labels: readonly RunLabel[];
  readonly key: string;
  readonly target: number;
  readonly settings: ReportInput['settings'];
}

/** One line per run: a figure of each stage against its users, rounded to `digits`. */
function perRunSeries(c: ChartContext, pick: Parameters<typeof stagePoints>[1], digits: number): LineSeries[] {
  return c.runs.map((r, i) => ({
    name: c.labels[i]!.label,
    run: i,
    points: stagePoints(r, pick).map(([x, y]) => [x, y == null ? null : round(y, digits)] as const),
    dashed: false,
    symbols: true,
  }));
}

export function p95Bounds(s: ReportInput['settings']): Bound[] {
  return [
    { label: `green ≤ ${s.criteria.p95Ms.green} ms`, value: s.criteria.p95Ms.green, level: 'green' },
    { label: `orange ≤ ${s.criteria.p95Ms.orange} ms`, value: s.criteria.p95Ms.orange, level: 'orange' },
  ];
}

function p95Chart(c: ChartContext): ChartSpec {
  return {
    id: 'p95-vs-users',
    file: 'p95-vs-users.svg',
    title: `p95 of ${c.key} by users`,
    alt: `p95 of ${c.key} (ms) against users, one line per run, with the green and orange bounds (marked ↑ at the top when above the plotted range)`,
    xAxis: { name: 'users' },
    panels: [{ yAxis: { name: `p95 of ${c.key} (ms)` }, series: perRunSeries(c, (st) => st.key.p95Ms, 0), bounds: p95Bounds(c.settings) }],
    runs: c.labels,
    markers: [{ label: `target ${c.target} users`, x: c.target }],
  };
}

/** Goodput by users, with the newest run's USL fit and its peak when it has one. */
function throughputChart(c: ChartContext): ChartSpec {
  const newest = c.runs[0]!;
  const estimate = newest.summary.capacity.estimate;
  const throughputSeries = perRunSeries(c, (st) => goodputOf(st.all), 1);
  const markers: Marker[] = [];
  if (estimate) {
    const maxUsers = Math.max(...newest.summary.stages.map((x) => x.users), estimate.usersAtPeak);
    const upTo = Math.ceil(maxUsers * 1.1);
    const step = Math.max(1, Math.round(upTo / 60));
    const points: [number, number][] = [];
    for (let n = 1; n <= upTo; n += step) points.push([n, round(uslThroughput(estimate, n), 1)]);
    throughputSeries.push({ name: `USL fit (${c.labels[0]!.label})`, run: null, points, dashed: true, symbols: false });
    const at = `${round(estimate.peakGoodputPerS, 1)}/s at ${Math.round(estimate.usersAtPeak)} users`;
    markers.push({ label: peakIsCapped(estimate) ? `≥ ${at} (still rising)` : `peak ${at}`, x: Math.round(estimate.usersAtPeak) });
  }
  return {
    id: 'throughput-vs-users',
    file: 'throughput-vs-users.svg',
    title: 'Goodput by users',
    alt: estimate
      ? 'goodput (successful requests/s) against users, one line per run, with the capacity estimate (USL fit)'
      : 'goodput (successful requests/s) against users, one line per run',
    xAxis: { name: 'users' },
    panels: [{ yAxis: { name: GOODPUT_AXIS }, series: throughputSeries, bounds: [] }],
    runs: c.labels,
    markers,
  };
}

function errorRateChart(c: ChartContext): ChartSpec {
  const s = c.settings;
  return {
    id: 'error-rate-vs-users',
    file: 'error-rate-vs-users.svg',
    title: 'Error rate by users',
    alt: 'error rate (% of requests) against users, one line per run, with the green and orange bounds',
    xAxis: { name: 'users' },
    panels: [
      {
        yAxis: { name: 'error rate (%)' },
        series: perRunSeries(c, (st) => st.all.errorRate * 100, 2),
        bounds: [
          { label: `green < ${s.criteria.errorRatePct.green} %`, value: s.criteria.errorRatePct.green, level: 'green' },
          { label: `orange ≤ ${s.criteria.errorRatePct.orange} %`, value: s.criteria.errorRatePct.orange, level: 'orange' },
        ],
      },
    ],
    runs: c.labels,
    markers: [{ label: `target ${c.target} users`, x: c.target }],
  };
}

/** The target stage's windows over its hold: a p95 panel and a goodput panel, one colour per run in both; null without windows. */
function targetWindowsChart(c: ChartContext): ChartSpec | null {
  const { target } = c;
  // Short holds (demos) read better in seconds than in fractions of a minute.
  const targetStats = c.runs
    .map((r) => r.summary.stages.find((x) => x.users === target)?.stats)
    .filter((st) => st && st.windows.length > 0);
  const longestHold = Math.max(0, ...targetStats.map((st) => st!.hold.endMs - st!.hold.startMs));
  const unit = longestHold >= 180_000 ? { ms: 60_000, name: 'minutes into the hold' } : { ms: 1000, name: 'seconds into the hold' };
  const p95Windows: LineSeries[] = [];
  const goodputWindows: LineSeries[] = [];
  for (const [i, r] of c.runs.entries()) {
    const st = r.summary.stages.find((x) => x.users === target)?.stats;
    if (!st || st.windows.length === 0) continue;
    const at = (w: { startMs: number; endMs: number }) => round(((w.startMs + w.endMs) / 2 - st.hold.startMs) / unit.ms, 2);
    const name = c.labels[i]!.label;
    p95Windows.push({
      name,
      run: i,
      points: st.windows.map((w) => [at(w), w.keyP95Ms == null ? null : Math.round(w.keyP95Ms)] as const),
      dashed: false,
      symbols: true,
    });
    goodputWindows.push({
      name,
      run: i,
      points: st.windows.map((w) => [at(w), round(goodputOf(w), 1)] as const),
      dashed: false,
      symbols: true,
    });
  }
  if (p95Windows.length === 0) return null;
  return {
    id: 'target-windows',
    file: 'target-windows.svg',
    title: `Target stage (${target} users) over its hold`,
    alt: `p95 of ${c.key} (ms, top panel) and goodput (successful requests/s, bottom panel) per window of the ${target}-user stage's hold`,
    xAxis: { name: unit.name },
    panels: [
      { yAxis: { name: `p95 of ${c.key} (ms)` }, series: p95Windows, bounds: p95Bounds(c.settings) },
      { yAxis: { name: GOODPUT_AXIS }, series: goodputWindows, bounds: [] },
    ],
    runs: c.labels,
    markers: [],
  };
}

/** The chart specs of a report: only charts with something to draw. Runs are the decision's, newest first. */
export function buildChartSpecs(input: ReportInput): ChartSpec[] {
  const byId = new Map<string, ReportRun>(input.runs.map((r) => [r.id, r]));
  const runs: RunWithSummary[] = input.decision.runs
    .map((id) => byId.get(id))
    .filter((r): r is ReportRun & { summary: RunSummary } => r !== undefined && r.summary !== null)
    .map((r) => ({ id: r.id, startedAt: r.manifest?.startedAt ?? null, summary: r.summary }));
  if (runs.length === 0) return [];
  const s = input.settings;
  const c: ChartContext = {
    runs,
    labels: runLabels(runs),
    key: keyLabel(s.keyTransaction.name, s.keyTransaction.metric),
    target: input.decision.targetStage ?? s.targetStage,
    settings: s,
  };
  const windows = targetWindowsChart(c);
  return [p95Chart(c), throughputChart(c), errorRateChart(c), ...(windows ? [windows] : [])];
}
