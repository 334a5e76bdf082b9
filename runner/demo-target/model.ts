/**
 * The demo target's capacity model, as data and pure functions: options, presets, the knee it
 * implies, service-time sampling. The HTTP server (server.ts) only applies them.
 */

/** What happens to connections: served normally, refused (nothing listens), or closed on accept. */
export const DOWN_MODES = ['no', 'refuse', 'close'] as const;
export type DownMode = (typeof DOWN_MODES)[number];

export const ROUTES = ['home', 'search', 'result'] as const;
export type Route = (typeof ROUTES)[number];

export interface DemoTargetOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port: number;
  /** Requests served at the same time (a bounded worker pool). */
  readonly workers: number;
  /** Mean service time of each page, in ms, before drift. */
  readonly serviceMs: Readonly<Record<Route, number>>;
  /** Spread of service times: σ of the log-normal (0 = constant; 0.6 gives p95 ≈ 2.7 × median). */
  readonly spread: number;
  /** Requests that may wait for a worker; one more is answered 503 at once. */
  readonly queueLength: number;
  /** A request not answered this long after it arrived gets a 504 (the worker still finishes it). */
  readonly timeoutMs: number;
  /** Share of served requests answered 500 (0–1), after their service time. */
  readonly errorRate: number;
  /** Service time grows by this many % of its start value per minute since the start (linear). */
  readonly driftPctPerMin: number;
  readonly down: DownMode;
  /** Seed of the random draws (service times, injected errors): same seed, same sequence. */
  readonly seed: number | undefined;
  /**
   * Mean service time of one action of a WebSocket session (`/session`), in ms: the work of a
   * re-run, done by the same workers as the pages (so sessions and pages saturate together).
   */
  readonly actionMs: number;
  /**
   * From this long after the first WebSocket session (the load's start, whatever the client's
   * start-up took), `/session` stops answering actions (sockets stay open); null: never.
   */
  readonly stallAfterMs: number | null;
}

/**
 * The defaults put the knee of the default scenario (scenarios/search.ts, think time 1–3 s)
 * between 75 and 150 users:
 * - one iteration = 3 requests (home, search, result) and 3 think times of 2 s on average,
 *   so about 6 s + 0.21 s of service = 6.21 s; each user offers 3 / 6.21 ≈ 0.48 request/s;
 * - the service's capacity = workers / mean service time = 4 / 70 ms ≈ 57 requests/s
 *   (mean of 30, 130 and 50 ms, one of each per iteration);
 * - the knee (utilisation 1) ≈ 57 / 0.48 ≈ 118 users (`estimateKnee`). Around 75 users the
 *   workers are ~65 % busy and queueing starts to show in the p95; past ~110 the random
 *   bursts fill the queue of 20 and the overflow is answered 503.
 * Measured on the build machine (2 cores; closed loop of the journey with fetch, 30 s holds):
 *   50 users 24 req/s, search p95 234 ms | 75: 36 req/s, 280 ms | 100: 46 req/s, 457 ms |
 *   125: 55 req/s, 607 ms, 4.7 % errors (503) | 150: 63 req/s, 576 ms, 10 % errors.
 */
export const DEFAULT_OPTIONS: DemoTargetOptions = {
  port: 0,
  workers: 4,
  serviceMs: { home: 30, search: 130, result: 50 },
  spread: 0.6,
  queueLength: 20,
  timeoutMs: 5000,
  errorRate: 0,
  driftPctPerMin: 0,
  down: 'no',
  seed: undefined,
  actionMs: 70,
  stallAfterMs: null,
};

export const PRESET_NAMES = ['default', 'healthy', 'saturating', 'flaky', 'degrading', 'down'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Named services for the demo and the tests; each is complete (the defaults plus its changes). */
export const PRESETS: Readonly<Record<PresetName, DemoTargetOptions>> = {
  default: DEFAULT_OPTIONS,
  /** Ample capacity: fast pages, many workers, a long queue; no errors. */
  healthy: { ...DEFAULT_OPTIONS, workers: 32, serviceMs: { home: 5, search: 15, result: 8 }, spread: 0.3, queueLength: 500 },
  /** Far too small for even a short test: 2 workers, a queue of 4, slow searches → 503s under a burst. */
  saturating: {
    ...DEFAULT_OPTIONS,
    workers: 2,
    serviceMs: { home: 60, search: 300, result: 120 },
    spread: 0.3,
    queueLength: 4,
    timeoutMs: 3000,
  },
  /** Healthy capacity, but one request in five fails with a 500. */
  flaky: { ...DEFAULT_OPTIONS, workers: 32, serviceMs: { home: 5, search: 15, result: 8 }, spread: 0.3, queueLength: 500, errorRate: 0.2 },
  /** Starts healthy, then every page gets slower: +60 % of its start time per minute. */
  degrading: {
    ...DEFAULT_OPTIONS,
    workers: 16,
    serviceMs: { home: 10, search: 30, result: 15 },
    spread: 0.3,
    queueLength: 200,
    driftPctPerMin: 60,
  },
  /** Nothing listens: every connection is refused. */
  down: { ...DEFAULT_OPTIONS, down: 'refuse' },
};

/** The journey of the default scenario, for the knee estimate. */
export interface JourneyShape {
  readonly requestsPerIteration: number;
  /** Mean think time per iteration, in seconds. */
  readonly thinkS: number;
}
export const DEFAULT_JOURNEY: JourneyShape = { requestsPerIteration: 3, thinkS: 3 * 2 };

/**
 * Users at which the workers are fully busy (utilisation 1), by the operational laws: capacity
 * in requests/s = workers / mean service time; one user offers requests/iteration ÷ iteration
 * time (think + service). Ignores drift and the network.
 */
export function estimateKnee(options: Pick<DemoTargetOptions, 'workers' | 'serviceMs'>, journey: JourneyShape = DEFAULT_JOURNEY): number {
  const serviceS = ROUTES.reduce((sum, r) => sum + options.serviceMs[r], 0) / 1000;
  const meanServiceS = serviceS / ROUTES.length;
  const capacity = options.workers / meanServiceS;
  const perUser = journey.requestsPerIteration / (journey.thinkS + serviceS);
  return capacity / perUser;
}

/** The session scenario's visit (scenarios/session.ts): a home page, then `actions` actions, each after a think time. */
export interface SessionShape {
  readonly actions: number;
  /** Mean think time before each action, in seconds. */
  readonly thinkS: number;
}

/**
 * Users at which the workers are fully busy in the session scenario, by the same laws: one user
 * asks for (home + actions × action) of work per visit of (actions × think + that work).
 * The defaults (actionMs 70) with the demo's 18 workers and 0.4 s think put it near 113 users.
 */
export function estimateSessionKnee(options: Pick<DemoTargetOptions, 'workers' | 'serviceMs' | 'actionMs'>, shape: SessionShape): number {
  const workS = (options.serviceMs.home + shape.actions * options.actionMs) / 1000;
  const visitS = shape.actions * shape.thinkS + workS;
  return options.workers / (workS / visitS);
}

/** The drift multiplier of service times `elapsedMs` after the start. */
export function driftFactor(driftPctPerMin: number, elapsedMs: number): number {
  return 1 + (driftPctPerMin / 100) * (Math.max(0, elapsedMs) / 60_000);
}

/** A seeded uniform generator in [0, 1) (mulberry32): small, fast, good enough for simulation. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A log-normal draw with the given mean and σ (Box–Muller on two uniforms): service times of
 * real systems are right-skewed, most fast and a few much slower. Capped at 20 × the mean so
 * one draw cannot stall a test. σ = 0 gives the mean exactly.
 */
export function logNormal(meanMs: number, sigma: number, random: () => number): number {
  if (sigma <= 0 || meanMs <= 0) return Math.max(0, meanMs);
  const u1 = Math.max(random(), Number.EPSILON);
  const u2 = random();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  const mu = Math.log(meanMs) - (sigma * sigma) / 2; // so that E[X] = meanMs
  return Math.min(Math.exp(mu + sigma * z), 20 * meanMs);
}

/** Checks options from the command line; returns the problems, one line each, naming the flag. */
export function optionProblems(o: DemoTargetOptions): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) problems.push(`--port: expected 0–65535, got ${o.port}`);
  if (!Number.isInteger(o.workers) || o.workers < 1) problems.push(`--workers: expected a whole number ≥ 1, got ${o.workers}`);
  for (const r of ROUTES) {
    const v = o.serviceMs[r];
    if (!Number.isFinite(v) || v < 0) problems.push(`--${r}-ms: expected milliseconds ≥ 0, got ${v}`);
  }
  if (!Number.isFinite(o.spread) || o.spread < 0 || o.spread > 3) problems.push(`--spread: expected a σ between 0 and 3, got ${o.spread}`);
  if (!Number.isInteger(o.queueLength) || o.queueLength < 0) problems.push(`--queue: expected a whole number ≥ 0, got ${o.queueLength}`);
  if (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0) problems.push(`--timeout: expected a duration above 0, got ${o.timeoutMs} ms`);
  if (!Number.isFinite(o.errorRate) || o.errorRate < 0 || o.errorRate > 1)
    problems.push(`--error-rate: expected a share between 0 and 1, got ${o.errorRate}`);
  if (!Number.isFinite(o.driftPctPerMin) || o.driftPctPerMin < 0)
    problems.push(`--drift: expected % per minute ≥ 0, got ${o.driftPctPerMin}`);
  if (!Number.isFinite(o.actionMs) || o.actionMs < 0) problems.push(`--action-ms: expected milliseconds ≥ 0, got ${o.actionMs}`);
  if (o.stallAfterMs !== null && (!Number.isFinite(o.stallAfterMs) || o.stallAfterMs < 0))
    problems.push(`--stall-after: expected a duration ≥ 0, got ${o.stallAfterMs} ms`);
  if (o.seed !== undefined && !Number.isInteger(o.seed)) problems.push(`--seed: expected a whole number, got ${o.seed}`);
  return problems;
}
