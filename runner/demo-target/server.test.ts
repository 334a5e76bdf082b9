import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRESETS, startDemoTarget, type DemoTarget } from './server.ts';
import { searchResults } from './pages.ts';
import WebSocket from 'ws';

const started: DemoTarget[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

async function start(...args: Parameters<typeof startDemoTarget>): Promise<DemoTarget> {
  const t = await startDemoTarget(...args);
  started.push(t);
  return t;
}

async function get(url: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** The error code under fetch's "fetch failed". */
async function failure(url: string): Promise<string> {
  const e: unknown = await fetch(url).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  const cause = (e as Error).cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? String(e);
}

function tally(statuses: number[]): Record<number, number> {
  const t: Record<number, number> = {};
  for (const s of statuses) t[s] = (t[s] ?? 0) + 1;
  return t;
}

describe('the journey of the default scenario', () => {
  it('home, search and result pages fit the scenario (defaults of scenarios/lib/config.ts)', async () => {
    const t = await start({ seed: 1 });
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const home = await get(`${t.url}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain('<form action="/search"');
    const search = await get(`${t.url}/search?q=${encodeURIComponent('trail running')}`);
    expect(search.status).toBe(200);
    expect(search.headers.get('content-type')).toBe('application/json');
    const ids = [...search.body.matchAll(/"id"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual(searchResults('trail running').map((r) => r.id));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const result = await get(`${t.url}/items/${ids[0]}`);
    expect(result.status).toBe(200);
    expect(result.body).toContain(ids[0]);
    expect((await get(`${t.url}/items/nope`)).status).toBe(404);
    expect((await get(`${t.url}/search?q=`)).status).toBe(400);
    expect((await get(`${t.url}/favicon.ico`)).status).toBe(404);
    expect((await get(`${t.url}/health`)).body).toBe('ok\n');
    const s = t.stats();
    expect(s.byRoute).toEqual({ home: 1, search: 2, result: 2, other: 1 });
    expect(s.ok).toBe(3);
    expect(s.received).toBe(6);
  });
});

describe('presets', () => {
  it('healthy: a burst of 40 concurrent searches is all answered 200, nothing queued for long', async () => {
    const t = await start({ ...DEMO_PRESETS.healthy, seed: 2 });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => get(`${t.url}/search?q=q${i}`)));
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 40 });
    const s = t.stats();
    expect(s.rejected + s.timedOut + s.injected).toBe(0);
    expect(s.maxInService).toBeLessThanOrEqual(DEMO_PRESETS.healthy.workers);
  });

  it('saturating: a burst beyond workers + queue is answered 503 at once, the rest queue up', async () => {
    const p = DEMO_PRESETS.saturating;
    const t = await start({ ...p, seed: 3 });
    const burst = 20;
    const answers = await Promise.all(Array.from({ length: burst }, (_, i) => get(`${t.url}/search?q=q${i}`)));
    const statuses = tally(answers.map((a) => a.status));
    const s = t.stats();
    // Each worker frees up after ≥ one service time, far longer than the burst takes to arrive.
    expect(statuses[200]).toBeGreaterThanOrEqual(p.workers);
    expect(statuses[503]).toBeGreaterThanOrEqual(burst - 2 * (p.workers + p.queueLength));
    expect(statuses[503]).toBe(s.rejected);
    expect(s.maxInService).toBe(p.workers);
    expect(s.maxQueued).toBe(p.queueLength);
    // The ones that waited say so.
    const waited = answers.filter((a) => a.status === 200).map((a) => Number(a.headers.get('x-demo-queue-ms')));
    expect(Math.max(...waited)).toBeGreaterThan(0);
  });

  it('flaky: some requests fail with a 500, the others are fine', async () => {
    const t = await start({ ...DEMO_PRESETS.flaky, seed: 4 });
    const answers = await Promise.all(Array.from({ length: 60 }, () => get(`${t.url}/`)));
    const statuses = tally(answers.map((a) => a.status));
    expect(Object.keys(statuses).sort()).toEqual(['200', '500']);
    expect(statuses[500]).toBe(t.stats().injected);
    expect(statuses[500]).toBeGreaterThan(2);
    expect(statuses[500]).toBeLessThan(30);
  });

  it('degrading: the same page takes longer and longer as the minutes pass', async () => {
    let clock = 1_000_000;
    const p = DEMO_PRESETS.degrading;
    const t = await start({ ...p, spread: 0, seed: 5 }, () => clock);
    const first = await get(`${t.url}/search?q=x`);
    clock += 5 * 60_000;
    const later = await get(`${t.url}/search?q=x`);
    const factor = 1 + (p.driftPctPerMin / 100) * 5;
    expect(t.stats().serviceTimeFactor).toBeCloseTo(factor, 9);
    expect(Number(first.headers.get('x-demo-service-ms'))).toBeCloseTo(p.serviceMs.search, 0);
    expect(Number(later.headers.get('x-demo-service-ms'))).toBeCloseTo(p.serviceMs.search * factor, 0);
  });

  it('down: connections are refused', async () => {
    const t = await start(DEMO_PRESETS.down);
    expect(await failure(`${t.url}/`)).toBe('ECONNREFUSED');
    expect(t.stats().received).toBe(0);
  });
});

describe('limits', () => {
  it('a request not answered within the timeout gets a 504, queued or in service', async () => {
    const t = await start({
      workers: 1,
      queueLength: 10,
      serviceMs: { home: 1000, search: 1000, result: 1000 },
      spread: 0,
      timeoutMs: 100,
      seed: 6,
    });
    const answers = await Promise.all(Array.from({ length: 3 }, () => get(`${t.url}/`)));
    expect(answers.map((a) => a.status)).toEqual([504, 504, 504]);
    expect(t.stats().timedOut).toBe(3);
    expect(t.stats().queued).toBe(0);
  });

  it("down: 'close' accepts connections and closes them at once", async () => {
    const t = await start({ down: 'close' });
    expect(await failure(`${t.url}/`)).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(t.stats().closedConnections).toBeGreaterThan(0);
  });

  it('close() ends queued requests and frees the port', async () => {
    const t = await startDemoTarget({ workers: 1, queueLength: 5, serviceMs: { home: 5000, search: 5000, result: 5000 }, spread: 0 });
    const pending = Promise.all(
      Array.from({ length: 3 }, () =>
        fetch(`${t.url}/`).then(
          (r) => r.status,
          () => 'failed',
        ),
      ),
    );
    while (t.stats().received < 3) await new Promise((r) => setTimeout(r, 5));
    await t.close();
    expect(await pending).toEqual(['failed', 'failed', 'failed']);
    expect(await failure(`${t.url}/`)).toBe('ECONNREFUSED');
  });
});

/** A WebSocket client of `/session` that collects what the target says. */
async function session(
  t: DemoTarget,
): Promise<{ ws: WebSocket; got: Array<Record<string, unknown>>; next(): Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(`${t.url.replace('http', 'ws')}/session`);
  const got: Array<Record<string, unknown>> = [];
  let waiting: (() => void) | null = null;
  ws.on('message', (d: Buffer) => {
    got.push(JSON.parse(d.toString()) as Record<string, unknown>);
    waiting?.();
  });
  await new Promise((res, rej) => ws.once('open', res).once('error', rej));
  let read = 0;
  const next = async () => {
    while (got.length <= read) await new Promise<void>((res) => (waiting = res));
    return got[read++]!;
  };
  return { ws, got, next };
}

describe('/session: a WebSocket app whose actions are work for the same workers', () => {
  it('greets, then answers each action with delta and done; its actions queue with the pages (503 as an error message)', async () => {
    const t = await start({ workers: 1, queueLength: 0, actionMs: 200, spread: 0, seed: 7 });
    const s = await session(t);
    expect(await s.next()).toEqual({ op: 'hello' });
    s.ws.send(JSON.stringify({ op: 'rerun', id: 1 }));
    // The worker is busy with action 1: a page now is refused, as a second action is.
    expect((await get(`${t.url}/`)).status).toBe(503);
    s.ws.send(JSON.stringify({ op: 'rerun', id: 2 }));
    expect(await s.next()).toEqual({ op: 'error', id: 2, status: 503, error: 'service unavailable: queue full' });
    expect(await s.next()).toEqual({ op: 'delta', id: 1 });
    expect(await s.next()).toEqual({ op: 'done', id: 1 });
    s.ws.close();
    expect(t.stats()).toMatchObject({ sessions: 1, actions: 2, rejected: 2, stalled: 0 });
  });

  it('stallAfterMs: past it, actions are received and never answered; other paths are not WebSockets', async () => {
    let clock = 1_000;
    const t = await start({ actionMs: 1, spread: 0, stallAfterMs: 60_000, seed: 8 }, () => clock);
    const s = await session(t);
    await s.next();
    s.ws.send(JSON.stringify({ op: 'rerun', id: 1 }));
    expect(await s.next()).toEqual({ op: 'delta', id: 1 });
    await s.next();
    clock += 60_000;
    s.ws.send(JSON.stringify({ op: 'rerun', id: 2 }));
    while (t.stats().stalled < 1) await new Promise((r) => setTimeout(r, 5));
    expect(s.got).toHaveLength(3);
    s.ws.close();
    const other = new WebSocket(`${t.url.replace('http', 'ws')}/elsewhere`);
    const e = await new Promise<Error>((res) => other.once('error', res));
    expect(e.message).toContain('404');
  });
});
