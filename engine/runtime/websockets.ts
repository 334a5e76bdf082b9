/**
 * The browser-like WebSocket of k6/experimental/websockets (k6/websockets from k6 v1): events
 * reach the VU's event loop from the main thread, and the iteration ends when its sockets are
 * closed (main.ts awaits socketsClosed()).
 */
import type { PortMessage, WsEvent } from '../protocol.ts';
import { host } from './host.ts';
import { Interrupt } from './state.ts';
import { control, openSession, payload, sendFrame, type WsParams } from './ws-wire.ts';

type Listener = (event: Record<string, unknown>) => void;

const live = new Map<number, WebSocket>();
let settled: { resolve: () => void; reject: (e: unknown) => void; poll: number } | null = null;

function ended(id: number): void {
  live.delete(id);
  if (live.size === 0 && settled) {
    host.clearInterval(settled.poll);
    settled.resolve();
    settled = null;
  }
}

host.onAsync((json) => {
  const m = JSON.parse(json) as PortMessage;
  if (m.kind !== 'ws-events') return;
  for (const e of m.events) live.get(e.id)?.dispatch(e);
});

export class WebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  readyState = 0;
  readonly bufferedAmount = 0;
  readonly extensions = '';
  readonly protocol = '';
  binaryType = 'arraybuffer';
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onclose: Listener | null = null;
  onerror: Listener | null = null;
  onping: Listener | null = null;
  onpong: Listener | null = null;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly id: number;

  constructor(url: unknown, protocols?: string | string[] | null, params?: WsParams | null) {
    this.url = String(url);
    const list = protocols == null ? [] : Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
    this.id = openSession(this.url, params, true, list);
    live.set(this.id, this);
  }

  addEventListener(type: string, fn: Listener): void {
    if (typeof fn !== 'function') throw new TypeError(`addEventListener('${type}'): the listener is not a function`);
    const list = this.listeners.get(type) ?? [];
    list.push(fn);
    this.listeners.set(type, list);
  }

  removeEventListener(type: string, fn: Listener): void {
    const list = this.listeners.get(type);
    if (list)
      this.listeners.set(
        type,
        list.filter((f) => f !== fn),
      );
  }

  send(data: unknown): void {
    if (this.readyState !== 1) throw new Error(`InvalidStateError: the WebSocket is not open (readyState ${this.readyState})`);
    const frame = typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data : String(data);
    sendFrame(this.id, frame);
  }

  ping(): void {
    if (this.readyState === 1) control('ws-ping', this.id);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    control('ws-close', this.id, code ?? 1000, reason);
  }

  /** One event from the main thread: state first, then the on<type> handler and the listeners. */
  dispatch(e: WsEvent): void {
    let event: Record<string, unknown> = { type: e.type, target: this };
    if (e.type === 'open') this.readyState = 1;
    else if (e.type === 'message') event = { ...event, data: payload(e), origin: this.url };
    else if (e.type === 'error') event = { ...event, error: e.error };
    else if (e.type === 'close') {
      this.readyState = 3;
      event = { ...event, code: e.code, reason: e.reason, wasClean: e.code === 1000 };
    }
    try {
      const own = this[`on${e.type}` as 'onopen'];
      if (typeof own === 'function') own.call(this, event);
      for (const fn of this.listeners.get(e.type) ?? []) fn.call(this, event);
    } finally {
      if (e.type === 'close') ended(this.id);
    }
  }
}

/**
 * Resolves when every socket of the VU is closed (at once when none is open); rejects with an
 * Interrupt when the iteration must stop, after closing them. The poll keeps the VU's event loop
 * alive while it waits for the main thread's events.
 */
export function socketsClosed(): Promise<void> | null {
  if (live.size === 0) return null;
  return new Promise<void>((resolve, reject) => {
    const poll = host.setInterval(() => {
      if (!host.interrupted()) return;
      host.clearInterval(poll);
      settled = null;
      for (const id of [...live.keys()]) {
        live.delete(id);
        control('ws-close', id, 1001);
      }
      reject(new Interrupt());
    }, 50);
    settled = { resolve, reject, poll };
  });
}

export default { WebSocket };
