import { basename, dirname, join, resolve } from 'node:path';
import { access } from 'node:fs/promises';
import { defineCommand } from './command.ts';
import { type CollectArgs, flags } from './flags/collect.ts';
import { ExitCode, UserError, isUserError } from '../../formats/errors.ts';
import type { Io } from '../io.ts';
import { parseDuration, formatDuration } from '../../formats/duration.ts';
import { collectorSettings, windowsForHold } from '../../formats/config.ts';
import { loadConfig } from '../config-file.ts';
import { openStageFiles, runManifestFormat, stageFiles } from '../../formats/run-manifest.ts';
import { runSummaryFormat, type RunSummary } from '../../formats/run-summary.ts';
import { stageStatsFormat, untestableWords, type RequestStats, type StageStats } from '../../formats/stage-stats.ts';
import { Metric } from '../../formats/k6/csv.ts';
import { customKeyMetric, keyLabel } from '../../formats/key-transaction.ts';
import { readK6Csv } from '../stats/k6-csv-file.ts';
import { capacityLines, estimateWords, summarizeRun, summaryBounds } from '../stats/run-summary.ts';
import { computeStageStats } from '../stats/stage-stats.ts';
import { alignColumns } from '../stages/format.ts';
import { readFormat, writeFormat } from '../../formats/files.ts';
import { MISSING } from '../../decision/words.ts';

/**
 * `npm run collect -- <stage.csv[.gz]> [--key-name search] [--json]`: the statistics of one k6
 * CSV, as a table or as the stage-stats JSON. A CSV that its run folder's run.json names is read
 * with that run's plan (users, ramp, hold, windows, key transaction), so the figures are the
 * ones the run recorded; any other is read as a whole-file hold, saying so (--users, --ramp,
 * --hold set them). `npm run collect -- --run <run folder>`: recomputes every
 * `stage-<users>.stats.json` and the `summary.json` of a run from its run.json and raw CSVs
 * (after a threshold or config change), each written atomically.
 */

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? MISSING : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pct = (rate: number): string => `${(rate * 100).toFixed(2)} %`;

function pad(rows: string[][]): string {
  return `${alignColumns(rows).join('\n')}\n`;
}

function requestRow(name: string, r: RequestStats): string[] {
  return [
    name,
    String(r.count),
    String(r.failures),
    pct(r.errorRate),
    r.throughputPerS.toFixed(2),
    r.goodputPerS.toFixed(2),
    ms(r.meanMs),
    ms(r.p50Ms),
    ms(r.p90Ms),
    ms(r.p95Ms),
    ms(r.p99Ms),
    ms(r.maxMs),
  ];
}

/** The human table of one stage's statistics; `alpha` is the trend tests' significance level. */
export function renderStageStats(s: StageStats, alpha: number): string {
  const out: string[] = [];
  const h = s.hold;
  out.push(`${s.source.file}: ${s.source.rows} rows${s.source.truncated ? ' (TRUNCATED: figures cover the rows read)' : ''}\n`);
  out.push(
    `hold: ${formatDuration(h.heldMs)} of ${formatDuration(h.plannedHoldMs)} planned, after a ${formatDuration(h.rampMs)} ramp; windows of ${formatDuration(Math.round(h.windowMs))} after a ${formatDuration(Math.round(h.warmupMs))} warm-up; ${s.users} users\n\n`,
  );
  const rows = [['request', 'count', 'failed', 'errors', 'all req/s', 'ok req/s', 'mean', 'p50', 'p90', 'p95', 'p99', 'max']];
  for (const [name, r] of Object.entries(s.byName).sort((a, b) => b[1].count - a[1].count))
    rows.push(requestRow(name === s.keyName ? `${name} (key)` : name || '(no name)', r));
  rows.push(requestRow('all', s.all));
  out.push(pad(rows));
  out.push('\n');
  if (!(s.keyName in s.byName))
    out.push(`key transaction "${keyLabel(s.keyName, s.keyMetric)}": no sample with this name tag in the hold\n`);
  if (s.key.p95Ms !== null) {
    out.push(
      `key p95 ${ms(s.key.p95Ms)} ms${s.p95Ci ? ` [${ms(s.p95Ci.lowMs)}, ${ms(s.p95Ci.highMs)}] (95 % CI over ${s.p95Ci.windows} windows)` : ' (too few windows for an interval)'}\n`,
    );
  }
  // The test is one-sided: its direction is the change that would be bad, not the one seen.
  // Only a significant trend's Theil–Sen change is a finding; a hold too short for the test
  // prints no trend figure at all (SPEC §2).
  const trend = (label: string, t: StageStats['latencyTrend']): string => {
    if (!t) return `${label}: too few windows with figures for a trend test\n`;
    const p = `one-sided Mann–Kendall p = ${t.pValue.toFixed(3)}`;
    if (!(t.pValue < alpha)) return `${label}: no ${t.direction} trend (${p} ≥ α ${alpha}, ${t.n} windows)\n`;
    return `${label}: ${t.direction} trend (${p} < α ${alpha}, ${t.n} windows), Theil–Sen ${t.changePctOverHold >= 0 ? '+' : ''}${t.changePctOverHold.toFixed(1)} % over the hold\n`;
  };
  if (s.trendTestable.testable) {
    out.push(trend('key mean latency', s.latencyTrend));
    out.push(trend('throughput', s.throughputTrend));
  } else out.push(`trends: ${untestableWords(s.trendTestable)}\n`);
  out.push(`outlier windows (key p95): ${s.outlierWindows.length ? s.outlierWindows.join(', ') : 'none'}\n`);
  const it = s.iterations;
  out.push(`iterations: ${it.count} (${it.ratePerS.toFixed(2)}/s, mean ${ms(it.meanDurationMs)} ms)\n${s.littlesLaw.why}\n`);
  out.push(
    `checks: ${s.checks.passes} passed, ${s.checks.fails} failed; data: ${s.data.sentBytes} B sent, ${s.data.receivedBytes} B received\n`,
  );
  const codes = Object.entries(s.errors.byCode)
    .map(([c, n]) => `${c}×${n}`)
    .join(', ');
  const statuses = Object.entries(s.errors.byStatus)
    .map(([c, n]) => `${c}×${n}`)
    .join(', ');
  out.push(`errors: by code ${codes || 'none'}; failed by status ${statuses || 'none'}; timeouts ${s.errors.timeouts}\n`);
  for (const w of s.source.warnings) out.push(`warning: ${w}\n`);
  return out.join('');
}

/** The human table of a run's summary. */
export function renderRunSummary(summary: RunSummary, errors: ReadonlyMap<number, string>): string {
  const rows = [['users', 'status', 'requests', 'all req/s', 'ok req/s', 'key p95', '95 % CI', 'errors', 'held', 'notes']];
  for (const st of summary.stages) {
    const s = st.stats;
    if (!s) {
      rows.push([String(st.users), st.status, ...Array<string>(7).fill(MISSING), errors.get(st.users) ?? 'no statistics']);
      continue;
    }
    const notes = [
      s.source.truncated ? 'truncated CSV' : '',
      s.littlesLaw.ok ? '' : "Little's law off",
      s.outlierWindows.length ? `${s.outlierWindows.length} outlier windows` : '',
    ]
      .filter(Boolean)
      .join('; ');
    rows.push([
      String(st.users),
      st.status,
      String(s.all.count),
      s.all.throughputPerS.toFixed(2),
      s.all.goodputPerS.toFixed(2),
      ms(s.key.p95Ms),
      s.p95Ci ? `[${ms(s.p95Ci.lowMs)}, ${ms(s.p95Ci.highMs)}]` : MISSING,
      pct(s.all.errorRate),
      formatDuration(s.hold.heldMs),
      notes,
    ]);
  }
  const out = [
    `run ${summary.runId} (key transaction "${summary.keyName}"; ok req/s: successful requests per second, the goodput capacity is read on)\n\n`,
    pad(rows),
    '\n',
  ];
  out.push(capacityLines(summary));
  const e = summary.capacity.estimate;
  if (e) {
    out.push(
      `model estimate: ${estimateWords(e)}; p95 reaches the green bound at ${e.usersAtP95Green === null ? 'no user level within the fit' : `${e.usersAtP95Green.toFixed(0)} users`}\n`,
    );
  }
  out.push(`model note: ${summary.capacity.note}\n`);
  for (const st of summary.stages) {
    if (st.stats && summary.suspectStages.includes(st.users)) out.push(`${st.users} users: ${st.stats.littlesLaw.why}\n`);
  }
  return out.join('');
}

/** First and last timestamps and the largest `vus` value of a CSV: its extent when no plan is given. */
async function scanExtent(
  file: string,
  signal: AbortSignal,
): Promise<{ firstMs: number; lastMs: number; maxVus: number; resolutionMs: number }> {
  let firstMs = NaN;
  let lastMs = -Infinity;
  let maxVus = 0;
  const r = await readK6Csv(
    file,
    (rec) => {
      if (Number.isNaN(firstMs)) firstMs = rec.timeMs;
      if (rec.timeMs > lastMs) lastMs = rec.timeMs;
      if (rec.metric === Metric.vus && rec.value > maxVus) maxVus = rec.value;
    },
    { signal },
  );
  return { firstMs, lastMs, maxVus, resolutionMs: r.timeResolutionMs };
}

/** A stage's plan as the run that wrote a CSV recorded it (run.json beside the file names the file). */
interface RecordedPlan {
  runJson: string;
  users: number;
  rampMs: number;
  holdMs: number;
  keyName: string;
  /** The key transaction's custom Trend (run.json plan.keyMetric); absent: HTTP requests. */
  keyMetric?: string;
  /** Absent in run.json files older than the field: the config's then. */
  windows?: { windowMs: number; warmupMs: number };
}

/** The plan of the stage whose CSV `file` is, from run.json in its folder; null when there is none or it does not name the file. */
async function recordedPlan(file: string): Promise<RecordedPlan | null> {
  const runJson = join(dirname(file), 'run.json');
  if (
    !(await access(runJson).then(
      () => true,
      () => false,
    ))
  )
    return null;
  const m = await readFormat(runManifestFormat, runJson);
  const name = basename(file);
  const common = {
    runJson,
    keyName: m.plan.keyTransaction,
    ...customKeyMetric(m.plan.keyMetric),
    ...(m.plan.windows ? { windows: m.plan.windows } : {}),
  };
  const record = m.stages.find((r) => (r.files.csv ?? stageFiles(r.users).csv) === name);
  const plan = record && m.plan.stages.find((p) => p.users === record.users);
  if (plan) return { ...common, users: plan.users, rampMs: plan.rampMs, holdMs: plan.holdMs };
  // The open-model stage is read as `collect --run` reads it: no ramp, its own hold.
  const open = m.openStage;
  if (open && (open.files?.csv ?? openStageFiles().csv) === name)
    return { ...common, users: open.afterStage, rampMs: 0, holdMs: open.holdMs };
  return null;
}

async function collectFile(args: CollectArgs, io: Io): Promise<number> {
  const file = resolve(io.cwd, args.csv!);
  const config = await loadConfig(args.config, io.cwd);
  const recorded = await recordedPlan(file);
  let rampMs = args.ramp !== undefined ? parseDuration(args.ramp, '--ramp') : (recorded?.rampMs ?? 0);
  let holdMs = args.hold !== undefined ? parseDuration(args.hold, '--hold') : (recorded?.holdMs ?? NaN);
  let users = args.users ?? recorded?.users;
  const assumed: string[] = [];
  if (Number.isNaN(holdMs) || users === undefined) {
    const extent = await scanExtent(file, io.signal);
    if (Number.isNaN(holdMs)) {
      holdMs = Math.max(extent.resolutionMs, extent.lastMs + extent.resolutionMs - extent.firstMs - rampMs);
      assumed.push(`the hold runs to the last sample (${formatDuration(holdMs)})${args.ramp === undefined ? ' with no ramp' : ''}`);
    }
    if (users === undefined) {
      users = Math.max(1, Math.round(extent.maxVus));
      assumed.push(`${users} users (the largest vus sample)`);
    }
  }
  rampMs = Math.max(0, rampMs);
  if (!(holdMs > 0)) throw new UserError(`--hold must be longer than 0 (got ${args.hold ?? holdMs})`);
  const keyName = args['key-name'] ?? recorded?.keyName ?? config.keyTransaction.name;
  const key = customKeyMetric(recorded ? recorded.keyMetric : config.keyTransaction.metric);
  // The run's windows as planned; for a CSV outside a run folder, planned here by the same rule.
  const settings = { ...collectorSettings(config), ...(recorded?.windows ?? windowsForHold(holdMs, config)) };
  const stats = await computeStageStats({ file, users, rampMs, holdMs, keyName, ...key, ...settings, signal: io.signal });
  // Where the plan came from, so that figures that differ from a run's can be told apart.
  const flags = ['users', 'ramp', 'hold', 'key-name'].filter((f) => args[f as keyof CollectArgs] !== undefined).map((f) => `--${f}`);
  let origin: string;
  if (recorded) {
    origin = `plan from ${recorded.runJson}${recorded.windows ? '' : ' (windows from the config: run.json predates them)'}${flags.length ? `, overridden by ${flags.join(', ')}` : ''}`;
  } else {
    origin = `no run.json beside the file names it: assumed ${assumed.length ? assumed.join(', ') : 'the plan the flags give'}; windows and thresholds from the config (set --users, --ramp, --hold to match the run)`;
  }
  if (args.json) {
    io.stderr.write(`note: ${origin}\n`);
    io.stdout.write(stageStatsFormat.stringify(stats));
  } else io.stdout.write(`${origin}\n${renderStageStats(stats, config.criteria.held.trendAlpha)}`);
  return ExitCode.ok;
}

async function collectRun(args: CollectArgs, io: Io): Promise<number> {
  const dir = resolve(io.cwd, args.run!);
  const manifest = await readFormat(runManifestFormat, join(dir, 'run.json'));
  const config = await loadConfig(args.config, io.cwd);
  // The run's windows as planned (run.json plan.windows; a run.json that predates them: the same rule again).
  const settings = { ...collectorSettings(config), ...(manifest.plan.windows ?? windowsForHold(manifest.plan.holdMs, config)) };
  const keyName = args['key-name'] ?? manifest.plan.keyTransaction;
  const key = customKeyMetric(manifest.plan.keyMetric);
  const stages: Array<{ users: number; status: (typeof manifest.stages)[number]['status']; stats: StageStats | null }> = [];
  const errors = new Map<number, string>();
  let failed = 0;
  for (const record of manifest.stages) {
    const plan = manifest.plan.stages.find((p) => p.users === record.users);
    if (!plan) throw new UserError(`stages: ${record.users} users is not in plan.stages`, { file: join(dir, 'run.json') });
    let stats: StageStats | null = null;
    if (record.status !== 'skipped') {
      try {
        stats = await computeStageStats({
          file: join(dir, record.files.csv ?? stageFiles(record.users).csv),
          users: record.users,
          rampMs: plan.rampMs,
          holdMs: plan.holdMs,
          keyName,
          ...key,
          ...settings,
          signal: io.signal,
        });
        await writeFormat(stageStatsFormat, join(dir, record.files.stats ?? stageFiles(record.users).stats), stats);
      } catch (e) {
        if (!isUserError(e)) throw e;
        // One unreadable stage does not stop the others: it is reported and has no statistics.
        failed++;
        errors.set(record.users, e.message);
        io.stderr.write(`warning: ${e.message}\n`);
      }
    }
    stages.push({ users: record.users, status: record.status, stats });
  }
  // The open-model stage (reported, not scored): its statistics are recomputed too; its figures in
  // run.json stay as recorded when the run ended.
  const open = manifest.openStage;
  if (open?.files && open.status !== 'skipped') {
    try {
      const stats = await computeStageStats({
        file: join(dir, open.files.csv ?? openStageFiles().csv),
        users: open.afterStage,
        rampMs: 0,
        holdMs: open.holdMs,
        keyName,
        ...key,
        ...settings,
        signal: io.signal,
      });
      await writeFormat(stageStatsFormat, join(dir, open.files.stats ?? openStageFiles().stats), stats);
    } catch (e) {
      if (!isUserError(e)) throw e;
      failed++;
      io.stderr.write(`warning: open-model stage: ${e.message}\n`);
    }
  }
  const summary = summarizeRun({ runId: manifest.id, keyName, ...summaryBounds(config), stages });
  await writeFormat(runSummaryFormat, join(dir, 'summary.json'), summary);
  io.stdout.write(args.json ? runSummaryFormat.stringify(summary) : renderRunSummary(summary, errors));
  return failed ? ExitCode.incomplete : ExitCode.ok;
}

export const command = defineCommand({
  ...flags,
  run: async (args: CollectArgs, io) => {
    if (args.users !== undefined && !(Number.isInteger(args.users) && args.users > 0))
      throw new UserError(`--users must be a positive whole number (got ${args.users})`);
    return args.run !== undefined ? collectRun(args, io) : collectFile(args, io);
  },
});
