import { describe, expect, it } from 'vitest';
import { parseRunArgs } from './flags.ts';
import type { Hop } from './http-hop.ts';
import { MetricStore, bindThresholds, parseThresholds } from './metrics.ts';
import type { WireHttpRequest } from './protocol.ts';
import { RunControl } from './run-control.ts';
import { SampleSink } from './sample-sink.ts';
import { systemTagPlan } from './system-tags.ts';
import { readTestOptions } from './test-options.ts';

/** The run's parts in-process: the stop, the sink's samples and counts (no worker, no socket). */
describe('RunControl: one stop, its first reason', () => {
  it('runs the stop hooks once, keeps the first reason, and ends every wait', async () => {
    const c = new RunControl();
    let hooks = 0;
    c.onStop(() => hooks++);
    const long = c.wait(3_600_000);
    c.abort('enough');
    c.stop('sigint');
    await long; // would never resolve without the stop
    await c.wait(3_600_000); // after the stop: at once
    expect({ hooks, reason: c.reason, message: c.abortMessage, stopped: c.stopped }).toEqual({
      hooks: 1,
      reason: 'abort',
      message: 'enough',
      stopped: true,
    });
  });
});

const hop = (over: Partial<Hop> = {}): Hop => ({
  method: 'GET',
  url: 'http://127.0.0.1:1/a',
  status: 200,
  statusText: 'OK',
  proto: 'HTTP/1.1',
  headers: {},
  body: null,
  timings: { blocked: 1, connecting: 0, tls_handshaking: 0, sending: 0.1, waiting: 2, receiving: 0.2, duration: 2.3 },
  error: '',
  errorCode: 0,
  endMs: 1_700_000_000_000,
  remoteIp: '',
  remotePort: 0,
  setCookie: [],
  ...over,
});

const request = (over: Partial<WireHttpRequest> = {}): WireHttpRequest =>
  ({
    method: 'GET',
    url: 'http://127.0.0.1:1/a',
    headers: {},
    body: null,
    tags: { url: 'http://127.0.0.1:1/a', name: 'http://127.0.0.1:1/a', scenario: 'default' },
    expected: [[200, 399]],
    ...over,
  }) as WireHttpRequest;

describe('SampleSink: every sample to the store, as k6 tags and counts it', () => {
  const sinkWith = (enabled: Parameters<typeof systemTagPlan>[0] = null) => {
    const warnings: string[] = [];
    const sink = new SampleSink(new MetricStore(), (m) => warnings.push(m));
    sink.open(systemTagPlan(enabled), [], 'unix');
    return { sink, store: sink.store, warnings };
  };

  it.each([
    ['a 200', hop(), { failed: 0, status: '200', errorCode: 'none' }],
    ['a 404: failed, with its error code', hop({ status: 404, statusText: 'Not Found' }), { failed: 1, status: '404', errorCode: '1404' }],
    [
      'a transport error: no status, its error code',
      hop({ status: 0, proto: '', error: 'dial: connection refused', errorCode: 1212 }),
      { failed: 1, status: '0', errorCode: '1212' },
    ],
  ])('a hop: %s', (_what, h, want) => {
    const { sink, store } = sinkWith();
    const byStatus = store.submetric(`http_reqs{status:${want.status}}`);
    const byCode = store.submetric(`http_reqs{error_code:${want.errorCode}}`);
    sink.addHop(request(), h, false, false);
    expect({
      reqs: store.sink('http_reqs')!.count,
      byStatus: byStatus.count,
      byCode: byCode.count,
      failed: store.sink('http_req_failed')!.aggregate('rate', 1),
    }).toEqual({ reqs: 1, byStatus: 1, byCode: want.errorCode === 'none' ? 0 : 1, failed: want.failed });
  });

  it("tags a followed redirect's hop with its own URL, unless the script named the request (http.url)", () => {
    const { sink, store } = sinkWith();
    const own = store.submetric('http_reqs{name:http://127.0.0.1:1/b}');
    const named = store.submetric('http_reqs{name:http://127.0.0.1:1/${}}');
    sink.addHop(request(), hop({ url: 'http://127.0.0.1:1/b' }), true, false);
    const template = 'http://127.0.0.1:1/${}';
    sink.addHop(request({ tags: { url: template, name: template } }), hop({ url: 'http://127.0.0.1:1/b' }), true, false);
    expect([own.count, named.count]).toEqual([1, 1]);
  });

  it('takes off the system tags left out', () => {
    const { sink, store } = sinkWith(['status']);
    const byMethod = store.submetric('http_reqs{method:GET}');
    const byStatus = store.submetric('http_reqs{status:200}');
    sink.addHop(request(), hop(), false, false);
    expect([byMethod.count, byStatus.count]).toEqual([0, 1]);
  });

  it('counts iterations: an interrupted one moved bytes but is neither timed nor counted', () => {
    const { sink, store } = sinkWith();
    const e = { startMs: 0, endMs: 250, tags: {} };
    sink.addIteration(e, 'default', { sent: 10, received: 20 });
    sink.addIteration({ ...e, interrupted: true }, 'default', { sent: 1, received: 2 });
    expect({
      completed: sink.completed,
      interrupted: sink.interrupted,
      iterations: store.sink('iterations')!.count,
      timed: store.sink('iteration_duration')!.count,
      sent: store.sink('data_sent')!.aggregate('count', 1),
    }).toEqual({ completed: 1, interrupted: 1, iterations: 1, timed: 1, sent: 11 });
  });

  it('warns about a sample the store refuses, and goes on', () => {
    const { sink, warnings } = sinkWith();
    sink.add('no_such_metric', 1, 0, {});
    expect(warnings).toEqual(['sample of undeclared metric "no_such_metric"']);
  });

  it('binds thresholds to the same store the samples reach', () => {
    const { sink, store } = sinkWith();
    const [t] = bindThresholds(
      store,
      parseThresholds({ http_req_failed: ['rate<0.5'] }, () => 0),
    );
    sink.addHop(request(), hop({ status: 500 }), false, false);
    expect(t!.sink.count).toBe(1);
  });
});

describe('readTestOptions: the options read at once, as k6 reads them', () => {
  const read = (options: Record<string, unknown>, exports = ['default']) =>
    readTestOptions(options, parseRunArgs(['x.js']), new Set(exports), new MetricStore());
  it.each([
    ['10s', 10_000],
    ['10', 10], // k6 reads a bare number as milliseconds
  ])('delayAbortEval %j is %d ms', (delay, ms) => {
    const t = read({ thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: delay }] } });
    expect(t.thresholds[0]!.delayAbortEvalMs).toBe(ms);
  });
  it('refuses a scenario whose exec the script does not export, naming it', () => {
    expect(() => read({ scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: 'nope' } } })).toThrow(
      'scenario s: exec function "nope" is not exported by the script',
    );
  });
});
