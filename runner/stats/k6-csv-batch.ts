import type { K6Record } from './k6-csv-reader.ts';

/**
 * Samples as a parsing thread hands them to the calling thread: batches of numbers (transferred,
 * handed back for reuse), with each metric and name text once, in the batch that first uses it.
 */

/** Numbers per sample: line, metric id, name id, status, error code, time, value. */
export const STRIDE = 7;
export const BATCH_ROWS = 1 << 14;

export interface Batch {
  rows: number;
  batch: ArrayBuffer;
  /** Texts of the metric and name ids first met in this batch, in id order. */
  metrics: string[];
  names: string[];
}

/** A parsing thread's batch being filled. */
export class BatchWriter {
  rows = 0;
  /** Batches handed back, for reuse. */
  readonly spare: ArrayBuffer[] = [];
  private batch = new Float64Array(BATCH_ROWS * STRIDE);
  private readonly metrics: string[] = [];
  // '' is every parser's name 0 (no name tag): the other side knows it.
  private readonly names: string[] = [''];
  private metricsSent = 0;
  private namesSent = 1;

  /** Adds the row; true when the batch is full. */
  add(r: K6Record): boolean {
    if (r.metricId === this.metrics.length) this.metrics.push(r.metric);
    if (r.nameId === this.names.length) this.names.push(r.name);
    const batch = this.batch;
    const at = this.rows * STRIDE;
    batch[at] = r.line;
    batch[at + 1] = r.metricId;
    batch[at + 2] = r.nameId;
    batch[at + 3] = r.status;
    batch[at + 4] = r.errorCode;
    batch[at + 5] = r.timeMs;
    batch[at + 6] = r.value;
    return ++this.rows === BATCH_ROWS;
  }

  /** Drops the rows of the batch so far (their texts go with the next batch: later rows may use them). */
  discard(): void {
    this.rows = 0;
  }

  /** The batch so far, to hand over: the next rows go to a spare one. */
  take(): Batch {
    const taken: Batch = {
      rows: this.rows,
      batch: this.batch.buffer,
      metrics: this.metrics.slice(this.metricsSent),
      names: this.names.slice(this.namesSent),
    };
    this.metricsSent = this.metrics.length;
    this.namesSent = this.names.length;
    const reuse = this.spare.pop();
    this.batch = reuse ? new Float64Array(reuse) : new Float64Array(BATCH_ROWS * STRIDE);
    this.rows = 0;
    return taken;
  }
}
