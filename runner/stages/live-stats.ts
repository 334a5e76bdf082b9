import { Metric } from '../../formats/k6/csv.ts';
import { HTTP_KEY_METRIC } from '../../formats/key-transaction.ts';
import { percentileSorted } from '../../formats/k6/percentile.ts';

/** What the live figures need of one CSV row. */
export interface LiveSample {
  readonly metric: string;
  readonly timeMs: number;
  readonly value: number;
  /** The request's `name` tag. */
  readonly name: string;
}

export interface LiveFigures {
  readonly requestsPerS: number;
  /** Failed requests / requests over the window, 0–1; null before any request. */
  readonly errorRate: number | null;
  /** Over the window, failed requests included (k6 records a failed request's duration, often 0). */
  readonly keyP95Ms: number | null;
  /** The key transaction had requests in the window and none of them succeeded: its p95 means nothing. */
  readonly keyAllFailed: boolean;
  readonly requests: number;
}

/**
 * Rolling figures over the last `windowMs` of samples (by their own timestamps, so a slow
 * reader does not distort them): requests/s, error rate, p95 of the key transaction.
 */
export class LiveStats {
  private readonly requests: number[] = [];
  private readonly failures: number[] = [];
  private readonly key: Array<{ t: number; ms: number }> = [];
  private readonly keyFailures: number[] = [];
  private latestMs = 0;
  private total = 0;
  /** Timestamp of the first sample: the engine's clock has started (its start-up is over). */
  firstSampleMs: number | null = null;

  constructor(
    private readonly keyName: string,
    private readonly windowMs = 10_000,
    /** The key transaction's Trend: http_req_duration, or a custom one (each sample one action). */
    private readonly keyMetric: string = HTTP_KEY_METRIC,
  ) {}

  add(s: LiveSample): void {
    if (this.firstSampleMs === null) this.firstSampleMs = s.timeMs;
    if (s.timeMs > this.latestMs) this.latestMs = s.timeMs;
    if (s.metric === Metric.httpReqs) {
      this.requests.push(s.timeMs);
      this.total += 1;
    } else if (s.metric === Metric.httpReqFailed && s.value !== 0) {
      this.failures.push(s.timeMs);
      if (s.name === this.keyName) this.keyFailures.push(s.timeMs);
    } else if (s.metric === this.keyMetric && s.name === this.keyName) {
      this.key.push({ t: s.timeMs, ms: s.value });
    }
  }

  figures(): LiveFigures {
    const from = this.latestMs - this.windowMs;
    dropBefore(this.requests, from, (t) => t);
    dropBefore(this.failures, from, (t) => t);
    dropBefore(this.key, from, (k) => k.t);
    dropBefore(this.keyFailures, from, (t) => t);
    const spanS = Math.max(1, Math.min(this.windowMs, this.latestMs - (this.requests[0] ?? this.latestMs))) / 1000;
    const sorted = Float64Array.from(this.key, (k) => k.ms).sort();
    return {
      requestsPerS: this.requests.length / spanS,
      errorRate: this.requests.length ? this.failures.length / this.requests.length : null,
      keyP95Ms: sorted.length ? percentileSorted(sorted, 0.95) : null,
      keyAllFailed: sorted.length > 0 && this.keyFailures.length >= sorted.length,
      requests: this.total,
    };
  }
}

function dropBefore<T>(items: T[], from: number, time: (item: T) => number): void {
  let n = 0;
  while (n < items.length && time(items[n]!) < from) n += 1;
  if (n) items.splice(0, n);
}
