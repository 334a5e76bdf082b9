/**
 * The main thread's side of the VUs' WebSocket sessions (k6/ws and the browser-like WebSocket of
 * k6/experimental/websockets): the sockets live here, as HTTP connections do, so that a VU blocked
 * in `ws.connect` still has its frames read and timed. The session's metrics are taken here, when
 * the frames move, with k6's names and tags (fixtures/k6/websockets).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { WS_METRICS, type MetricType, type ValueType } from '../formats/k6/csv.ts';
import { cleanUrl } from '../formats/k6/url.ts';
import { canonicalHeader } from './go-http.ts';
import type { PortMessage, VuReply, WireWsOpen, WsCall, WsEvent } from './protocol.ts';

export type Emit = (metric: string, value: number, time: number, tags: Record<string, string>, metadata?: Record<string, string>) => void;

/** What the sessions need of a VU: a way to post events to it. */
export interface WsOwner {
  postEvent(m: PortMessage): void;
}

interface Session {
  readonly open: WireWsOpen;
  readonly ws: WebSocket;
  readonly startMs: number;
  /** The samples' tags: the VU's, with status 101 and url once the upgrade is answered. */
  tags: Record<string, string>;
  opened: boolean;
  socket?: Socket;
  /** The server's 101 answer's headers, as k6 shows them (canonical keys). */
  headers: Record<string, string>;
  /** When each unanswered ping was sent (pongs answer them in order). */
  readonly pings: number[];
}

interface VuSessions {
  readonly sessions: Map<number, Session>;
  /** Events of pulled sessions not yet taken by a `ws-wait`. */
  queue: WsEvent[];
  wake: (() => void) | null;
  /** Bytes of this VU's closed sockets. */
  read: number;
  written: number;
}

const now = (): number => performance.timeOrigin + performance.now();

/**
 * k6's tags of a session's samples: status and url, name only when the script gave one (k6's CSV
 * leaves it empty otherwise, unlike an HTTP request's); no method or proto.
 */
export function sessionTags(tags: Record<string, string>, url: string): Record<string, string> {
  return { ...tags, status: '101', url: cleanUrl(url) };
}

/**
 * Ends sessions at once (their iteration was interrupted); gives `reply` once each one's 'close'
 * has run, so that its duration is recorded before the iteration ends, as k6 records it before
 * ws.connect returns. Replying sooner let the test end, and its outputs close, first.
 */
function terminated(sessions: readonly Session[], reply: VuReply): Promise<VuReply> {
  const closed = sessions.map((s) => new Promise<void>((resolve) => s.ws.once('close', () => resolve())));
  for (const s of sessions) s.ws.terminate();
  return Promise.all(closed).then(() => reply);
}

export class WsSessions {
  private readonly vus = new Map<WsOwner, VuSessions>();
  private declared = false;

  constructor(
    private readonly emit: Emit,
    private readonly declare: (name: string, type: MetricType, contains: ValueType) => void,
  ) {}

  serve(vu: WsOwner, call: WsCall, signal: AbortSignal): VuReply | Promise<VuReply> {
    const st = this.of(vu);
    if (call.op === 'ws-open') {
      this.start(vu, st, call);
      return { op: 'ok' };
    }
    if (call.op === 'ws-wait') return this.wait(st, call.timeoutMs, signal);
    const s = st.sessions.get(call.id);
    if (!s) return { op: 'ok' };
    if (call.op === 'ws-close') {
      // A close during an interrupted iteration does not wait for the server's answer.
      if (signal.aborted) return terminated([s], { op: 'ok' });
      if (s.ws.readyState === WebSocket.CONNECTING) s.ws.terminate();
      else {
        s.ws.close(call.code, call.reason);
        // The browser-like WebSocket counts its close frame as a message sent (k6's ws-experimental.csv); k6/ws does not.
        if (s.open.push) this.emit('ws_msgs_sent', 1, now(), s.tags, s.open.metadata);
      }
    } else if (s.ws.readyState === WebSocket.OPEN) {
      if (call.op === 'ws-ping') {
        s.pings.push(now());
        s.ws.ping();
      } else {
        s.ws.send(call.binary ? Buffer.from(call.data, 'base64') : call.data);
        this.emit('ws_msgs_sent', 1, now(), s.tags, s.open.metadata);
      }
    }
    return { op: 'ok' };
  }

  /** Bytes read and written on the VU's WebSocket connections so far. */
  bytes(vu: WsOwner): { read: number; written: number } {
    const st = this.vus.get(vu);
    if (!st) return { read: 0, written: 0 };
    let { read, written } = st;
    for (const s of st.sessions.values()) {
      read += s.socket?.bytesRead ?? 0;
      written += s.socket?.bytesWritten ?? 0;
    }
    return { read, written };
  }

  /** Ends every session (the end of the test). */
  closeAll(): void {
    for (const st of this.vus.values()) for (const s of st.sessions.values()) s.ws.terminate();
  }

  private of(vu: WsOwner): VuSessions {
    let st = this.vus.get(vu);
    if (!st) this.vus.set(vu, (st = { sessions: new Map(), queue: [], wake: null, read: 0, written: 0 }));
    return st;
  }

  private declareMetrics(): void {
    if (this.declared) return;
    this.declared = true;
    for (const [name, m] of Object.entries(WS_METRICS)) this.declare(name, m.type, m.contains);
  }

  private start(vu: WsOwner, st: VuSessions, open: WireWsOpen): void {
    this.declareMetrics();
    const ws = new WebSocket(open.url, open.protocols ?? [], { headers: open.headers, perMessageDeflate: false });
    const s: Session = { open, ws, startMs: now(), tags: sessionTags(open.tags, open.url), opened: false, headers: {}, pings: [] };
    st.sessions.set(open.id, s);
    const post = (e: WsEvent): void => {
      if (open.push) vu.postEvent({ kind: 'ws-events', events: [e] });
      else {
        st.queue.push(e);
        st.wake?.();
      }
    };
    let refusedStatus: number | undefined;
    ws.on('upgrade', (res: IncomingMessage) => {
      s.socket = res.socket as Socket;
      for (const [k, v] of Object.entries(res.headers)) s.headers[canonicalHeader(k)] = Array.isArray(v) ? v.join(', ') : String(v);
    });
    ws.on('unexpected-response', (req, res) => {
      // The server answered the upgrade with a plain HTTP response: k6's "bad handshake", with its status.
      refusedStatus = res.statusCode;
      res.resume();
      req.destroy();
      post({ id: open.id, type: 'error', error: 'websocket: bad handshake', status: res.statusCode ?? 0 });
    });
    ws.on('open', () => {
      const t = now();
      s.opened = true;
      this.emit('ws_sessions', 1, s.startMs, s.tags, open.metadata);
      this.emit('ws_connecting', t - s.startMs, s.startMs, s.tags, open.metadata);
      post({ id: open.id, type: 'open', status: 101, headers: s.headers });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.emit('ws_msgs_received', 1, now(), s.tags, open.metadata);
      post(
        isBinary
          ? { id: open.id, type: 'message', data: data.toString('base64'), binary: true }
          : { id: open.id, type: 'message', data: data.toString('utf8') },
      );
    });
    ws.on('ping', () => post({ id: open.id, type: 'ping' }));
    ws.on('pong', () => {
      const sent = s.pings.shift();
      if (sent !== undefined) this.emit('ws_ping', now() - sent, now(), s.tags, open.metadata);
      post({ id: open.id, type: 'pong' });
    });
    ws.on('error', (e: Error) => {
      if (refusedStatus === undefined) post({ id: open.id, type: 'error', error: e.message });
    });
    ws.on('close', (code: number, reason: Buffer) => {
      const t = now();
      st.read += s.socket?.bytesRead ?? 0;
      st.written += s.socket?.bytesWritten ?? 0;
      st.sessions.delete(open.id);
      // k6/ws stamps the duration at the session's start, the browser-like WebSocket at its end.
      if (s.opened) this.emit('ws_session_duration', t - s.startMs, open.push ? t : s.startMs, s.tags, open.metadata);
      post({ id: open.id, type: 'close', code, reason: reason.toString('utf8') });
    });
  }

  private wait(st: VuSessions, timeoutMs: number, signal: AbortSignal): VuReply | Promise<VuReply> {
    const take = (): VuReply => {
      const events = st.queue;
      st.queue = [];
      return { op: 'ws-events', events };
    };
    const interrupted = (): Promise<VuReply> =>
      terminated(
        [...st.sessions.values()].filter((s) => !s.open.push),
        { op: 'interrupted' },
      );
    // Interrupted between two waits: an abort listener added now would never be called.
    if (signal.aborted) return interrupted();
    if (st.queue.length) return take();
    return new Promise<VuReply>((resolve) => {
      const finish = (r: VuReply | Promise<VuReply>): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        st.wake = null;
        resolve(r);
      };
      const onAbort = (): void => finish(interrupted());
      const timer = setTimeout(() => finish(take()), Math.max(0, timeoutMs));
      st.wake = () => finish(take());
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
