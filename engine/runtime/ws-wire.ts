/**
 * What k6/ws and the browser-like WebSocket share: opening a session on the main thread (which
 * holds the socket, ws-sessions.ts), sending on it, and the frames' payloads in the script's realm.
 */
import type { WsEvent } from '../protocol.ts';
import { host, ownBuffer } from './host.ts';
import { Interrupt, baseTags, call, metadata } from './state.ts';

export interface WsParams {
  headers?: Record<string, unknown>;
  tags?: Record<string, unknown>;
}

let nextId = 1;

/** Opens a session; its events come with `ws-wait` (pulled) or on the VU's port (push). Returns its id. */
export function openSession(url: string, params: WsParams | null | undefined, push: boolean, protocols?: string[]): number {
  const id = nextId++;
  const tags = baseTags();
  for (const [k, v] of Object.entries(params?.tags ?? {})) tags[k] = String(v);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(params?.headers ?? {})) headers[k] = String(v);
  const md = metadata();
  const r = call({
    op: 'ws-open',
    id,
    url,
    headers,
    tags,
    push,
    ...(protocols?.length ? { protocols } : {}),
    ...(md ? { metadata: md } : {}),
  });
  if (r.op === 'interrupted') throw new Interrupt();
  return id;
}

function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** Sends a text frame, or a binary one for an ArrayBuffer or a typed array. */
export function sendFrame(id: number, data: string | ArrayBuffer | ArrayBufferView): void {
  const binary = typeof data !== 'string';
  const wire = binary ? host.b64encode(bytesOf(data), false, false) : data;
  const r = call({ op: 'ws-send', id, data: wire, ...(binary ? { binary: true as const } : {}) });
  if (r.op === 'interrupted') throw new Interrupt();
}

export function control(op: 'ws-ping' | 'ws-close', id: number, code = 1000, reason?: string): void {
  const r = op === 'ws-ping' ? call({ op, id }) : call({ op, id, code, ...(reason ? { reason } : {}) });
  if (r.op === 'interrupted') throw new Interrupt();
}

/** A message event's payload: its text, or an ArrayBuffer of the script's realm. */
export function payload(e: Extract<WsEvent, { type: 'message' }>): string | ArrayBuffer {
  return e.binary ? ownBuffer(host.b64decode(e.data, false)) : e.data;
}
