/**
 * A VU's own sockets (socket-http.ts) against the main thread's client (http-client.ts, undici),
 * request by request on the same loopback server: the same bytes sent, the same hops read. The
 * server runs in a worker thread (test/testkit/raw-http-worker.mjs), since these sockets block
 * the test's thread as they block a VU's.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRows, loopback, runK6CommandLine, type Loopback } from '../test/testkit/engine-runs.ts';
import { useTempDir } from '../test/testkit/temp-dir.ts';
import { K6_ERROR_CODES } from '../formats/k6/csv.ts';
import { packageRoot } from '../formats/files.ts';
import { VuHttp } from './http-client.ts';
import type { Hop } from './http-hop.ts';
import { buildVuSocket } from './native/build.mjs';
import { loadVuSocketAddon, type VuSocketAddon } from './native/vu-socket.ts';
import { DEFAULT_HTTP_OPTIONS } from './options.ts';
import type { WireHttpRequest } from './protocol.ts';
import { SocketHttp, type SocketExchange } from './socket-http.ts';

let net: VuSocketAddon;
let wake: [number, number];
const interruptFlag = new Int32Array(new SharedArrayBuffer(4));
let log: MessagePort;
let worker: Worker;
let base = '';

beforeAll(async () => {
  const built = buildVuSocket(packageRoot(import.meta.url));
  if (!('path' in built)) throw new Error(`the VU socket addon is needed here: ${built.reason}`);
  net = loadVuSocketAddon(built.path);
  const fds = net.pipe();
  if (typeof fds === 'number') throw new Error(`pipe: errno ${-fds}`);
  wake = fds;
  const channel = new MessageChannel();
  log = channel.port1;
  worker = new Worker(new URL('../test/testkit/raw-http-worker.mjs', import.meta.url), {
    workerData: { log: channel.port2, addonPath: built.path, wakeFd: wake[1], interruptFlag: interruptFlag.buffer },
    transferList: [channel.port2],
  });
  for (;;) {
    const m = receiveMessageOnPort(log)?.message as { port?: number } | undefined;
    if (m?.port) {
      base = `http://127.0.0.1:${m.port}`;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
});

afterAll(async () => {
  await worker.terminate();
  net.close(wake[0]);
  net.close(wake[1]);
});

/** What the server logged since the last call: each request's connection number and raw text. */
function served(): { conn: number; raw: string }[] {
  const out: { conn: number; raw: string }[] = [];
  for (let m = receiveMessageOnPort(log); m; m = receiveMessageOnPort(log)) out.push(m.message as { conn: number; raw: string });
  return out;
}

/** The server's log once it has `n` requests (it logs from its own thread). */
async function servedN(n: number): Promise<{ conn: number; raw: string }[]> {
  const out = served();
  for (let i = 0; out.length < n && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 5));
    out.push(...served());
  }
  return out;
}

function request(path: string, over: Partial<WireHttpRequest> = {}): WireHttpRequest {
  return {
    method: 'GET',
    url: `${base}${path}`,
    headers: {},
    body: null,
    timeoutMs: 5_000,
    redirects: 10,
    responseType: 'text',
    tags: {},
    expected: [[200, 399]],
    ...over,
  };
}

const sockets = (): SocketHttp => new SocketHttp(net, wake[0], () => Atomics.load(interruptFlag, 0) === 1, DEFAULT_HTTP_OPTIONS.userAgent);

/** What a hop says, without its times. */
const seen = (h: Hop) => ({
  method: h.method,
  url: h.url,
  status: h.status,
  statusText: h.statusText,
  proto: h.proto,
  headers: h.headers,
  body: h.body?.toString('utf8') ?? null,
  error: h.error,
  errorCode: h.errorCode,
  errorDetail: h.errorDetail,
  setCookie: h.setCookie,
});

function hopsOf(ex: SocketExchange): Hop[] {
  if (ex === 'interrupted') throw new Error('interrupted');
  return 'hops' in ex ? ex.hops : ex.handOver;
}

/** The request through the main thread's client and through a VU's sockets: the raw requests and hops of each. */
async function bothWays(
  req: WireHttpRequest,
): Promise<{ main: { raw: string[]; hops: Hop[] }; own: { raw: string[]; hops: Hop[]; ex: SocketExchange } }> {
  served();
  const client = new VuHttp();
  const mainHops = (await client.request(req, new AbortController().signal)).hops;
  await client.close();
  const mainRaw = (await servedN(mainHops.filter((h) => h.status || h.error === 'other side closed').length)).map((s) => s.raw);
  const own = sockets();
  const ex = own.request(req);
  own.close();
  const ownHops = hopsOf(ex);
  const ownRaw = (await servedN(mainRaw.length)).map((s) => s.raw);
  return { main: { raw: mainRaw, hops: mainHops }, own: { raw: ownRaw, hops: ownHops, ex } };
}

describe('a VU request on its own sockets', () => {
  it.each<[string, Partial<WireHttpRequest>]>([
    ['GET with headers in order', { headers: { 'X-One': '1', Accept: 'application/json', 'user-agent': 'mine/1' } }],
    ['GET with a Latin-1 header value', { headers: { 'X-Name': 'café' } }],
    ['POST with a text body', { method: 'POST', body: 'a=1&b=é', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }],
    ['POST with a binary body', { method: 'POST', body: Buffer.from([0, 1, 2, 255]).toString('base64'), bodyBase64: true }],
    ['POST without a body', { method: 'POST' }],
    [
      'POST with a body bigger than the request buffer',
      { method: 'POST', body: 'é'.repeat(60_000), headers: { 'Content-Type': 'text/plain' } },
    ],
    ['PUT with an empty body', { method: 'PUT', body: '' }],
    ['DELETE', { method: 'DELETE' }],
    ['OPTIONS', { method: 'OPTIONS' }],
    ['HEAD', { method: 'HEAD' }],
    ['credentials in the URL as Basic auth', { url: 'http://user:p%40ss@' }],
  ])('sends the bytes the main thread sends: %s', async (_name, over) => {
    const url = `${base.replace('http://', over.url ?? 'http://')}/plain?q=1`;
    const { main, own } = await bothWays(request('/plain', { ...over, url }));
    expect(own.raw).toEqual(main.raw);
    expect(own.raw[0]).toMatch(/^[A-Z]+ \/plain\?q=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n/);
  });

  it.each([
    '/plain',
    '/utf8',
    '/no-reason',
    '/chunked',
    '/big',
    '/big-chunked',
    '/close-delimited',
    '/http10',
    '/no-content',
    '/not-modified',
    '/not-found',
    '/redirect',
    '/temporary',
    '/half',
    '/drop',
  ])('reads %s as the main thread does', async (path) => {
    const { main, own } = await bothWays(request(path));
    expect(own.hops.map(seen)).toEqual(main.hops.map(seen));
  });

  it('skips an informational answer as k6 (Go) does, where undici gives up', async () => {
    const { main, own } = await bothWays(request('/continue'));
    expect(main.hops[0]).toMatchObject({ status: 0, error: 'bad response' });
    expect(seen(own.hops[0]!)).toMatchObject({ status: 200, body: 'ok', error: '' });
  });

  it('follows a 303 after a POST as a GET without its body, as the main thread does', async () => {
    const { main, own } = await bothWays(request('/see-other', { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'text/plain' } }));
    expect(own.raw).toEqual(main.raw);
    expect(own.raw[1]).toMatch(/^GET \/plain HTTP\/1\.1\r\n/);
    expect(own.raw[1]).not.toMatch(/content-(type|length)/i);
    expect(own.hops.map(seen)).toEqual(main.hops.map(seen));
  });

  it('stops where the limit stops a chain, and says so when the limit is the default', () => {
    const own = sockets();
    const ex = own.request(request('/loop', { redirects: 10, defaultRedirects: true }));
    own.close();
    expect(ex).toMatchObject({ stoppedAfter: 10 });
    expect(hopsOf(ex)).toHaveLength(11);
    const none = sockets().request(request('/loop', { redirects: 0 }));
    expect(hopsOf(none).map((h) => h.status)).toEqual([302]);
    expect(none).not.toHaveProperty('stoppedAfter');
  });

  it('hands the chain to the main thread at a cookie for the jar, or at a redirect to https', () => {
    const own = sockets();
    const cookie = own.request(request('/cookie'));
    expect(cookie).toMatchObject({ handOver: [{ status: 200, setCookie: ['a=1; Path=/', 'b=2'] }] });
    const chain = own.request(request('/cookie-redirect'));
    expect(hopsOf(chain).map((h) => h.status)).toEqual([302]);
    expect(chain).toHaveProperty('handOver');
    const https = own.request(request('/to-https'));
    expect(https).toMatchObject({ handOver: [{ status: 302, headers: { Location: 'https://127.0.0.1:1/secure' } }] });
    own.close();
  });

  it('keeps a connection alive between requests and opens another when the server closed it', async () => {
    served();
    const own = sockets();
    for (const path of ['/plain', '/plain', '/close-delimited', '/plain', '/big', '/drop-if-reused']) {
      const hops = hopsOf(own.request(request(path)));
      expect(hops[0]!.status, path).toBe(200);
    }
    own.close();
    // The third answer ended its connection; the last was dropped on a reused one and sent again (Go's retry).
    const conns = (await servedN(7)).map((s) => s.conn);
    expect(conns.map((c) => c - conns[0]!)).toEqual([0, 0, 0, 1, 1, 1, 2]);
  });

  it('times a new connection, and a kept one as not connecting', () => {
    const own = sockets();
    const [first] = hopsOf(own.request(request('/plain')));
    const [second] = hopsOf(own.request(request('/plain')));
    own.close();
    expect(first!.timings.connecting).toBeGreaterThan(0);
    expect(second!.timings.connecting).toBe(0);
    for (const t of [first!.timings, second!.timings]) {
      expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6);
      expect(t.tls_handshaking).toBe(0);
      expect(t.receiving).toBeGreaterThan(0); // the answer read and parsed, as k6's is never 0
    }
  });

  it('fails as the main thread fails: a refused connection, a timeout', async () => {
    const refused = request('/plain', { url: 'http://127.0.0.1:1/x' });
    const { main, own } = await bothWays(refused);
    expect(own.hops.map(seen)).toEqual(main.hops.map(seen));
    expect(own.hops[0]).toMatchObject({ status: 0, error: 'dial: connection refused', errorCode: K6_ERROR_CODES.tcpDialRefused });
    const slow = sockets().request(request('/slow', { timeoutMs: 100 }));
    expect(hopsOf(slow)[0]).toMatchObject({
      status: 0,
      error: 'request timeout',
      errorCode: K6_ERROR_CODES.requestTimeout,
      errorDetail: 'context deadline exceeded',
    });
  });

  it('is cut by an interrupt at once, and goes on after a wake meant for an earlier request', () => {
    const own = sockets();
    Atomics.store(interruptFlag, 0, 0);
    const t0 = performance.now();
    expect(own.request(request('/wake-interrupt'))).toBe('interrupted');
    expect(performance.now() - t0).toBeLessThan(4_000);
    Atomics.store(interruptFlag, 0, 0);
    const after = own.request(request('/wake-stale'));
    expect(seen(hopsOf(after)[0]!)).toMatchObject({ error: '', status: 200, body: 'after the wake' });
    own.close();
  });

  it.each<[string, Partial<WireHttpRequest>]>([
    ['https', { url: 'https://127.0.0.1:1/' }],
    ['an invalid URL', { url: 'http://exa mple.com/' }],
    ['a Cookie header', { headers: { Cookie: 'a=1' } }],
    ['a Host header', { headers: { host: 'other' } }],
    ['a header with a line break', { headers: { 'X-A': 'a\r\nb' } }],
    ['a header value beyond Latin-1', { headers: { 'X-A': 'snow ☃' } }],
    ['a header name that is not a token', { headers: { 'X A': '1' } }],
    ['params.cookies', { cookies: [['a', '1', false]] }],
    ['a jar of the script', { jar: [] }],
    ['digest', { auth: 'digest' }],
    ['hops already made', { prior: [] }],
    ['a method undici checks', { method: 'PROPFIND' }],
  ])('leaves to the main thread a request with %s', (_name, over) => {
    expect(sockets().takes(request('/plain', over))).toBe(false);
  });

  it('takes a plain request of the VU', () => {
    expect(
      sockets().takes(request('/plain', { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain', 'X-Name': 'café' } })),
    ).toBe(true);
  });
});

describe('a run whose VUs have their own sockets', () => {
  const dir = useTempDir('socket-http-run-', 'all');
  /** Every request the server saw: its path, its connection (the client's port) and its Cookie header. */
  const seenByServer: { path: string; port: number; cookie: string }[] = [];
  let server: Loopback;
  beforeAll(async () => {
    server = await loopback((req, res) => {
      seenByServer.push({ path: req.url!, port: req.socket.remotePort!, cookie: req.headers.cookie ?? '' });
      if (req.url === '/set-cookie') res.setHeader('Set-Cookie', 's=1; Path=/');
      if (req.url === '/redirect-cookie') {
        res.writeHead(302, { 'Set-Cookie': 'r=2; Path=/', Location: '/echo-cookie' });
        res.end();
        return;
      }
      res.end(req.headers.cookie ?? '');
    });
  });
  afterAll(() => server.close());

  const SCRIPT = `
import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 2 } } };
export default function () {
  const before = http.get(__ENV.B + '/echo-cookie').body;
  http.get(__ENV.B + '/set-cookie');
  const after = http.get(__ENV.B + '/echo-cookie').body;
  const chain = http.get(__ENV.B + '/redirect-cookie');
  console.log(JSON.stringify({ before, after, chain: chain.body, hops: chain.url }));
}
`;

  /** The script run with the VUs' own sockets on or off: its exit code, console lines and summary export. */
  async function run(
    sockets: '1' | '0',
  ): Promise<{ code: number; lines: string[]; summary: { metrics: Record<string, Record<string, number>> } }> {
    writeFileSync(join(dir(), 'cookies.js'), SCRIPT);
    let stderr = '';
    const io = {
      cwd: dir(),
      env: { ...process.env, K6_EMBEDDED_VU_SOCKETS: sockets },
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({
        write(c: Buffer | string, _e, done) {
          stderr += String(c);
          done();
        },
      }),
      signal: new AbortController().signal,
    };
    const code = await runK6CommandLine(
      ['run', '-q', '-e', `B=${server.base}`, '--summary-export', `summary-${sockets}.json`, 'cookies.js'],
      io,
    );
    const lines = [...stderr.matchAll(/level=info msg="((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    return { code, lines, summary: JSON.parse(readFileSync(join(dir(), `summary-${sockets}.json`), 'utf8')) };
  }

  it('sends cookies from the jar as the main thread does, and empties the jar at each iteration', async () => {
    seenByServer.length = 0;
    const own = await run('1');
    const ownSeen = seenByServer.splice(0);
    const main = await run('0');
    expect(own.code).toBe(0);
    expect(own.lines).toEqual(main.lines);
    const iteration = { before: '', after: 's=1', chain: 's=1; r=2', hops: `${server.base}/echo-cookie` };
    expect(own.lines.map((l) => JSON.parse(l))).toEqual([iteration, iteration]);
    // Each iteration's first request went on the VU's socket; once the jar held a cookie, its requests went through the main thread.
    const byPort = (i: number) => ownSeen[i]!.port;
    expect(ownSeen.map((s) => s.path)).toEqual(
      Array(2).fill(['/echo-cookie', '/set-cookie', '/echo-cookie', '/redirect-cookie', '/echo-cookie']).flat(),
    );
    expect(byPort(5)).toBe(byPort(0));
    expect(byPort(2)).not.toBe(byPort(0));
  });

  it('sends its samples to the main thread within a lease, however long the iteration: the CSV starts with the first request', async () => {
    writeFileSync(
      join(dir(), 'long.js'),
      `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } } };
export default function () {
  for (let i = 0; i < 5; i++) {
    http.get(__ENV.B + '/echo-cookie');
    sleep(0.3);
  }
}
`,
    );
    const io = {
      cwd: dir(),
      env: { ...process.env, K6_EMBEDDED_VU_SOCKETS: '1', K6_CSV_TIME_FORMAT: 'unix_milli' },
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({ write: (_c, _e, done) => done() }),
      signal: new AbortController().signal,
    };
    expect(await runK6CommandLine(['run', '-q', '-e', `B=${server.base}`, '--out', 'csv=long.csv', 'long.js'], io)).toBe(0);
    const rows = csvRows(readFileSync(join(dir(), 'long.csv'), 'utf8'));
    // The engine's per-second rows (vus) come after the first request's, as in k6's CSV: the stage
    // statistics take the first row's time as the test's start.
    expect(rows[0]!.metric_name).toBe('http_reqs');
    const firstVus = rows.findIndex((r) => r.metric_name === 'vus');
    const requestsBefore = rows.slice(0, firstVus).filter((r) => r.metric_name === 'http_reqs').length;
    expect(requestsBefore).toBeGreaterThan(0);
  });

  it("closes the VUs' sockets with the run, its worker threads terminated or not", async () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    await run('1'); // the addon loaded, the pool's first buffers made
    const before = fds();
    await run('1');
    let after = fds();
    for (let i = 0; i < 100 && after > before; i++) {
      await new Promise((r) => setTimeout(r, 10));
      after = fds();
    }
    expect(after).toBeLessThanOrEqual(before);
  });

  it('counts the same requests and bytes either way', async () => {
    const own = await run('1');
    const main = await run('0');
    const counts = (m: Record<string, Record<string, number>>) =>
      ['http_reqs', 'data_sent', 'data_received', 'iterations']
        .map((name) => [name, m[name]!.count])
        .concat([['failed', m.http_req_failed!.fails]]);
    expect(counts(own.summary.metrics)).toEqual(counts(main.summary.metrics));
    expect(own.summary.metrics.data_received!.count).toBeGreaterThan(0);
  });
});
