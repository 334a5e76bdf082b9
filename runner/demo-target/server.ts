import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
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
  /** WebSocket sessions opened on `/session`, and the actions they sent (answered or not). */
  readonly sessions: number;
  readonly actions: number;
  /** Actions left unanswered because the endpoint stalled (`stallAfterMs`). */
  readonly stalled: number;
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

/** Where a job's answer goes: an HTTP response, or a WebSocket session's messages about action `id`. */
type AnswerTo =
  | { readonly kind: 'http'; readonly req: IncomingMessage; readonly res: ServerResponse }
  | { readonly kind: 'ws'; readonly socket: WebSocket; readonly id: unknown };

interface Job {
  readonly route: Route | 'action';
  readonly to: AnswerTo;
  readonly arrivedMs: number;
  timeout: NodeJS.Timeout | undefined;
  service: NodeJS.Timeout | undefined;
  answered: boolean;
}

/** Everything one demo target holds while it runs: its options, clock, counters, queue and workers. */
interface TargetState {
  readonly o: DemoTargetOptions;
  readonly random: () => number;
  readonly now: () => number;
  readonly startedMs: number;
  readonly counts: {
    received: number;
    ok: number;
    notFound: number;
    rejected: number;
    timedOut: number;
    injected: number;
    abandoned: number;
    closedConnections: number;
    maxInService: number;
    maxQueued: number;
    sessions: number;
    actions: number;
    stalled: number;
  };
  readonly byRoute: Record<Route | 'other', number>;
  readonly queue: Job[];
  readonly inService: Set<Job>;
}

function send(job: Job, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  if (job.answered) return;
  job.answered = true;
  if (job.timeout) clearTimeout(job.timeout);
  const to = job.to;
  if (to.kind === 'ws') {
    // An action's failure is one message, the session stays open (as an app reports an error in its page).
    if (to.socket.readyState === to.socket.OPEN) to.socket.send(JSON.stringify({ op: 'error', id: to.id, status, error: body.trim() }));
    return;
  }
  if (to.res.destroyed || to.res.writableEnded) return;
  to.res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  to.res.end(to.req.method === 'HEAD' ? undefined : body);
}

/** An action served: its result streamed as two messages, as an app re-running its page would. */
function answerAction(state: TargetState, job: Job, to: Extract<AnswerTo, { kind: 'ws' }>): void {
  job.answered = true;
  if (job.timeout) clearTimeout(job.timeout);
  state.counts.ok += 1;
  if (to.socket.readyState !== to.socket.OPEN) return;
  to.socket.send(JSON.stringify({ op: 'delta', id: to.id }));
  to.socket.send(JSON.stringify({ op: 'done', id: to.id }));
}

/** Starts the jobs the free workers can take, each for a log-normal service time × drift. */
function dispatch(state: TargetState): void {
  const { o, queue, inService, now } = state;
  while (inService.size < o.workers && queue.length > 0) {
    const job = queue.shift()!;
    inService.add(job);
    state.counts.maxInService = Math.max(state.counts.maxInService, inService.size);
    const waitedMs = now() - job.arrivedMs;
    const mean = job.route === 'action' ? o.actionMs : o.serviceMs[job.route];
    const serviceMs = logNormal(mean, o.spread, state.random) * driftFactor(o.driftPctPerMin, now() - state.startedMs);
    job.service = setTimeout(() => {
      inService.delete(job);
      job.service = undefined;
      finish(state, job, serviceMs, waitedMs);
      dispatch(state);
    }, serviceMs);
  }
}

function finish(state: TargetState, job: Job, serviceMs: number, waitedMs: number): void {
  if (job.answered) return; // timed out or abandoned meanwhile: the work is done for nothing
  const timing = { 'x-demo-service-ms': serviceMs.toFixed(1), 'x-demo-queue-ms': waitedMs.toFixed(1) };
  if (state.o.errorRate > 0 && state.random() < state.o.errorRate) {
    state.counts.injected += 1;
    send(job, 500, 'text/plain; charset=utf-8', 'internal error (injected by the demo target)\n', timing);
    return;
  }
  if (job.to.kind === 'ws') answerAction(state, job, job.to);
  else answerPage(state, job, new URL(job.to.req.url ?? '/', 'http://demo'), timing);
}

/** The page of a served HTTP job: home, search results (400 without a query) or a result (404 for an unknown id). */
function answerPage(state: TargetState, job: Job, url: URL, timing: Record<string, string>): void {
  const { counts } = state;
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
}

/** Queues a job for the workers (503 when the queue is full); false when it was refused. */
function enqueue(state: TargetState, job: Job): boolean {
  const { o, queue, inService, counts } = state;
  if (inService.size >= o.workers && queue.length >= o.queueLength) {
    counts.rejected += 1;
    send(job, 503, 'text/plain; charset=utf-8', 'service unavailable: queue full\n', { 'retry-after': '1' });
    return false;
  }
  // The timeout runs on the real clock: it is how long the client waits, not simulated time.
  job.timeout = setTimeout(() => {
    job.timeout = undefined;
    const i = queue.indexOf(job);
    if (i >= 0) queue.splice(i, 1);
    counts.timedOut += 1;
    send(job, 504, 'text/plain; charset=utf-8', 'gateway timeout: no worker answered in time\n');
  }, o.timeoutMs);
  queue.push(job);
  counts.maxQueued = Math.max(counts.maxQueued, queue.length);
  dispatch(state);
  return true;
}

/** The client went away before the answer: the job leaves the queue (a job in service still finishes). */
function abandon(state: TargetState, job: Job): void {
  if (job.answered) return;
  job.answered = true;
  state.counts.abandoned += 1;
  if (job.timeout) clearTimeout(job.timeout);
  const i = state.queue.indexOf(job);
  if (i >= 0) state.queue.splice(i, 1);
}

/** HTTP requests: `/health` apart, the three routes become jobs for the workers; anything else is 404. */
function requestHandler(state: TargetState): (req: IncomingMessage, res: ServerResponse) => void {
  const { counts, byRoute } = state;
  return (req, res) => {
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
    const job: Job = {
      route,
      to: { kind: 'http', req, res },
      arrivedMs: state.now(),
      timeout: undefined,
      service: undefined,
      answered: false,
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (enqueue(state, job)) res.on('close', () => abandon(state, job));
  };
}

/**
 * `/session`: greets with {"op":"hello"}, then each {"op":"rerun","id":n} is one action for the
 * workers, answered {"op":"delta","id":n} then {"op":"done","id":n} (503/504 as {"op":"error"}).
 */
function sessionHandler(state: TargetState): (socket: WebSocket) => void {
  const { o, counts, now } = state;
  let firstSessionMs: number | null = null;
  return (socket) => {
    counts.sessions += 1;
    firstSessionMs ??= now();
    const mine = new Set<Job>();
    socket.send(JSON.stringify({ op: 'hello' }));
    socket.on('message', (data: Buffer) => {
      counts.actions += 1;
      let id: unknown = null;
      try {
        id = (JSON.parse(data.toString('utf8')) as { id?: unknown }).id ?? null;
      } catch {
        // Not JSON: still an action (its answer carries id null).
      }
      if (o.stallAfterMs !== null && now() - firstSessionMs! >= o.stallAfterMs) {
        counts.stalled += 1;
        return;
      }
      const job: Job = {
        route: 'action',
        to: { kind: 'ws', socket, id },
        arrivedMs: now(),
        timeout: undefined,
        service: undefined,
        answered: false,
      };
      if (enqueue(state, job)) mine.add(job);
    });
    socket.on('close', () => {
      for (const job of mine) abandon(state, job);
    });
  };
}

/** The HTTP server with its WebSocket upgrade on `/session`, listening on 127.0.0.1 (`down: 'close'`: every connection dropped). */
async function listen(state: TargetState, sockets: Set<Socket>): Promise<{ server: Server; wss: WebSocketServer }> {
  const { o, counts } = state;
  const server = createServer({ keepAlive: true }, requestHandler(state));
  // Longer than any think time of the scenarios, so k6 reuses its connections as with a real server.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const onSession = sessionHandler(state);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if ((req.url ?? '/').split('?')[0] !== '/session') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, onSession);
  });
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
  return { server, wss };
}

/**
 * Starts the demo service on 127.0.0.1 (`port: 0` → a free port). Capacity: `workers` requests
 * in service at once, `queueLength` waiting (FIFO), one more → 503; service times log-normal
 * around `serviceMs` × drift; an answer later than `timeoutMs` after arrival → 504; `errorRate`
 * of served requests → 500. WebSocket sessions on `/session`: each action is a job for the same
 * workers and queue (mean `actionMs`), see sessionHandler. `now` is the clock of the drift (tests pass a fake one).
 * Resolves once it listens (in `down: 'refuse'` mode: once a port is picked that nothing listens on).
 */
export async function startDemoTarget(options: Partial<DemoTargetOptions> = {}, now: () => number = Date.now): Promise<DemoTarget> {
  const o: DemoTargetOptions = { ...DEFAULT_OPTIONS, ...options, serviceMs: { ...DEFAULT_OPTIONS.serviceMs, ...options.serviceMs } };
  const state: TargetState = {
    o,
    random: seededRandom(o.seed ?? randomInt(2 ** 31)),
    now,
    startedMs: now(),
    counts: {
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
      sessions: 0,
      actions: 0,
      stalled: 0,
    },
    byRoute: { home: 0, search: 0, result: 0, other: 0 },
    queue: [],
    inService: new Set<Job>(),
  };
  const sockets = new Set<Socket>();
  const { server, wss } = await listen(state, sockets);
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
      ...state.counts,
      byRoute: { ...state.byRoute },
      inService: state.inService.size,
      queued: state.queue.length,
      serviceTimeFactor: driftFactor(o.driftPctPerMin, now() - state.startedMs),
    }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const job of [...state.queue, ...state.inService]) {
        if (job.timeout) clearTimeout(job.timeout);
        if (job.service) clearTimeout(job.service);
        job.answered = true;
      }
      state.queue.length = 0;
      state.inService.clear();
      for (const c of wss.clients) c.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await closeServer();
    },
  };
}
