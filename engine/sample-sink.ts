/**
 * Where every sample goes: the metric store (summaries, thresholds) and the CSV outputs, after
 * the systemTags plan took off the tags left out. Buffered outputs are flushed every second and
 * closed at the end; the first write error is kept (the run then fails loudly, exit 103).
 */
import { HTTP_REQUEST_METRICS, ITERATION_METRICS, httpStatusErrorCode, type CsvTimeFormat } from '../formats/k6/csv.ts';
import { cleanUrl } from '../formats/k6/url.ts';
import { CsvOutput, tagColumns } from './csv-output.ts';
import type { Hop } from './http-hop.ts';
import type { MetricStore } from './metrics.ts';
import type { IterationEnd, WireHopSample } from './protocol.ts';
import { systemTagPlan, withoutTags, type SystemTagPlan } from './system-tags.ts';

type Tags = Record<string, string>;

/** What a hop's samples take from its request and from the hop. */
type HopSampleRequest = WireHopSample['req'];
type HopSample = WireHopSample['hop'] & Pick<Hop, 'tlsVersion'>;

export class SampleSink {
  private outputs: CsvOutput[] = [];
  // With k6's default set nothing is dropped until the script or --system-tags says otherwise.
  private sysTags: SystemTagPlan = systemTagPlan(null);
  /** The first output that could not be written. */
  error: Error | null = null;
  /** Iterations ended: completed, or interrupted (timed and counted apart, as k6). */
  completed = 0;
  interrupted = 0;

  constructor(
    readonly store: MetricStore,
    /** A sample the store refuses (a custom metric of another type…) is a warning, not a failure. */
    private readonly warn: (message: string) => void,
  ) {}

  /** The systemTags plan and the CSV outputs, decided once before the test. */
  open(sysTags: SystemTagPlan, csvPaths: readonly string[], timeFormat: CsvTimeFormat): void {
    this.sysTags = sysTags;
    const columns = tagColumns(sysTags.columns);
    for (const p of csvPaths) this.outputs.push(CsvOutput.open(p, timeFormat, columns));
  }

  private keep(tags: Tags): Tags {
    return this.sysTags.drop.length ? withoutTags(tags, this.sysTags.drop) : tags;
  }

  add(metric: string, value: number, time: number, tags: Tags, metadata?: Tags): void {
    // The summary's checks and groups still see check/group (k6 builds them from the script, not tags).
    const rec = this.keep(tags);
    try {
      this.store.add(metric, value, rec, tags);
    } catch (e) {
      this.warn((e as Error).message);
      return;
    }
    for (const o of this.outputs) o.add(metric, time, value, rec, metadata);
  }

  private addMany(names: readonly string[], values: readonly number[], time: number, tags: Tags, metadata?: Tags): void {
    const rec = this.keep(tags);
    for (let i = 0; i < names.length; i++) this.store.add(names[i]!, values[i]!, rec);
    for (const o of this.outputs) o.addMany(names, values, time, rec, metadata);
  }

  /** One hop of a request. `digestChallenge`: the first answer of a digest exchange, expected when it is the 401 (as k6). */
  addHop(req: HopSampleRequest, hop: HopSample, redirected: boolean, digestChallenge: boolean): void {
    const tags: Tags = { ...req.tags, method: hop.method, status: String(hop.status), proto: hop.proto };
    // A redirect's hop has its own URL in the tags, unless the script named the request.
    if (redirected && req.tags.url === cleanUrl(req.url)) {
      tags.url = cleanUrl(hop.url);
      tags.name = tags.url;
    }
    let expected: boolean | null = null;
    if (req.expected) {
      expected = digestChallenge ? hop.status === 401 : req.expected.some(([a, b]) => hop.status >= a && hop.status <= b);
      tags.expected_response = String(expected);
    }
    const code = hop.errorCode || httpStatusErrorCode(hop.status);
    if (code) tags.error_code = String(code);
    if (hop.error) tags.error = hop.error;
    if (!hop.proto) delete tags.proto;
    if (hop.tlsVersion) tags.tls_version = hop.tlsVersion;
    const tm = hop.timings;
    const vals = [1, tm.duration, tm.blocked, tm.connecting, tm.tls_handshaking, tm.sending, tm.waiting, tm.receiving];
    const names: readonly string[] = expected === null ? HTTP_REQUEST_METRICS.slice(0, 8) : HTTP_REQUEST_METRICS;
    if (expected !== null) vals.push(expected ? 0 : 1);
    this.addMany(names, vals, hop.endMs, tags, req.metadata);
  }

  /**
   * An iteration's end: data_sent/data_received (the bytes on the VU's sockets during it),
   * iteration_duration, iterations; an interrupted iteration still moved bytes, but is neither
   * timed nor counted (as k6).
   */
  addIteration(e: IterationEnd, scenario: string | null, bytes: { sent: number; received: number }): void {
    const tags = scenario === null ? e.tags : { ...e.tags, scenario };
    const values = [bytes.sent, bytes.received, e.endMs - e.startMs, 1];
    const names: readonly string[] = e.interrupted ? ITERATION_METRICS.slice(0, 2) : ITERATION_METRICS;
    this.addMany(names, values, e.endMs, tags, e.metadata);
    if (e.interrupted) this.interrupted++;
    else this.completed++;
  }

  /** Writes what the outputs buffered; `onError` once an output fails. */
  flush(onError: () => void): void {
    for (const o of this.outputs) {
      o.flush().catch((e: Error) => {
        this.error ??= new Error(`writing ${o.path}: ${e.message}`);
        onError();
      });
    }
  }

  /** Completes every output (gzip finished); resolves with the first error of these, also kept in `error`. */
  async close(): Promise<Error | null> {
    const outputs = this.outputs;
    this.outputs = [];
    let first: Error | null = null;
    for (const o of outputs) {
      try {
        await o.close();
      } catch (e) {
        first ??= new Error(`writing ${o.path}: ${(e as Error).message}`);
      }
    }
    this.error ??= first;
    return first;
  }
}
