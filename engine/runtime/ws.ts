/**
 * k6/ws, k6's first WebSocket API: `ws.connect` blocks the VU until the socket closes, running
 * the script's handlers and its socket timers in between (one event loop per session, as k6's).
 */
import type { WsEvent } from '../protocol.ts';
import { host } from './host.ts';
import { Interrupt, call } from './state.ts';
import { control, openSession, payload, sendFrame, type WsParams } from './ws-wire.ts';

type Handler = (...args: unknown[]) => void;

interface Timer {
  at: number;
  fn: () => void;
  every?: number;
}

/** What k6's handlers get on an error: an object whose error() says what went wrong. */
function wsError(message: string): { error(): string; toString(): string } {
  return { error: () => message, toString: () => message };
}

export class Socket {
  private readonly handlers = new Map<string, Handler[]>();
  private timers: Timer[] = [];
  closed = false;

  constructor(private readonly id: number) {}

  on(event: string, fn: Handler): void {
    if (typeof fn !== 'function') throw new TypeError(`socket.on('${event}'): the handler is not a function`);
    const list = this.handlers.get(event) ?? [];
    list.push(fn);
    this.handlers.set(event, list);
  }

  send(data: unknown): void {
    sendFrame(this.id, String(data));
  }

  sendBinary(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) throw new TypeError('sendBinary: the message is not an ArrayBuffer');
    sendFrame(this.id, data);
  }

  ping(): void {
    control('ws-ping', this.id);
  }

  /** k6 closes with 1000 (normal closure) unless told otherwise. */
  close(code?: number): void {
    control('ws-close', this.id, code ?? 1000);
  }

  setTimeout(fn: () => void, ms: number): void {
    this.timers.push({ at: host.now() + Number(ms), fn });
  }

  setInterval(fn: () => void, ms: number): void {
    if (!(Number(ms) > 0)) throw new Error(`setInterval requires a >0 timeout parameter, received ${String(ms)}`);
    this.timers.push({ at: host.now() + Number(ms), fn, every: Number(ms) });
  }

  fire(event: string, ...args: unknown[]): void {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }

  dispatch(e: WsEvent): void {
    if (e.type === 'message') this.fire(e.binary ? 'binaryMessage' : 'message', payload(e));
    else if (e.type === 'ping' || e.type === 'pong') this.fire(e.type);
    else if (e.type === 'error') this.fire('error', wsError(e.error));
    else if (e.type === 'close') {
      this.closed = true;
      this.fire('close', e.code);
    }
  }

  /** Milliseconds until the next timer is due (an hour when there is none). */
  nextTimerIn(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const t of this.timers) at = Math.min(at, t.at);
    return at === Number.POSITIVE_INFINITY ? 3_600_000 : Math.max(0, at - host.now());
  }

  runDueTimers(): void {
    const t0 = host.now();
    const due = this.timers.filter((t) => t.at <= t0);
    this.timers = this.timers.filter((t) => t.at > t0 || t.every !== undefined);
    for (const t of due) {
      if (t.every !== undefined) t.at += t.every;
      if (!this.closed) t.fn();
    }
  }
}

/** ws.connect's answer: the handshake's response, as k6 gives it. */
export interface WsResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  error: string;
}

/** Pulls the VU's session events from the main thread (blocking this VU only) up to timeoutMs. */
function waitEvents(id: number, timeoutMs: number): WsEvent[] {
  const r = call({ op: 'ws-wait', timeoutMs });
  if (r.op === 'interrupted') throw new Interrupt();
  if (r.op !== 'ws-events') throw new Error('embedded engine: unexpected reply to ws-wait');
  return r.events.filter((e) => e.id === id);
}

/** Waits for the handshake's outcome (the open event, or the error that ended it) and the events that came with it. */
function handshake(id: number): { first: Extract<WsEvent, { type: 'open' | 'error' | 'close' }>; rest: WsEvent[] } {
  for (;;) {
    const events = waitEvents(id, 3_600_000);
    const i = events.findIndex((e) => e.type === 'open' || e.type === 'error' || e.type === 'close');
    if (i >= 0) return { first: events[i] as Extract<WsEvent, { type: 'open' | 'error' | 'close' }>, rest: events.slice(i + 1) };
  }
}

export function connect(url: unknown, paramsOrFn: unknown, fn?: unknown): WsResponse {
  const setup = (typeof paramsOrFn === 'function' ? paramsOrFn : fn) as ((s: Socket) => void) | undefined;
  const params = typeof paramsOrFn === 'function' ? undefined : (paramsOrFn as WsParams | null | undefined);
  if (typeof setup !== 'function') throw new TypeError('ws.connect: the last argument must be a function that sets up the socket');
  const u = String(url);
  const id = openSession(u, params, false);
  const { first, rest } = handshake(id);
  if (first.type !== 'open') {
    const error = first.type === 'error' ? first.error : 'websocket: close before the handshake ended';
    host.log('warn', 'Attempt to establish a WebSocket connection failed', `error=${JSON.stringify(error)}`);
    return { url: u, status: first.type === 'error' ? (first.status ?? 0) : 0, headers: {}, body: '', error };
  }
  const socket = new Socket(id);
  try {
    setup(socket);
    socket.fire('open');
    for (const e of rest) socket.dispatch(e);
    while (!socket.closed) {
      for (const e of waitEvents(id, socket.nextTimerIn())) socket.dispatch(e);
      socket.runDueTimers();
    }
  } catch (e) {
    // A handler threw (or the iteration was interrupted): the session ends with it.
    if (!socket.closed && !(e instanceof Interrupt)) control('ws-close', id, 1000);
    throw e;
  }
  return { url: u, status: first.status, headers: first.headers, body: '', error: '' };
}

export default { connect };
