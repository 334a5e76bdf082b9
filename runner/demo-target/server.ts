import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RESULT_ID, homePage, resultPage, searchJson } from './pages.ts';
import { DEFAULT_OPTIONS, type DemoTargetOptions, type Route, driftFactor, logNormal, seededRandom } from './model.ts';

export {
  DEFAULT_OPTIONS as DEMO_DEFAULTS,
  PRESETS as DEMO_PRESETS,
  PRESET_NAMES as DEMO_PRESET_NAMES,
  estimateKnee,
  type DemoTargetOptions,
  type PresetName as DemoPresetName,
} from './model.ts';

/** What the demo target did since it started. */
export interface DemoTargetStats {
  /** Requests received (health checks excluded). */
  readonly received: number;
  readonly byRoute: Readonly<Record<Route | 'other', number>>;
  /** Answers by kind. */
  readonly ok: number;
  readonly notFound: number;
  /** 503: the queue was full on arrival. */
  readonly rejected: number;
  /** 504: not answered within the timeout. */
  readonly timedOut: number;
  /** 500: injected errors. */
  readonly injected: number;
  /** Requests whose client went away before the answer. */
  readonly abandoned: number;
  /** Connections closed on accept in `down: 'close'` mode. */
  readonly closedConnections: number;
  readonly inService: number;
  readonly queued: number;
  readonly maxInService: number;
  readonly maxQueued: number;
  /** Current drift multiplier of service times. */
  readonly serviceTimeFactor: number;
}

export interface DemoTarget {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly options: DemoTargetOptions;
  /** Stops listening, drops queued and in-service requests, closes every connection. */
  close(): Promise<void>;
  stats(): DemoTargetStats;
}

interface Job {
  readonly route: Route;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly arrivedMs: number;
  timeout: NodeJS.Timeout | undefined;
  service: NodeJS.Timeout | undefined;
  answered: boolean;
}

/**
 * Starts the demo service on 127.0.0.1 (`port: 0` → a free port). Capacity: `workers` requests
 * in service at once, `queueLength` waiting (FIFO), one more → 503; service times log-normal
 * around `serviceMs` × drift; an answer later than `timeoutMs` after arrival → 504; `errorRate`
 * of served requests → 500. `now` is the clock of the drift (tests pass a fake one).
 * Resolves once it listens (in `down: 'refuse'` mode: once a port is picked that nothing listens on).
 */
export async function startDemoTarget(options: Partial<DemoTargetOptions> = {}, now: () => number = Date.now): Promise<DemoTarget> {
  const o: DemoTargetOptions = { ...DEFAULT_OPTIONS, ...options, serviceMs: { ...DEFAULT_OPTIONS.serviceMs, ...options.serviceMs } };
  const random = seededRandom(o.seed ?? randomInt(2 ** 31));
  const startedMs = now();
  const counts = {
    received: 0,
    ok: 0,
    notFound: 0,
    rejected: 0,
    timedOut: 0,
    injected: 0,
    abandoned: 0,
    closedConnections: 0,
    maxInService: 0,
    maxQueued: 0,
  };
  const byRoute: Record<Route | 'other', number> = { home: 0, search: 0, result: 0, other: 0 };
  const queue: Job[] = [];
  const inService = new Set<Job>();
  const sockets = new Set<Socket>();

  const send = (job: Job, status: number, type: string, body: string, extra: Record<string, string> = {}) => {
    if (job.answered) return;
    job.answered = true;
    if (job.timeout) clearTimeout(job.timeout);
    if (job.res.destroyed || job.res.writableEnded) return;
    job.res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
    job.res.end(job.req.method === 'HEAD' ? undefined : body);
  };

  const dispatch = () => {
    while (inService.size < o.workers && queue.length > 0) {
      const job = queue.shift()!;
      inService.add(job);
      counts.maxInService = Math.max(counts.maxInService, inService.size);
      const waitedMs = now() - job.arrivedMs;
      const serviceMs = logNormal(o.serviceMs[job.route], o.spread, random) * driftFactor(o.driftPctPerMin, now() - startedMs);
      job.service = setTimeout(() => {
        inService.delete(job);
        job.service = undefined;
        finish(job, serviceMs, waitedMs);
        dispatch();
      }, serviceMs);
    }
  };

  const finish = (job: Job, serviceMs: number, waitedMs: number) => {
    if (job.answered) return; // timed out or abandoned meanwhile: the work is done for nothing
    const timing = { 'x-demo-service-ms': serviceMs.toFixed(1), 'x-demo-queue-ms': waitedMs.toFixed(1) };
    if (o.errorRate > 0 && random() < o.errorRate) {
      counts.injected += 1;
      send(job, 500, 'text/plain; charset=utf-8', 'internal error (injected by the demo target)\n', timing);
      return;
    }
    const url = new URL(job.req.url ?? '/', 'http://demo');
    if (job.route === 'home') {
      counts.ok += 1;
      send(job, 200, 'text/html; charset=utf-8', homePage(), timing);
    } else if (job.route === 'search') {
      const q = url.searchParams.get('q') ?? '';
      if (q.trim() === '') {
        counts.notFound += 1;
        send(job, 400, 'application/json', '{"error":"missing query parameter q"}', timing);
        return;
      }
      counts.ok += 1;
      send(job, 200, 'application/json', searchJson(q), timing);
    } else {
      const id = decodeURIComponent(url.pathname.slice('/items/'.length));
      if (!RESULT_ID.test(id)) {
        counts.notFound += 1;
        send(job, 404, 'text/plain; charset=utf-8', 'no such item\n', timing);
        return;
      }
      counts.ok += 1;
      send(job, 200, 'text/html; charset=utf-8', resultPage(id), timing);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    counts.received += 1;
    const route: Route | undefined =
      path === '/' ? 'home' : path === '/search' ? 'search' : path.startsWith('/items/') ? 'result' : undefined;
    if (route === undefined) {
      byRoute.other += 1;
      counts.notFound += 1;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    byRoute[route] += 1;
    const job: Job = { route, req, res, arrivedMs: now(), timeout: undefined, service: undefined, answered: false };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (inService.size >= o.workers && queue.length >= o.queueLength) {
      counts.rejected += 1;
      send(job, 503, 'text/plain; charset=utf-8', 'service unavailable: queue full\n', { 'retry-after': '1' });
      return;
    }
    // The timeout runs on the real clock: it is how long the client waits, not simulated time.
    job.timeout = setTimeout(() => {
      job.timeout = undefined;
      const i = queue.indexOf(job);
      if (i >= 0) queue.splice(i, 1);
      counts.timedOut += 1;
      send(job, 504, 'text/plain; charset=utf-8', 'gateway timeout: no worker answered in time\n');
    }, o.timeoutMs);
    res.on('close', () => {
      if (job.answered) return;
      job.answered = true;
      counts.abandoned += 1;
      if (job.timeout) clearTimeout(job.timeout);
      const i = queue.indexOf(job);
      if (i >= 0) queue.splice(i, 1);
    });
    queue.push(job);
    counts.maxQueued = Math.max(counts.maxQueued, queue.length);
    dispatch();
  };

  const server = createServer({ keepAlive: true }, onRequest);
  // Longer than any think time of the scenarios, so k6 reuses its connections as with a real server.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('connection', (socket: Socket) => {
    if (o.down === 'close') {
      counts.closedConnections += 1;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  // Down by refusal: the port was free a moment ago and nothing listens on it any more.
  if (o.down === 'refuse') await closeServer();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    options: o,
    stats: () => ({
      ...counts,
      byRoute: { ...byRoute },
      inService: inService.size,
      queued: queue.length,
      serviceTimeFactor: driftFactor(o.driftPctPerMin, now() - startedMs),
    }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const job of [...queue, ...inService]) {
        if (job.timeout) clearTimeout(job.timeout);
        if (job.service) clearTimeout(job.service);
        job.answered = true;
      }
      queue.length = 0;
      inService.clear();
      for (const s of sockets) s.destroy();
      await closeServer();
    },
  };
}
