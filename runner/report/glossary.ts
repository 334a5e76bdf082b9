/**
 * The report's glossary: one line per term the report actually uses, found in the rendered
 * text (so a term that a week's report does not print is not explained). Pure.
 */

export interface GlossaryEntry {
  readonly term: string;
  readonly definition: string;
}

interface Term extends GlossaryEntry {
  /** Where the term is used in the report's text. */
  readonly used: RegExp;
}

// In the order a reader meets them: decision terms, then figures, then statistics.
const TERMS: readonly Term[] = [
  {
    term: 'comparable runs',
    used: /\bcomparable run/i,
    definition:
      'runs with the same scenario, host, stages, hold, spawn rate, target stage and engine; runs stopped by the operator or broken by the tool are excluded.',
  },
  {
    term: 'provisional',
    used: /\bprovisional\b/i,
    definition: 'decided on fewer comparable runs than the grid asks for; it says on how many.',
  },
  {
    term: 'consolidated level',
    used: /\bconsolidated\b/i,
    definition: 'the level that at least 2 of the 3 runs reach or exceed (the median severity).',
  },
  {
    term: 'score',
    used: /\bscore\b/i,
    definition: '2 × the red criteria + 1 × the orange ones; read 0–1 OK, 2 attention, 3 or more: open the migration study.',
  },
  {
    term: 'held',
    used: /\bheld\b/i,
    definition:
      'the stage ran its whole hold without a red error rate, bulk timeouts, a throughput collapse or latency growing by 25 % or more.',
  },
  {
    term: 'p95',
    used: /\bp95\b/i,
    definition: 'the response time that 95 % of the key transaction’s requests stay under, computed as k6 computes p(95).',
  },
  {
    term: 'confidence interval',
    used: /confidence interval|\[\d+, \d+\]/i,
    definition: 'the range in brackets after a p95, from the spread of the per-window p95s: where the p95 would fall in 95 of 100 repeats.',
  },
  {
    term: 'p95 difference',
    used: /\S − \S+: [−+]\d+ ms \(95 % interval/,
    definition:
      'candidate − current of the runs’ mean p95 at the target stage; its 95 % interval (Welch) spans the night-to-night spread of each side’s runs.',
  },
  {
    term: 'borderline',
    used: /\bborderline\b/i,
    definition: 'the confidence interval crosses a bound: the level is the measured figure’s, but a repeat could land on the other side.',
  },
  {
    term: 'error rate',
    used: /\berror rate\b/i,
    definition: 'failed requests (unexpected status, timeout, connection error) over all requests.',
  },
  { term: 'throughput', used: /\bthroughput\b/i, definition: 'all requests per second, failed ones included.' },
  {
    term: 'goodput',
    used: /\bgoodput\b/i,
    definition: 'successful requests per second: what the service actually answered (failed requests are not capacity).',
  },
  {
    term: 'capacity',
    used: /\bcapacity\b/i,
    definition: 'the largest stage held with p95 and error rate within their green bounds, in users.',
  },
  {
    term: 'saturation',
    used: /\bsaturation\b/i,
    definition:
      'going up one stage, goodput stops following the users while p95 rises by more than 25 %, or the error rate rises beyond noise.',
  },
  {
    term: 'hold',
    used: /\bhold\b/i,
    definition: 'the part of a stage at its full number of users, after the ramp; only it counts in the figures.',
  },
  {
    term: 'warm-up',
    used: /\bwarm-up\b/i,
    definition: 'the start of each hold, left out of the windows (60 s, or a tenth of a hold under 10 minutes).',
  },
  {
    term: 'window',
    used: /\bwindows?\b/i,
    definition:
      'a slice of the hold (30 s, or a twentieth of a hold under 10 minutes) whose figures are computed again to see change over the hold.',
  },
  {
    term: 'open model',
    used: /\bopen[- ]model\b/i,
    definition: 'requests arriving at a fixed rate that does not slow down when the service does (k6’s constant-arrival-rate).',
  },
  {
    term: 'Little’s law',
    used: /\bLittle['’]s law\b/i,
    definition: 'busy users = iterations per second × mean iteration duration; a stage off by more than 10 % is suspect data.',
  },
  {
    term: 'USL',
    used: /\bUSL\b/,
    definition:
      'Universal Scalability Law: a curve of goodput against users, fitted to the stages, whose peak is a model estimate of capacity.',
  },
  { term: 'R²', used: /R²/, definition: 'the share of the stages’ variation in goodput that the USL curve explains (1 = all of it).' },
  {
    term: 'Mann–Kendall',
    used: /Mann[–-]Kendall/,
    definition:
      'a test of whether the windows keep rising (or falling) over the hold, whatever the shape of the rise; p is the chance of so steady a change by luck alone.',
  },
  {
    term: 'Theil–Sen',
    used: /Theil[–-]Sen/,
    definition: 'the median of the slopes between every pair of windows: how large a trend is, shown as a change over the hold.',
  },
  {
    term: 'α',
    used: /α/,
    definition: 'the significance level: a test counts only when p is below it (0.05: a 1-in-20 chance of a false alarm).',
  },
  {
    term: 'MAD',
    used: /\bMAD\b/,
    definition:
      'median absolute deviation, a spread that outliers do not inflate; a window above median + 3.5 × MAD of the log p95s is an outlier.',
  },
];

/** The glossary of a rendered report body, in the order of TERMS. */
export function glossaryOf(markdown: string): GlossaryEntry[] {
  return TERMS.filter((t) => t.used.test(markdown)).map(({ term, definition }) => ({ term, definition }));
}
