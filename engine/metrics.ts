/**
 * The main thread's aggregation of every sample: k6's four metric kinds, submetrics (tag
 * filters), the group/check tree, and thresholds. Pure: no I/O, no clock.
 */
import { BUILTIN_METRICS, type MetricType, type ValueType } from '../formats/k6/csv.ts';
import { percentileSorted } from '../formats/k6/percentile.ts';

export interface MetricInfo {
  name: string;
  type: MetricType;
  contains: ValueType;
}

/**
 * k6's percentile p(N) (N in 0–100) of sorted values: the project's percentileSorted (linear
 * interpolation at rank p·(n−1), k6's TrendSink), with 0 for no values as k6's summary shows.
 */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? percentileSorted(sorted, p / 100) : 0;
}

export class Sink {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  /** Non-zero samples (k6's Rate "passes"). */
  trues = 0;
  private values = new Float64Array(1024);
  private sorted: Float64Array | null = null;
  constructor(readonly type: MetricType) {}
  add(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.last = v;
    if (v !== 0) this.trues++;
    if (this.type === 'trend') {
      if (this.count > this.values.length) {
        const next = new Float64Array(this.values.length * 2);
        next.set(this.values);
        this.values = next;
      }
      this.values[this.count - 1] = v;
      this.sorted = null;
    }
  }
  percentile(p: number): number {
    if (!this.sorted) this.sorted = this.values.slice(0, this.count).sort();
    return percentile(this.sorted, p);
  }
  /** One aggregation by k6's name (avg, min, max, med, p(N), count, rate, value). */
  aggregate(name: string, durationS: number): number {
    switch (name) {
      case 'avg':
        return this.count ? this.sum / this.count : 0;
      case 'min':
        return this.count ? this.min : 0;
      case 'max':
        return this.count ? this.max : 0;
      case 'med':
        return this.percentile(50);
      case 'count':
        return this.type === 'counter' ? this.sum : this.count;
      case 'rate':
        if (this.type === 'counter') return durationS > 0 ? this.sum / durationS : 0;
        return this.count ? this.trues / this.count : 0;
      case 'value':
        return this.type === 'rate' ? (this.count ? this.trues / this.count : 0) : this.last;
      default: {
        const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(name);
        if (m) return this.percentile(Number(m[1]));
        throw new Error(`unknown aggregation "${name}"`);
      }
    }
  }
}

/** `name{k:v,k2:v2}` → name and tag filter. */
export function parseMetricKey(key: string): { name: string; filter: Array<[string, string]> } {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key.trim());
  if (!m) throw new Error(`invalid metric "${key}"`);
  const filter: Array<[string, string]> = [];
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const c = part.indexOf(':');
      if (c < 0) throw new Error(`invalid tag filter "${part}" in "${key}" (expected tag:value)`);
      filter.push([
        part.slice(0, c).trim(),
        part
          .slice(c + 1)
          .trim()
          .replace(/^["'`]|["'`]$/g, ''),
      ]);
    }
  }
  return { name: m[1]!.trim(), filter };
}

export interface ThresholdSpec {
  metricKey: string;
  expr: string;
  aggregation: string;
  op: string;
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

const EXPR_RE = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

/** Parses one threshold expression like `p(95)<500`; throws naming it when it is not one. */
export function parseThresholdExpr(metricKey: string, expr: string): { aggregation: string; op: string; value: number } {
  const m = EXPR_RE.exec(expr);
  if (!m) throw new Error(`threshold "${expr}" on ${metricKey}: expected <aggregation> <op> <number>, e.g. p(95)<500`);
  return { aggregation: m[1]!, op: m[2]!, value: Number(m[3]) };
}

export function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
    case '===':
      return a === b;
    default:
      return a !== b;
  }
}

interface Entry {
  info: MetricInfo;
  sink: Sink;
  subs: Array<{ key: string; filter: Array<[string, string]>; sink: Sink }>;
}

export interface CheckCount {
  passes: number;
  fails: number;
}

/** Every metric of a test, its submetrics, and the checks per group. */
export class MetricStore {
  readonly entries = new Map<string, Entry>();
  /** group path → check name → counts, in first-seen order. */
  readonly checks = new Map<string, Map<string, CheckCount>>();
  readonly groups = new Set<string>(['']);

  constructor() {
    for (const [name, b] of Object.entries(BUILTIN_METRICS)) this.declare({ name, type: b.type, contains: b.contains });
    // k6's summary always shows this submetric of http_req_duration.
    this.submetric('http_req_duration{expected_response:true}');
  }

  /** Declares a metric; a second declaration must agree with the first. */
  declare(info: MetricInfo): void {
    const e = this.entries.get(info.name);
    if (e) {
      if (e.info.type !== info.type) throw new Error(`metric "${info.name}" is declared as ${info.type} but is already a ${e.info.type}`);
      return;
    }
    this.entries.set(info.name, { info, sink: new Sink(info.type), subs: [] });
  }

  /** Adds a submetric (by its key `name{tag:value}`); returns its sink. Throws on unknown metrics. */
  submetric(key: string): Sink {
    const { name, filter } = parseMetricKey(key);
    const e = this.entries.get(name);
    if (!e) throw new Error(`no metric named "${name}" (in "${key}")`);
    if (!filter.length) return e.sink;
    const canon = `${name}{${filter.map(([k, v]) => `${k}:${v}`).join(',')}}`;
    const found = e.subs.find((s) => s.key === canon);
    if (found) return found.sink;
    const sink = new Sink(e.info.type);
    e.subs.push({ key: canon, filter, sink });
    return sink;
  }

  sink(key: string): Sink | undefined {
    const { name, filter } = parseMetricKey(key);
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (!filter.length) return e.sink;
    return this.submetric(key);
  }

  /** `tags`: the sample's recorded tags (submetrics match them); `summaryTags`: with the group and
   * check even when systemTags leave them out (the summary's checks and groups come from the script, as k6's). */
  add(name: string, value: number, tags: Readonly<Record<string, string>>, summaryTags: Readonly<Record<string, string>> = tags): void {
    const e = this.entries.get(name);
    if (!e) throw new Error(`sample of undeclared metric "${name}"`);
    e.sink.add(value);
    for (const s of e.subs) {
      let ok = true;
      for (const [k, v] of s.filter) if (tags[k] !== v) ok = false;
      if (ok) s.sink.add(value);
    }
    if (name === 'checks') {
      const g = summaryTags.group ?? '';
      let m = this.checks.get(g);
      if (!m) this.checks.set(g, (m = new Map()));
      const c = summaryTags.check ?? '';
      let cc = m.get(c);
      if (!cc) m.set(c, (cc = { passes: 0, fails: 0 }));
      if (value) cc.passes++;
      else cc.fails++;
    }
    const g = summaryTags.group;
    if (g && !this.groups.has(g)) {
      // Register every ancestor so the tree is complete.
      const parts = g.split('::').slice(1);
      for (let i = 1; i <= parts.length; i++) this.groups.add(`::${parts.slice(0, i).join('::')}`);
    }
  }
}

export interface Threshold extends ThresholdSpec {
  sink: Sink;
  failed: boolean;
}

const ThresholdObject = (v: unknown): v is { threshold: string; abortOnFail?: boolean; delayAbortEval?: string } =>
  typeof v === 'object' && v !== null && typeof (v as { threshold?: unknown }).threshold === 'string';

/**
 * Reads the script's `thresholds` option into specs; throws one line naming the bad entry.
 * `parseDurationMs` converts delayAbortEval.
 */
export function parseThresholds(option: unknown, parseDurationMs: (s: string) => number): ThresholdSpec[] {
  if (option === undefined || option === null) return [];
  if (typeof option !== 'object' || Array.isArray(option))
    throw new Error('options.thresholds: expected an object of metric → [expressions]');
  const out: ThresholdSpec[] = [];
  for (const [key, list] of Object.entries(option as Record<string, unknown>)) {
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) {
      if (typeof item === 'string') {
        out.push({ metricKey: key, expr: item, ...parseThresholdExpr(key, item), abortOnFail: false, delayAbortEvalMs: 0 });
      } else if (ThresholdObject(item)) {
        out.push({
          metricKey: key,
          expr: item.threshold,
          ...parseThresholdExpr(key, item.threshold),
          abortOnFail: Boolean(item.abortOnFail),
          delayAbortEvalMs: item.delayAbortEval ? parseDurationMs(item.delayAbortEval) : 0,
        });
      } else {
        throw new Error(`options.thresholds.${key}: expected strings or {threshold, abortOnFail}`);
      }
    }
  }
  return out;
}

/** The aggregations a threshold may use on each metric type (as k6). */
export const THRESHOLD_AGGREGATIONS: Readonly<Record<MetricType, string>> = {
  counter: 'count, rate',
  gauge: 'value',
  rate: 'rate',
  trend: 'avg, min, max, med, p(N)',
};

function aggregationFits(type: MetricType, agg: string): boolean {
  switch (type) {
    case 'counter':
      return agg === 'count' || agg === 'rate';
    case 'gauge':
      return agg === 'value';
    case 'rate':
      return agg === 'rate';
    case 'trend':
      return ['avg', 'min', 'max', 'med'].includes(agg) || agg.startsWith('p(');
  }
}

/**
 * Binds specs to the store's sinks (declaring submetrics); throws on an unknown metric or an
 * aggregation the metric's type does not have.
 */
export function bindThresholds(store: MetricStore, specs: ThresholdSpec[]): Threshold[] {
  return specs.map((s) => {
    const sink = store.sink(s.metricKey);
    if (!sink) throw new Error(`options.thresholds: no metric named "${parseMetricKey(s.metricKey).name}"`);
    if (!aggregationFits(sink.type, s.aggregation)) {
      throw new Error(
        `options.thresholds["${s.metricKey}"]: "${s.expr}" uses ${s.aggregation}, which a ${sink.type} metric does not have (expected ${THRESHOLD_AGGREGATIONS[sink.type]})`,
      );
    }
    return { ...s, sink, failed: false };
  });
}

/** Evaluates thresholds in place; returns the ones crossed. */
export function evaluateThresholds(thresholds: Threshold[], durationS: number): Threshold[] {
  for (const t of thresholds) t.failed = !compare(t.sink.aggregate(t.aggregation, durationS), t.op, t.value);
  return thresholds.filter((t) => t.failed);
}
