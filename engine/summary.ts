/**
 * k6's end-of-test summaries from the aggregated metrics: the handleSummary data (the source of
 * the others), the `--summary-export` JSON and the text summary. Pure.
 */
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { MetricStore, Sink, Threshold } from './metrics.ts';
import type { SummaryData, SummaryGroup, SummaryMetric, SummaryCheck } from './summary-text.ts';

export { formatBytes, formatTime, formatTimeIn, junitSummary, textSummary } from './summary-text.ts';
export type { SummaryCheck, SummaryData, SummaryGroup, SummaryMetric } from './summary-text.ts';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function values(sink: Sink, type: SummaryMetric['type'], durationS: number, trendStats: readonly string[]): Record<string, number> {
  switch (type) {
    case 'trend':
      return Object.fromEntries(trendStats.map((s) => [s, sink.aggregate(s, durationS)]));
    case 'counter':
      return { count: sink.sum, rate: durationS > 0 ? sink.sum / durationS : 0 };
    case 'gauge':
      return { value: sink.last, min: sink.count ? sink.min : 0, max: sink.count ? sink.max : 0 };
    case 'rate':
      return { rate: sink.count ? sink.trues / sink.count : 0, passes: sink.trues, fails: sink.count - sink.trues };
  }
}

export interface SummaryOptions {
  trendStats: readonly string[];
  timeUnit: string;
  noColor: boolean;
}

export function summaryData(
  store: MetricStore,
  thresholds: Threshold[],
  durationMs: number,
  opts: SummaryOptions,
  stdout: Writable & { isTTY?: boolean },
  stderr?: Writable & { isTTY?: boolean },
): SummaryData {
  const durationS = durationMs / 1000;
  const metrics: Record<string, SummaryMetric> = {};
  const add = (key: string, sink: Sink, type: SummaryMetric['type'], contains: SummaryMetric['contains']): void => {
    const m: SummaryMetric = { type, contains, values: values(sink, type, durationS, opts.trendStats) };
    const th = thresholds.filter((t) => t.metricKey.replace(/\s/g, '') === key.replace(/\s/g, '') || t.sink === sink);
    if (th.length) m.thresholds = Object.fromEntries(th.map((t) => [t.expr, { ok: !t.failed }]));
    metrics[key] = m;
  };
  for (const [name, e] of store.entries) {
    // A metric without samples shows only when it has thresholds (their verdict is reported).
    if (e.sink.count > 0 || thresholds.some((t) => t.sink === e.sink)) add(name, e.sink, e.info.type, e.info.contains);
    for (const s of e.subs)
      if (s.sink.count > 0 || thresholds.some((t) => t.sink === s.sink)) add(s.key, s.sink, e.info.type, e.info.contains);
  }
  const group = (path: string): SummaryGroup => {
    const name = path === '' ? '' : path.slice(path.lastIndexOf('::') + 2);
    const children = [...store.groups].filter((g) => g !== path && g.startsWith(`${path}::`) && !g.slice(path.length + 2).includes('::'));
    const checks = [...(store.checks.get(path) ?? new Map()).entries()].map(([n, c]) => ({
      name: n,
      path: `${path}::${n}`,
      id: md5(`${path}::${n}`),
      passes: c.passes,
      fails: c.fails,
    }));
    return { name, path, id: md5(path), groups: children.map(group), checks };
  };
  return {
    root_group: group(''),
    options: { summaryTrendStats: [...opts.trendStats], summaryTimeUnit: opts.timeUnit, noColor: opts.noColor },
    state: { isStdOutTTY: Boolean(stdout.isTTY), isStdErrTTY: Boolean(stderr?.isTTY), testRunDurationMs: durationMs },
    metrics,
  };
}

interface ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, ExportGroup>;
  checks: Record<string, SummaryCheck>;
}

/** The `--summary-export` shape (k6's legacy JSON summary): thresholds map to "failed". */
export function summaryExport(d: SummaryData): { root_group: ExportGroup; metrics: Record<string, Record<string, unknown>> } {
  const g = (x: SummaryGroup): ExportGroup => ({
    name: x.name,
    path: x.path,
    id: x.id,
    groups: Object.fromEntries(x.groups.map((c) => [c.name, g(c)])),
    checks: Object.fromEntries(x.checks.map((c) => [c.name, { ...c }])),
  });
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [k, m] of Object.entries(d.metrics)) {
    let v: Record<string, unknown>;
    if (m.type === 'rate') v = { passes: m.values.passes, fails: m.values.fails, value: m.values.rate };
    else v = { ...m.values };
    if (m.thresholds) v.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([e, r]) => [e, !r.ok]));
    metrics[k] = v;
  }
  return { root_group: g(d.root_group), metrics };
}
