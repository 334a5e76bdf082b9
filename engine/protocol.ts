import type { MessagePort } from 'node:worker_threads';

/**
 * The messages between the main thread and a VU's worker. A VU calls the main thread
 * synchronously (its thread blocks in Atomics.wait while the main thread answers), so every
 * call carries the samples the VU measured since its last call: the main thread sees each
 * VU's samples in the order they were taken, and no extra message is needed for them.
 */

/**
 * The function a VU wraps the user's CommonJS bundle in, on a line of its own: the bundle's
 * lines are then the evaluated script's lines shifted by one (source-mapped stack traces).
 */
export const USER_MODULE_PREFIX = '(function (require, module, exports) {\n';
export const USER_MODULE_SUFFIX = '\n})';

/** One metric sample as a VU measured it: [metric, value, epoch ms, tags, metadata?]. */
export type WireSample = [string, number, number, Record<string, string>, Record<string, string>?];

/** A custom metric declared by the script (`new Trend('x', true)`). */
export interface WireMetricDecl {
  name: string;
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  isTime: boolean;
}

/** An iteration a VU ended without asking for the next one (it held a lease, see `iterate`). */
export interface IterationEnd {
  startMs: number;
  endMs: number;
  tags: Record<string, string>;
  /** exec.vu.metrics.metadata and, when systemTags enable them, vu / iter. */
  metadata?: Record<string, string>;
  error?: string;
  interrupted?: boolean;
  /** The VU's own sockets' bytes when the iteration ended (CallBase.localBytes). */
  localBytes?: [number, number];
}

/** What a VU sends with every call. */
export interface CallBase {
  samples?: WireSample[];
  metrics?: WireMetricDecl[];
  /** Iterations ended since the last call, in order (the main thread emits their metrics). */
  iterations?: IterationEnd[];
  /** Hops the VU made on its own sockets since the last call: their samples (socket-http.ts). */
  hops?: WireHopSample[];
  /** Bytes the VU's own sockets moved so far [read, written] (its part of data_received / data_sent). */
  localBytes?: [number, number];
}

/**
 * A hop a VU made on its own sockets, for its samples: what SampleSink.addHop reads of the request
 * and of the hop. `at`: the number of the call's samples taken before it (they keep their order).
 */
export interface WireHopSample {
  at: number;
  req: Pick<WireHttpRequest, 'url' | 'tags' | 'expected' | 'metadata'>;
  hop: Pick<WireHop, 'method' | 'url' | 'status' | 'proto' | 'timings' | 'error' | 'errorCode' | 'endMs'>;
  redirected: boolean;
}

/** What the worker answers the VU's runtime for a request it may send on its own sockets (Host.http). */
export type LocalHttpReply =
  /** `hops` of a redirect chain; a single hop's samples are the response's (its time: `endMs`). */
  | { response: WireHttpResponse; endMs: number; hops?: Array<Pick<WireHopSample, 'hop' | 'redirected'>> }
  | { prior: WireHop[] }
  | 'interrupted';

/**
 * One HTTP exchange (a hop of a redirect chain) as data: one a VU made on its own sockets, handed to
 * the main thread to go on with (a cookie to keep, an https redirect). The main thread's hops
 * (http-hop.ts Hop) have these fields, their body as bytes.
 */
export interface WireHop {
  method: string;
  url: string;
  status: number;
  statusText: string;
  proto: string;
  headers: Record<string, string>;
  /** Base64; the last hop's only. */
  body?: string;
  timings: WireTimings;
  error: string;
  errorCode: number;
  /** Epoch ms at the end of the exchange: the time of its samples. */
  endMs: number;
  /** Raw Set-Cookie lines. */
  setCookie: string[];
  /** A transport error as Go words it (k6's "Request Failed" warning). */
  errorDetail?: string;
}

export interface WireHttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text body, or base64 when `bodyBase64`. */
  body: string | null;
  bodyBase64?: boolean;
  timeoutMs: number;
  redirects: number;
  responseType: 'text' | 'binary' | 'none';
  /** Tags of the samples of this request (system tags the VU knows + user tags). */
  tags: Record<string, string>;
  metadata?: Record<string, string>;
  /** Status ranges counted as expected (k6's responseCallback); null: no callback (all expected). */
  expected: Array<[number, number]> | null;
  /** params.auth 'digest' (RFC 7616 with the URL's credentials); 'basic' is the default for URL credentials. */
  auth?: 'digest';
  /** params.cookies, in order: [name, value, replace the jar's cookie of that name]. */
  cookies?: Array<[string, string, boolean]>;
  /** params.jar when it is a jar the script made (`new http.CookieJar()`): its cookies, sent back updated. */
  jar?: WireJar;
  /** options.throw: a transport error comes back as `errorDetail` (the VU throws it) and is not logged. */
  throw?: true;
  /** Neither params.redirects nor options.maxRedirects: k6 warns when the default 10 stop a chain. */
  defaultRedirects?: true;
  /** The hops the VU already made on its own sockets: the main thread takes the chain up after them. */
  prior?: WireHop[];
}

/** A jar the script made, as data (tough-cookie's serialized cookies): it lives in the VU, not on the main thread. */
export type WireJar = unknown[];

/** A cookie as k6 gives it in `res.cookies` (Go's http.Cookie fields). */
export interface WireCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

/** A call on a cookie jar (k6's CookieJar methods); `jar` null is the VU's own jar. */
export type WireJarCall =
  | { action: 'get'; url: string }
  | {
      action: 'set';
      url: string;
      name: string;
      value: string;
      opts: { domain?: string; path?: string; expires?: string; max_age?: number; secure?: boolean; http_only?: boolean };
    }
  | { action: 'clear'; url: string }
  | { action: 'delete'; url: string; name: string };

export interface WireTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

export interface WireHttpResponse {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  headers: Record<string, string>;
  /** Text, base64 (binary) or null (`responseType: none`, or a transport error). */
  body: string | null;
  bodyBase64?: boolean;
  timings: WireTimings;
  error: string;
  error_code: number;
  remote_ip: string;
  remote_port: number;
  /**
   * The last hop's method when a redirect changed it (a 303 after a POST): the VU builds
   * res.request from what it sent and this, so the request does not travel back with every reply.
   */
  method?: string;
  /** Cookies set by this response (not by the redirects before it), as k6's res.cookies. */
  cookies?: Record<string, WireCookie[]>;
  /** The script's own jar after the request (when it sent one). */
  jar?: WireJar;
  /** A transport error as Go words it (`Get "url": dial tcp …`), when the request asked to throw. */
  errorDetail?: string;
  /** The request stored cookies in the VU's jar (its later requests then go through the main thread). */
  jarChanged?: true;
}

/** A call from a VU to the main thread. */
export type VuCall =
  | (CallBase & { op: 'init'; ok: true; options: unknown; exports: string[] })
  | (CallBase & { op: 'init'; ok: false; error: string; abort?: string })
  /** The end of a command: an iteration (with its start and end, epoch ms), setup, teardown, handleSummary. */
  | (CallBase & {
      op: 'done';
      error?: string;
      abort?: string;
      interrupted?: boolean;
      result?: string;
      startMs?: number;
      endMs?: number;
      tags?: Record<string, string>;
      metadata?: Record<string, string>;
    })
  /** `resetCookies`: the first request of an iteration (k6 empties a VU's cookie jar per iteration). */
  | (CallBase & { op: 'http'; requests: WireHttpRequest[]; resetCookies?: boolean })
  | (CallBase & { op: 'async-http'; id: number; request: WireHttpRequest; resetCookies?: boolean })
  | (CallBase & { op: 'cookies'; jar: WireJar | null; call: WireJarCall; resetCookies?: boolean })
  | (CallBase & { op: 'shared-get'; name: string })
  /** The SharedArray's buffers travel just before, as a `shared-put` message on the VU's port. */
  | (CallBase & { op: 'shared-put'; name: string })
  /** The VU that was to build the SharedArray failed (its function threw): another may try. */
  | (CallBase & { op: 'shared-fail'; name: string })
  | (CallBase & { op: 'exec-state' })
  | (CallBase & { op: 'flush' })
  | (CallBase & WsCall);

/** A WebSocket session as a VU opens it (k6/ws, k6/experimental/websockets): the socket lives on the main thread. */
export interface WireWsOpen {
  id: number;
  url: string;
  headers: Record<string, string>;
  protocols?: string[];
  /** Tags of the session's ws_* samples (the VU's tags, params.tags, name and url). */
  tags: Record<string, string>;
  metadata?: Record<string, string>;
  /**
   * true: events are posted on the VU's port as they come (the browser-like WebSocket, whose VU
   * runs its event loop); false: they wait for the VU's `ws-wait` (k6/ws, which blocks the VU).
   */
  push: boolean;
}

/** One event of a VU's WebSocket, in the order the main thread saw them. */
export type WsEvent =
  | { id: number; type: 'open'; status: number; headers: Record<string, string> }
  /** Text, or base64 when `binary`. */
  | { id: number; type: 'message'; data: string; binary?: true }
  | { id: number; type: 'ping' | 'pong' }
  | { id: number; type: 'close'; code: number; reason: string }
  /** `status`: the handshake's answer when the server refused the upgrade. */
  | { id: number; type: 'error'; error: string; status?: number };

/** The calls of a VU's WebSocket sessions (served by ws-sessions.ts). */
export type WsCall =
  | ({ op: 'ws-open' } & WireWsOpen)
  /** Blocks until one of the VU's pulled sessions has events, or timeoutMs passed (then no events). */
  | { op: 'ws-wait'; timeoutMs: number }
  /** Text, or base64 when `binary`. */
  | { op: 'ws-send'; id: number; data: string; binary?: true }
  | { op: 'ws-ping'; id: number }
  | { op: 'ws-close'; id: number; code: number; reason?: string };

/** What a VU is told to do next (the reply to `init` and `done`). */
export type VuCommand =
  /**
   * Runs iterations. With `lease`, the VU goes on with the next iteration by itself while the
   * `hold` slot is 0 (numbering them from the shared counters), reporting ended iterations with
   * its next call: one round trip per iteration saved. Without it, one iteration, then `done`.
   */
  | {
      op: 'iterate';
      scenario: string;
      scenarioIndex: number;
      executor: string;
      exec: string;
      iterInScenario: number;
      iterInTest: number;
      scenarioStartMs: number;
      data: string | null;
      lease: boolean /** options.tags and the scenario's tags: on every sample of the iteration */;
      tags?: Record<string, string> /** the scenario's env, over the test's in __ENV */;
      env?: Record<string, string> /** systemTags enable vu / iter: into each sample's metadata */;
      sysMeta?: { vu: boolean; iter: boolean };
    }
  | { op: 'setup' }
  | { op: 'teardown'; data: string | null }
  | { op: 'handleSummary'; summary: string }
  | { op: 'exit' };

export interface ExecState {
  vusActive: number;
  vusInitialized: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  currentTestRunDuration: number;
  scenarioProgress: number;
}

/** Reply to a call that is not a control call. */
export type VuReply =
  | { op: 'http'; responses: WireHttpResponse[] }
  | { op: 'async-started' }
  /** A jar call's answer: cookiesForURL's map, the script's jar updated, or the error to throw. */
  | { op: 'cookies'; cookies?: Record<string, string[]>; jar?: WireJar; error?: string }
  /** found: the buffers come on the VU's port (a `shared` message); else this VU must build them. */
  | { op: 'shared'; found: boolean }
  | { op: 'exec-state'; state: ExecState }
  | { op: 'ws-events'; events: WsEvent[] }
  | { op: 'ok' }
  | { op: 'interrupted' };

/** Layout of a VU's SharedArrayBuffer (Int32 slots, then the message bytes). */
export const SLOT = {
  /** 0 idle, 1 a call is waiting for the main thread, 3 the main thread serves it, 2 the reply is ready. */
  state: 0,
  /** 1 while the main thread wants the VU to stop its current iteration now. */
  interrupt: 1,
  /** Byte length of the message in the data area; -1 when it came through the MessagePort. */
  length: 2,
  /** 1 while the main thread wants the VU to come back after its current iteration. */
  hold: 3,
} as const;
/** Slots of the test-wide counters (Int32): iterations in the test, then per scenario. */
export const COUNTER = { iterInTest: 0, scenarioBase: 1 } as const;
export const STATE = { idle: 0, call: 1, reply: 2, serving: 3 } as const;
/** The bell every VU shares (vu-bell.ts): `asleep` is 1 while the main thread waits for a VU to ring. */
export const BELL = { asleep: 0 } as const;
export const HEADER_BYTES = 16;
/** Messages larger than this go through the VU's MessagePort instead of shared memory. */
export const DATA_BYTES = 256 * 1024;

/** Data a worker starts with. */
export interface VuWorkerData {
  vuId: number;
  code: string;
  scriptPath: string;
  env: Record<string, string>;
  sab: SharedArrayBuffer;
  port: MessagePort;
  /** True for the VU that reads options and runs setup/teardown (k6's "VU 0"). */
  controller: boolean;
  /** Test-wide iteration counters (COUNTER), shared by every VU and the main thread. */
  counters: SharedArrayBuffer;
  /** The bell (BELL) a VU rings after its call when the main thread sleeps. */
  bell: SharedArrayBuffer;
  /** Plain HTTP on the VU's own sockets (docs/engine-vu-sockets.md): the addon, the wake pipe's read end, the User-Agent. */
  sockets?: { addon: string; wakeFd: number; userAgent: string };
}

/** Message on a VU's port from the main thread (async HTTP results, oversize replies). */
export type PortMessage =
  | { kind: 'async-result'; id: number; response: WireHttpResponse | null; interrupted?: boolean }
  | { kind: 'reply'; json: string }
  | { kind: 'ws-events'; events: WsEvent[] }
  | ({ kind: 'shared' } & SharedData);

/** Message on a VU's port to the main thread. */
export type WorkerPortMessage =
  | { kind: 'log'; level: 'info' | 'warn' | 'error' | 'debug'; text: string }
  | { kind: 'call'; json: string }
  | ({ kind: 'shared-put' } & SharedData);

/**
 * One SharedArray, held once by the process: its elements' JSON one after the other (UTF-8) and
 * `offsets` (Float64, length + 1 entries) where each starts, the last one being the end.
 */
export interface SharedData {
  data: SharedArrayBuffer;
  offsets: SharedArrayBuffer;
}
