/**
 * The main thread's side of an interrupted k6/ws session, in-process against a loopback echo:
 * the interrupt's reply comes only once the session is closed and its duration recorded (the end
 * of the test follows that reply, and closes the outputs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsLoopback } from '../test/testkit/engine-runs.ts';
import type { VuReply } from './protocol.ts';
import { WsSessions, type WsOwner } from './ws-sessions.ts';

describe('WsSessions: an interrupted iteration ends its sessions', () => {
  let server: Awaited<ReturnType<typeof wsLoopback>>;
  beforeAll(async () => {
    server = await wsLoopback();
  });
  afterAll(() => server.close());

  /** A VU with one open k6/ws session; `emitted` lists the metrics as they are recorded. */
  const openSession = async () => {
    const emitted: string[] = [];
    const sessions = new WsSessions(
      (metric) => void emitted.push(metric),
      () => undefined,
    );
    const vu: WsOwner = { postEvent: () => undefined };
    const live = new AbortController().signal;
    sessions.serve(vu, { op: 'ws-open', id: 1, url: `${server.ws}/echo`, headers: {}, tags: { scenario: 's' }, push: false }, live);
    const first = (await sessions.serve(vu, { op: 'ws-wait', timeoutMs: 5_000 }, live)) as Extract<VuReply, { op: 'ws-events' }>;
    expect(first.events.map((e) => e.type)).toEqual(['open']);
    return { sessions, vu, emitted };
  };

  it('interrupted during a wait: the reply follows the session duration', async () => {
    const { sessions, vu, emitted } = await openSession();
    const ctl = new AbortController();
    const reply = sessions.serve(vu, { op: 'ws-wait', timeoutMs: 60_000 }, ctl.signal);
    ctl.abort();
    const seenAtReply = await Promise.resolve(reply).then((r) => ({ r, metrics: [...emitted] }));
    expect(seenAtReply.r).toEqual({ op: 'interrupted' });
    expect(seenAtReply.metrics).toContain('ws_session_duration');
  });

  it('interrupted before its next wait: no wait for events that will not come, the duration recorded', async () => {
    const { sessions, vu, emitted } = await openSession();
    const ctl = new AbortController();
    ctl.abort();
    const r = await sessions.serve(vu, { op: 'ws-wait', timeoutMs: 60_000 }, ctl.signal);
    expect(r).toEqual({ op: 'interrupted' });
    expect(emitted).toContain('ws_session_duration');
  });

  it('closed by an interrupted iteration (the browser-like WebSocket): ok once the duration is recorded', async () => {
    const { sessions, vu, emitted } = await openSession();
    const ctl = new AbortController();
    ctl.abort();
    const r = await sessions.serve(vu, { op: 'ws-close', id: 1, code: 1001 }, ctl.signal);
    expect(r).toEqual({ op: 'ok' });
    expect(emitted).toContain('ws_session_duration');
  });
});
