import { newestFirst } from '../../formats/run-order.ts';
import type { CriterionId, Decision, Level, Reading, RunLevel } from '../../formats/decision.ts';
import { CRITERIA } from '../../formats/decision.ts';
import { decisionActions, decisionWord, plural, MISSING } from '../../decision/words.ts';
import { formatDuration } from '../../formats/duration.ts';
import type { RunManifest } from '../../formats/run-manifest.ts';
import type { RunSummary } from '../../formats/run-summary.ts';
import type { StageStats } from '../../formats/stage-stats.ts';
import { estimateWords, saturationWords } from '../stats/run-summary.ts';
import { buildChartSpecs, type ChartSpec } from './chart-data.ts';
import { criterionName } from './criterion-name.ts';
import { headline } from './headline.ts';
import { buildMigrationView, type MigrationView } from './migration-view.ts';
import type { ReportInput, ReportRun, ReportSettings, WeekDecision } from './report-input.ts';
import { codeText, count, fractionPct, mdText, ms, pct, perSecond, safeHost, utcDay, utcMinute } from './format.ts';
import { compareIsoWeeks, formatIsoWeek, isoWeekEnd, isoWeekStart, type IsoWeek } from './iso-week.ts';
import { keyLabel } from '../../formats/key-transaction.ts';

/**
 * The weekly report's view model: a pure function from the decision, the runs it rests on and
 * the previous weeks' decisions to a flat object of ready-to-print strings (numbers rounded,
 * levels as words, rows sorted). The Handlebars templates only loop over it and test flags;
 * `npm run report -- --json` prints it, so every figure of the report can be traced to it.
 */

export interface ReportView {
  readonly title: string;
  readonly environment: string;
  readonly week: { readonly id: string; readonly from: string; readonly to: string };
  readonly generatedAt: string;
  /** The first paragraph: the decision, the figures that drove it against their bounds, in how many runs. */
  readonly headline: string;
  readonly context: ContextView;
  readonly keyResults: KeyResultsView;
  readonly grid: GridView;
  readonly decision: DecisionView;
  readonly trend: TrendView;
  readonly details: readonly RunDetailsView[];
  readonly charts: readonly ChartRefView[];
  readonly hasCharts: boolean;
  /** The migration rehearsal: only when the config lists several environments (absent otherwise, so the report is unchanged). */
  readonly migration?: MigrationView;
}

export interface ContextView {
  /** False when no run at all is known up to the end of the week. */
  readonly hasSource: boolean;
  /** The run the context lines are read from (the newest run used, else the newest known). */
  readonly sourceRunId: string;
  readonly host: string;
  readonly scenario: string;
  readonly bundle: string;
  readonly stages: string;
  readonly targetStage: string;
  readonly keyTransaction: string;
  readonly holdPerStage: string;
  readonly rampPerStage: string;
  readonly spawnRate: string;
  readonly engine: string;
  readonly runsUsed: readonly { readonly id: string; readonly startedAt: string; readonly status: string; readonly label: string }[];
  readonly hasRunsUsed: boolean;
  readonly runsUsedCount: string;
  readonly runsToCompare: string;
  readonly excluded: readonly { readonly id: string; readonly reason: string }[];
  readonly hasExcluded: boolean;
}

export interface KeyResultRow {
  readonly runId: string;
  readonly p95AtTarget: string;
  readonly errorRateScored: string;
  readonly errorRateAll: string;
  readonly held: string;
  /** "no", or "yes, from 150 users (error rate left green)": the first stage and the signals that fired. */
  readonly saturation: string;
  /** The figures of the signal that fired (or why none did); empty without a summary. */
  readonly saturationWhy: string;
  /** Capacity in users (SPEC §2): "holds 100 users; at 150 users 13.2 % of requests fail (…)". */
  readonly capacity: string;
  /** The USL estimate on goodput, secondary to `capacity`, with its uncertainty and limits. */
  readonly capacityModel: string;
  /** The open-model stage against the target stage's closed-model p95; empty when the run had none. */
  readonly openModel: string;
}

export interface KeyResultsView {
  readonly hasRuns: boolean;
  /** The newest run used: the bullets are its figures. */
  readonly newest: KeyResultRow | null;
  readonly rows: readonly KeyResultRow[];
  readonly hasSeveralRuns: boolean;
}

export interface GridView {
  readonly hasCriteria: boolean;
  readonly runIds: readonly string[];
  readonly rows: readonly {
    readonly criterion: string;
    readonly level: string;
    readonly perRun: readonly { readonly text: string }[];
  }[];
  readonly evidence: readonly {
    readonly criterion: string;
    readonly runId: string;
    readonly level: string;
    readonly figure: string;
    readonly rule: string;
    readonly borderline: string;
  }[];
  /** Each criterion's bounds, stated once above the evidence (the runs named when they differ). */
  readonly bounds: readonly { readonly criterion: string; readonly bound: string }[];
  readonly reds: string;
  readonly oranges: string;
  readonly score: string;
  readonly reading: string;
}

export interface DecisionView {
  /** `Go`, `Watch`, `No-Go` or `Insufficient data`. */
  readonly label: string;
  readonly meaning: string;
  readonly provisional: boolean;
  readonly provisionalNote: string;
  readonly insufficient: boolean;
  readonly reasons: readonly string[];
  readonly hasReasons: boolean;
  readonly actions: readonly string[];
}

export interface TrendRow {
  readonly week: string;
  readonly current: boolean;
  readonly decision: string;
  readonly runs: string;
  readonly p95AtTarget: string;
  readonly errorRate: string;
  readonly capacity: string;
}

export interface TrendView {
  readonly rows: readonly TrendRow[];
  /** True when at least one earlier week was found. */
  readonly hasPrevious: boolean;
  readonly weeksShown: string;
}

export interface RunDetailsView {
  readonly runId: string;
  readonly startedAt: string;
  readonly hasStages: boolean;
  readonly stages: readonly {
    readonly users: string;
    readonly status: string;
    readonly requests: string;
    readonly throughput: string;
    readonly p50: string;
    readonly p95: string;
    readonly p99: string;
    readonly errorRate: string;
    readonly held: string;
  }[];
  readonly notes: readonly string[];
  readonly hasNotes: boolean;
}

export interface ChartRefView {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly alt: string;
}

/** How many earlier weeks the trend table shows. */
export const TREND_WEEKS = 8;

const DECISION_MEANING: Record<Decision['decision'], string> = {
  go: 'stay on the current hosting',
  watch: 'stay, under closer monitoring',
  'no-go': 'prepare the migration',
  'insufficient-data': 'no comparable run to decide on',
};

const READING: Record<Reading, string> = {
  ok: 'OK (0–1)',
  attention: 'attention (2)',
  migrate: 'open the migration study now (≥ 3)',
};

const STAGE_STATUS: Record<string, string> = {
  completed: 'completed',
  'target-failed': 'target failed',
  interrupted: 'interrupted',
  'engine-failed': 'engine failed',
  skipped: 'skipped',
};

function levelWord(level: Level): string {
  return level;
}

function figureOf(id: CriterionId, r: RunLevel): string {
  if (id === 'p95')
    return r.figure == null ? MISSING : r.ci ? `${ms(r.figure)} [${Math.round(r.ci.lowMs)}, ${Math.round(r.ci.highMs)}]` : ms(r.figure);
  if (id === 'errorRate') return pct(r.figure);
  return r.level === 'red' ? 'not held' : r.level === 'orange' ? 'held, degraded' : 'held';
}

function stageOf(summary: RunSummary | null, users: number): StageStats | null {
  return summary?.stages.find((s) => s.users === users)?.stats ?? null;
}

/**
 * Failed / all requests over the stages of at most `maxUsers` users: up to the target, the scored
 * figure (recomputed when the decision has none); with no limit, every stage (stress stages included).
 */
function errorRateUpTo(summary: RunSummary | null, maxUsers = Infinity): number | null {
  if (!summary) return null;
  let failures = 0;
  let total = 0;
  for (const s of summary.stages) {
    if (!s.stats || s.users > maxUsers) continue;
    failures += s.stats.all.failures;
    total += s.stats.all.count;
  }
  return total === 0 ? null : failures / total;
}

function capacityModelText(summary: RunSummary | null, s: ReportSettings): string {
  if (!summary) return MISSING;
  const e = summary.capacity.estimate;
  if (!e) return mdText(summary.capacity.note);
  const green =
    e.usersAtP95Green == null
      ? `p95 stays under ${s.criteria.p95Ms.green} ms up to ${Math.round(e.limit.users)} users by the fit`
      : `p95 would cross ${s.criteria.p95Ms.green} ms at ${Math.round(e.usersAtP95Green)} users`;
  return mdText(`${estimateWords(e)}; ${green}`);
}

function capacityShort(summary: RunSummary | null): string {
  if (!summary) return MISSING;
  return summary.capacity.users === null ? 'no stage held' : `${summary.capacity.users} users`;
}

function runLevel(d: Decision, id: CriterionId, runId: string): RunLevel | null {
  return d.criteria[id]?.runs.find((r) => r.runId === runId) ?? null;
}

function keyResultRow(d: Decision, run: ReportRun | undefined, runId: string, s: ReportSettings, target: number): KeyResultRow {
  const summary = run?.summary ?? null;
  const p95Level = runLevel(d, 'p95', runId);
  const stage = stageOf(summary, target);
  let p95AtTarget = MISSING;
  if (p95Level && p95Level.figure != null) p95AtTarget = figureOf('p95', p95Level);
  else if (stage?.key.p95Ms != null) {
    p95AtTarget = stage.p95Ci
      ? `${ms(stage.key.p95Ms)} [${Math.round(stage.p95Ci.lowMs)}, ${Math.round(stage.p95Ci.highMs)}]`
      : ms(stage.key.p95Ms);
  }
  const errLevel = runLevel(d, 'errorRate', runId);
  const errorRateScored = errLevel && errLevel.figure != null ? pct(errLevel.figure) : fractionPct(errorRateUpTo(summary, target));
  const heldLevel = runLevel(d, 'held', runId);
  let held: string;
  if (heldLevel) held = heldLevel.level === 'red' ? 'no' : heldLevel.level === 'orange' ? 'yes, with degradation' : 'yes';
  else {
    const status = run?.manifest?.stages.find((x) => x.users === target)?.status;
    held = status === undefined ? MISSING : status === 'completed' ? 'yes' : `no (${STAGE_STATUS[status] ?? status})`;
  }
  const first = summary?.saturation.firstStage;
  const saturation = summary == null ? MISSING : first == null ? 'no' : `yes, ${saturationWords(summary.saturation)}`;
  return {
    runId: codeText(runId),
    p95AtTarget,
    errorRateScored,
    errorRateAll: fractionPct(errorRateUpTo(summary)),
    held,
    saturation,
    saturationWhy: summary ? mdText(summary.saturation.why) : '',
    capacity: summary ? mdText(summary.capacity.words) : MISSING,
    capacityModel: capacityModelText(summary, s),
    openModel: openModelText(run?.manifest ?? null, stage),
  };
}

/**
 * The open-model stage (`--open-stage`) in one line, beside the closed model's p95 at the target
 * stage: the closed p95 is measured by users who wait for each answer before the next request
 * (coordinated omission), the open one at an arrival rate that does not slow down with the
 * service. Reported, not scored. Empty when the run had no open stage.
 */
function openModelText(m: RunManifest | null, target: StageStats | null): string {
  const open = m?.openStage;
  if (!open) return '';
  if (open.status === 'skipped') return `skipped (${mdText(open.why ?? 'not run')})`;
  const f = open.figures;
  const at = `at ${open.factor} × the target stage's iteration rate${open.ratePerS !== undefined ? ` (${perSecond(open.ratePerS)} arrivals)` : ''}`;
  if (!f) return `${at}: ${STAGE_STATUS[open.status] ?? open.status}${open.why ? ` (${mdText(open.why)})` : ''}`;
  const status = open.status === 'completed' ? '' : `; ${STAGE_STATUS[open.status] ?? open.status}`;
  return (
    `${at}: p95 ${ms(f.keyP95Ms)} against ${ms(target?.key.p95Ms)} in the closed model, ` +
    `${count(f.droppedIterations)} dropped iterations (${pct(f.droppedPct)}), error rate ${fractionPct(f.errorRate)}${status}`
  );
}

/** The open-model stage as a row of the per-run details table, or null when the run had none that ran. */
function openModelRow(m: RunManifest | null): RunDetailsView['stages'][number] | null {
  const open = m?.openStage;
  if (!open || open.status === 'skipped') return null;
  const f = open.figures;
  return {
    users: `open model, ${open.factor} × (${perSecond(open.ratePerS)})`,
    status: STAGE_STATUS[open.status] ?? open.status,
    requests: count(f?.requests),
    throughput: perSecond(f?.throughputPerS),
    p50: ms(f?.keyP50Ms),
    p95: ms(f?.keyP95Ms),
    p99: ms(f?.keyP99Ms),
    errorRate: fractionPct(f?.errorRate),
    held: f ? `${count(f.droppedIterations)} dropped iterations (${pct(f.droppedPct)})` : MISSING,
  };
}

/** The ramps' lengths: one figure when equal, else the shortest to the longest. */
function rampText(m: RunManifest): string {
  const ramps = m.plan.stages.map((s) => s.rampMs);
  const lo = Math.min(...ramps);
  const hi = Math.max(...ramps);
  return lo === hi ? `ramp ${formatDuration(lo)}` : `ramps of ${formatDuration(lo)} to ${formatDuration(hi)}`;
}

function contextView(input: ReportInput, byId: Map<string, ReportRun>): ContextView {
  const d = input.decision;
  const used = d.runs.map((id) => byId.get(id)).filter((r): r is ReportRun => r !== undefined);
  const end = isoWeekEnd(input.week);
  const known = input.runs.filter((r) => r.manifest && Date.parse(r.manifest.startedAt) < end).sort(newestFirst);
  const source = used.find((r) => r.manifest) ?? known[0];
  const m = source?.manifest ?? null;
  const target = m?.plan.targetStage ?? d.targetStage ?? input.settings.targetStage;
  const firstStage = m?.plan.stages[0];
  return {
    hasSource: m !== null,
    sourceRunId: source ? codeText(source.id) : MISSING,
    host: m ? safeHost(m.host) : MISSING,
    scenario: m ? codeText(m.scenario.name) : MISSING,
    bundle: m ? m.scenario.bundleSha256.slice(0, 12) : MISSING,
    stages: m ? m.plan.stages.map((x) => x.users).join(', ') : MISSING,
    targetStage: `${target} users`,
    keyTransaction: codeText(m ? keyLabel(m.plan.keyTransaction, m.plan.keyMetric) : d.keyTransaction),
    holdPerStage: m ? formatDuration(m.plan.holdMs) : MISSING,
    rampPerStage: m && firstStage ? rampText(m) : MISSING,
    spawnRate: m ? `${m.plan.spawnRate} users/s` : MISSING,
    engine: m ? `${codeText(m.engine.name)} ${codeText(m.engine.version)}` : MISSING,
    runsUsed: d.runs.map((id) => {
      const run = byId.get(id);
      return {
        id: codeText(id),
        startedAt: run?.manifest ? utcMinute(run.manifest.startedAt) : MISSING,
        status: run?.manifest ? run.manifest.status : 'unknown',
        label: run?.manifest?.label ? mdText(run.manifest.label) : '',
      };
    }),
    hasRunsUsed: d.runs.length > 0,
    runsUsedCount: String(d.runs.length),
    runsToCompare: String(d.runsToCompare),
    // The decision lists them newest first by start time (ids alone are not time order).
    excluded: d.excluded.map((x) => ({ id: codeText(x.id), reason: mdText(x.reason) })),
    hasExcluded: d.excluded.length > 0,
  };
}

function gridView(input: ReportInput, target: number): GridView {
  const d = input.decision;
  const ids = CRITERIA.filter((c) => d.criteria[c] !== undefined);
  const rows = ids.map((id) => {
    const c = d.criteria[id]!;
    return {
      criterion: criterionName(id, input.settings, target),
      level: levelWord(c.level),
      perRun: d.runs.map((runId) => {
        const r = c.runs.find((x) => x.runId === runId);
        if (!r) return { text: MISSING };
        const figure = id === 'held' ? '' : ` (${figureOf(id, r)})`;
        return { text: `${levelWord(r.level)}${figure}${r.borderline ? ', borderline' : ''}` };
      }),
    };
  });
  const evidence = ids.flatMap((id) => {
    const c = d.criteria[id]!;
    const order = new Map(d.runs.map((r, i) => [r, i]));
    return [...c.runs]
      .sort((a, b) => (order.get(a.runId) ?? 99) - (order.get(b.runId) ?? 99))
      .map((r) => ({
        criterion: criterionName(id, input.settings, target),
        runId: codeText(r.runId),
        level: levelWord(r.level),
        figure: figureOf(id, r),
        rule: mdText(r.rule),
        borderline: r.borderline ? 'yes' : 'no',
      }));
  });
  const bounds = ids.flatMap((id) => {
    const runs = d.criteria[id]!.runs;
    const distinct = [...new Set(runs.map((r) => r.bound))];
    const criterion = criterionName(id, input.settings, target);
    if (distinct.length === 1) return [{ criterion, bound: mdText(distinct[0]!) }];
    const which = (b: string) =>
      runs
        .filter((r) => r.bound === b)
        .map((r) => `\`${codeText(r.runId)}\``)
        .join(', ');
    return distinct.map((b) => ({ criterion, bound: `${mdText(b)} (${which(b)})` }));
  });
  const named = (level: Level) => {
    const names = ids.filter((id) => d.criteria[id]!.level === level).map((id) => criterionName(id, input.settings, target));
    return names.length ? names.join('; ') : 'none';
  };
  return {
    hasCriteria: ids.length > 0,
    runIds: d.runs.map(codeText),
    rows,
    evidence,
    bounds,
    reds: named('red'),
    oranges: named('orange'),
    score: d.score == null ? MISSING : String(d.score),
    reading: d.reading == null ? MISSING : READING[d.reading],
  };
}

function decisionView(input: ReportInput): DecisionView {
  const d = input.decision;
  const insufficient = d.decision === 'insufficient-data';
  const provisional = d.provisional && !insufficient;
  return {
    label: decisionWord(d.decision),
    meaning: DECISION_MEANING[d.decision],
    provisional,
    provisionalNote: provisional
      ? `Provisional: rests on ${plural(d.runs.length, 'comparable run')} of the ${d.runsToCompare} the grid asks for.`
      : '',
    insufficient,
    reasons: d.reasons.map(mdText),
    hasReasons: d.reasons.length > 0,
    actions: decisionActions(input.settings.actions, d.decision, d.provisional).map(mdText),
  };
}

/** The decision in the trend table: its word, marked when provisional. */
function trendDecision(d: Decision): string {
  const label = decisionWord(d.decision);
  return d.provisional && d.decision !== 'insufficient-data' ? `${label} (provisional)` : label;
}

function trendRow(w: WeekDecision, current: boolean, byId: Map<string, ReportRun>, target: number): TrendRow {
  const d = w.decision;
  const newest = d.runs[0];
  const run = newest ? byId.get(newest) : undefined;
  const p95Level = newest ? runLevel(d, 'p95', newest) : null;
  const errLevel = newest ? runLevel(d, 'errorRate', newest) : null;
  const stage = stageOf(run?.summary ?? null, target);
  return {
    week: formatIsoWeek(w.week),
    current,
    decision: trendDecision(d),
    runs: String(d.runs.length),
    p95AtTarget: p95Level && p95Level.figure != null ? ms(p95Level.figure) : ms(stage?.key.p95Ms),
    errorRate: errLevel && errLevel.figure != null ? pct(errLevel.figure) : fractionPct(errorRateUpTo(run?.summary ?? null, target)),
    capacity: capacityShort(run?.summary ?? null),
  };
}

function detailsView(run: ReportRun): RunDetailsView {
  const m = run.manifest;
  const summary = run.summary;
  const users = new Set<number>([...(m?.plan.stages.map((s) => s.users) ?? []), ...(summary?.stages.map((s) => s.users) ?? [])]);
  const stages = [...users]
    .sort((a, b) => a - b)
    .map((u) => {
      const fromSummary = summary?.stages.find((s) => s.users === u);
      const record = m?.stages.find((s) => s.users === u);
      const status = fromSummary?.status ?? record?.status ?? 'skipped';
      const st = fromSummary?.stats ?? null;
      const cut = st ? st.source.truncated || st.hold.heldMs < st.hold.plannedHoldMs - st.source.timeResolutionMs : false;
      const held =
        status === 'completed' && !cut ? 'yes' : status === 'completed' ? 'no (cut short)' : `no (${STAGE_STATUS[status] ?? status})`;
      return {
        users: String(u),
        status: STAGE_STATUS[status] ?? status,
        requests: count(st?.all.count),
        throughput: perSecond(st?.all.throughputPerS),
        p50: ms(st?.key.p50Ms),
        p95: ms(st?.key.p95Ms),
        p99: ms(st?.key.p99Ms),
        errorRate: fractionPct(st?.all.errorRate),
        held,
      };
    });
  const openRow = openModelRow(m);
  if (openRow) stages.push(openRow);
  const notes: string[] = [];
  if (!summary) notes.push('No summary.json: run `npm run collect` on this run folder to get its figures.');
  if (openRow) {
    notes.push(
      `The open-model row is reported, not scored: a constant arrival rate of ${openRateWords(m)} after the stages, which does not slow down when the service does; its last column counts the arrivals it could not start (k6's dropped_iterations).`,
    );
  } else if (m?.openStage?.status === 'skipped') notes.push(`Open-model stage skipped: ${mdText(m.openStage.why ?? 'not run')}.`);
  if (m && m.status !== 'completed' && m.why) notes.push(`Run ${m.status}: ${mdText(m.why)}`);
  for (const step of summary?.saturation.steps ?? []) {
    if (step.saturated) notes.push(`Saturation from ${step.fromUsers} to ${step.toUsers} users: ${mdText(step.why)}`);
  }
  for (const users of [...(summary?.suspectStages ?? [])].sort((a, b) => a - b)) {
    const why = stageOf(summary, users)?.littlesLaw.why;
    notes.push(`Stage ${users} users: ${mdText(why ?? "Little's law off by more than 10 %: suspect data")}.`);
  }
  for (const s of summary?.stages ?? []) {
    if (s.stats?.source.truncated) notes.push(`Stage ${s.users}: its CSV ended early; figures cover what was read.`);
  }
  return {
    runId: codeText(run.id),
    startedAt: m ? utcMinute(m.startedAt) : MISSING,
    hasStages: stages.length > 0,
    stages,
    notes,
    hasNotes: notes.length > 0,
  };
}

/** The open stage's rate in words, for the details note. */
function openRateWords(m: RunManifest | null): string {
  const o = m?.openStage;
  return o
    ? `${o.factor} × the iteration rate of ${o.afterStage} users${o.ratePerS !== undefined ? ` (${perSecond(o.ratePerS)})` : ''}`
    : '';
}

/** File name of the Markdown report: `<environment>-<YYYY-Www>.md`, the environment made file-safe. */
export function reportFileStem(environment: string, week: IsoWeek): string {
  const env = environment
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return `${env || 'environment'}-${formatIsoWeek(week)}`;
}

/** The view the report template is rendered from. Pure. */
export function buildReportView(input: ReportInput): ReportView {
  const d = input.decision;
  const byId = new Map(input.runs.map((r) => [r.id, r]));
  const target = d.targetStage ?? input.settings.targetStage;
  const weekId = formatIsoWeek(input.week);
  const rows = d.runs.map((id) => keyResultRow(d, byId.get(id), id, input.settings, target));
  const previous = [...input.previousWeeks]
    .filter((w) => compareIsoWeeks(w.week, input.week) < 0)
    .sort((a, b) => compareIsoWeeks(a.week, b.week))
    .slice(-TREND_WEEKS);
  const trendRows = [
    ...previous.map((w) => trendRow(w, false, byId, target)),
    trendRow({ week: input.week, decision: d }, true, byId, target),
  ];
  const specs: ChartSpec[] = buildChartSpecs(input);
  const newestSummary = d.runs[0] ? (byId.get(d.runs[0])?.summary ?? null) : null;
  const migration = buildMigrationView(input);
  return {
    title: `Capacity report — ${mdText(input.settings.environment)} — week ${weekId}`,
    environment: mdText(input.settings.environment),
    week: { id: weekId, from: utcDay(isoWeekStart(input.week)), to: utcDay(isoWeekEnd(input.week) - 1) },
    generatedAt: utcMinute(input.generatedAtMs),
    headline: headline(d, input.settings, DECISION_MEANING[d.decision], newestSummary ? mdText(newestSummary.capacity.words) : null),
    context: contextView(input, byId),
    keyResults: { hasRuns: rows.length > 0, newest: rows[0] ?? null, rows, hasSeveralRuns: rows.length > 1 },
    grid: gridView(input, target),
    decision: decisionView(input),
    trend: { rows: trendRows, hasPrevious: previous.length > 0, weeksShown: String(previous.length) },
    details: d.runs
      .map((id) => byId.get(id))
      .filter((r): r is ReportRun => r !== undefined)
      .map(detailsView),
    charts: specs.map((c) => ({ id: c.id, title: c.title, path: `${input.chartsDir}/${c.file}`, alt: c.alt })),
    hasCharts: specs.length > 0,
    ...(migration ? { migration } : {}),
  };
}
