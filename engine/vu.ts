import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  DATA_BYTES,
  HEADER_BYTES,
  SLOT,
  STATE,
  type PortMessage,
  type SharedData,
  type VuCall,
  type VuCommand,
  type VuReply,
  type WorkerPortMessage,
} from './protocol.ts';
import { VuHttp } from './http-client.ts';
import { MessageBytes } from './message-bytes.ts';
import type { VuSocketAddon } from './native/vu-socket.ts';
import type { Caller, VuBell } from './vu-bell.ts';

/** A VU's wake pipe (its own sockets' requests wait on it too): written to interrupt, closed with the VU. */
export interface WakePipe {
  addon: VuSocketAddon;
  read: number;
  write: number;
}

/** Bytes a VU's sockets (HTTP and WebSocket) moved since it started. */
export interface SocketBytes {
  read: number;
  written: number;
}

export type ControlCall = Extract<VuCall, { op: 'init' } | { op: 'done' }>;
export type ServedCall = Exclude<VuCall, { op: 'init' } | { op: 'done' }>;

export interface VuHooks {
  /** Every call's samples and metric declarations, in order. */
  onCall(vu: Vu, call: VuCall): void;
  /** Serves a non-control call; the reply goes back to the VU. */
  serve(vu: Vu, call: ServedCall, signal: AbortSignal): Promise<VuReply> | VuReply;
  onLog(vu: Vu, m: Extract<WorkerPortMessage, { kind: 'log' }> & { fields?: string }): void;
  onExit(vu: Vu, code: number): void;
}

/**
 * The main thread's side of one VU: its worker, its shared memory channel and its HTTP client.
 * The bell (vu-bell.ts) tells the main thread that VUs called; it takes each VU's call from here.
 */
export class Vu implements Caller {
  readonly http = new VuHttp();
  private readonly sab = new SharedArrayBuffer(HEADER_BYTES + DATA_BYTES);
  private readonly i32 = new Int32Array(this.sab, 0, HEADER_BYTES / 4);
  /** The message bytes, read and written in place as UTF-8 (TextDecoder would need a copy of them). */
  private readonly bytes = new MessageBytes(this.sab);
  private readonly port: MessagePort;
  readonly events: MessagePort;
  private readonly worker: Worker;
  private control: ((c: ControlCall) => void) | null = null;
  private pendingControl: ControlCall | null = null;
  private inflight = new AbortController();
  private closed = false;
  exited = false;
  /** The scenario the VU iterates in (its iterations' `scenario` tag). */
  scenario: string | null = null;
  /** What the VU's own sockets (socket-http.ts) moved, as it last said: [read, written]. */
  localBytes: [number, number] = [0, 0];
  /** Bytes on the VU's sockets when its current iteration started. */
  private bytesMark = { read: 0, written: 0 };

  constructor(
    readonly id: number,
    workerCode: string,
    data: {
      code: string;
      runtimeCode: string;
      lazyCode: SharedArrayBuffer;
      scriptPath: string;
      env: Record<string, string>;
      controller: boolean;
      counters: SharedArrayBuffer;
      sockets?: { addon: string; wakeFd: number; userAgent: string };
    },
    private readonly hooks: VuHooks,
    private readonly bell: VuBell,
    private readonly wake: WakePipe | null = null,
  ) {
    const sync = new MessageChannel();
    const events = new MessageChannel();
    this.port = sync.port1;
    this.events = events.port1;
    this.worker = new Worker(workerCode, {
      eval: true,
      workerData: { ...data, vuId: id, sab: this.sab, bell: bell.buffer, port: sync.port2, events: events.port2 },
      transferList: [sync.port2, events.port2],
      // Small heaps: 150 VUs must fit in a few hundred MiB.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 256, stackSizeMb: 2 },
      stdout: false,
      stderr: false,
    });
    this.events.on('message', (m: WorkerPortMessage & { fields?: string }) => {
      if (m.kind === 'log') hooks.onLog(this, m);
    });
    this.events.unref();
    this.worker.on('error', (e) =>
      hooks.onLog(this, { kind: 'log', level: 'error', text: `VU ${id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` }),
    );
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.closed = true;
      bell.remove(this);
      hooks.onExit(this, code);
      // A VU gone while a control call was awaited: answer for it so nothing waits forever.
      this.resolveControl({ op: 'done', error: `VU ${id} exited (code ${code})` });
    });
    bell.add(this);
  }

  private resolveControl(c: ControlCall): void {
    const r = this.control;
    if (r) {
      this.control = null;
      r(c);
    } else this.pendingControl = c;
  }

  /** Resolves with the next control call (init, done). */
  nextControl(): Promise<ControlCall> {
    if (this.pendingControl) {
      const c = this.pendingControl;
      this.pendingControl = null;
      return Promise.resolve(c);
    }
    return new Promise((resolve) => (this.control = resolve));
  }

  /** Answers the VU's pending control call with a command; resolves with the VU's next control call. */
  command(cmd: VuCommand): Promise<ControlCall> {
    if (this.exited) return Promise.resolve({ op: 'done', error: `VU ${this.id} is not running` });
    const next = this.nextControl();
    this.writeReply(JSON.stringify(cmd));
    return next;
  }

  /** Stops the VU's current iteration now: its sleep wakes and its HTTP request is abandoned. */
  interrupt(): void {
    Atomics.store(this.i32, SLOT.interrupt, 1);
    Atomics.notify(this.i32, SLOT.interrupt);
    if (this.wake) this.wake.addon.wake(this.wake.write);
    this.inflight.abort();
  }

  /** While held, a VU with a lease comes back after its current iteration instead of starting another. */
  hold(on: boolean): void {
    Atomics.store(this.i32, SLOT.hold, on ? 1 : 0);
  }

  clearInterrupt(): void {
    Atomics.store(this.i32, SLOT.interrupt, 0);
    if (this.inflight.signal.aborted) this.inflight = new AbortController();
  }

  /** An iteration starts in `scenario`; `bytes`: what the VU's sockets moved so far (its marks from now). */
  startIteration(scenario: string, bytes: SocketBytes): void {
    this.scenario = scenario;
    this.bytesMark = bytes;
  }

  /** What the VU's sockets moved since the last mark, given what they moved so far (its iteration's data_sent, data_received); marks now. */
  takeBytes(bytes: SocketBytes): { sent: number; received: number } {
    const moved = { sent: bytes.written - this.bytesMark.written, received: bytes.read - this.bytesMark.read };
    this.bytesMark = bytes;
    return moved;
  }

  get interrupted(): boolean {
    return Atomics.load(this.i32, SLOT.interrupt) !== 0;
  }

  postEvent(m: PortMessage): void {
    if (!this.exited) this.events.postMessage(m);
  }

  /** Hands a SharedArray's buffers to the VU: it takes them from its port after the reply. */
  postShared(d: SharedData): void {
    this.port.postMessage({ kind: 'shared', data: d.data, offsets: d.offsets } satisfies PortMessage);
  }

  /** The SharedArray buffers the VU posted on its port just before its `shared-put` call. */
  takeShared(): SharedData {
    const m = receiveMessageOnPort(this.port)?.message as WorkerPortMessage | undefined;
    if (m?.kind !== 'shared-put') throw new Error(`VU ${this.id}: SharedArray data missing from its port`);
    return { data: m.data, offsets: m.offsets };
  }

  private writeReply(json: string): void {
    const len = this.bytes.write(json);
    if (len < 0) this.port.postMessage({ kind: 'reply', json });
    Atomics.store(this.i32, SLOT.length, len);
    Atomics.store(this.i32, SLOT.state, STATE.reply);
    Atomics.notify(this.i32, SLOT.state);
  }

  private readCall(): VuCall {
    const len = Atomics.load(this.i32, SLOT.length);
    let json: string;
    if (len >= 0) json = this.bytes.read(len);
    else {
      const m = receiveMessageOnPort(this.port);
      if (!m) throw new Error(`VU ${this.id}: call missing from its port`);
      json = (m.message as WorkerPortMessage & { kind: 'call' }).json;
    }
    return JSON.parse(json) as VuCall;
  }

  /** Takes the VU's call if it made one (the bell asks); served, its reply wakes the VU. */
  takeCall(): boolean {
    if (this.closed || Atomics.load(this.i32, SLOT.state) !== STATE.call) return false;
    Atomics.store(this.i32, SLOT.state, STATE.serving);
    const call = this.readCall();
    this.hooks.onCall(this, call);
    if (call.op === 'init' || call.op === 'done') this.resolveControl(call);
    else void this.serve(call);
    return true;
  }

  private async serve(call: ServedCall): Promise<void> {
    let reply: VuReply;
    try {
      reply = await this.hooks.serve(this, call, this.inflight.signal);
    } catch (e) {
      this.hooks.onLog(this, { kind: 'log', level: 'error', text: `embedded engine: ${(e as Error).stack ?? String(e)}` });
      reply = { op: 'interrupted' };
    }
    if (this.interrupted && reply.op === 'http') reply = { op: 'interrupted' };
    this.writeReply(JSON.stringify(reply));
  }

  /** Ends the worker (after it was told to exit, or forcibly). */
  async close(): Promise<void> {
    this.closed = true;
    this.bell.remove(this);
    if (!this.exited) await this.worker.terminate();
    this.port.close();
    this.events.close();
    // The pipe outlives the thread that read it: its numbers are never another file's while the VU may use them.
    if (this.wake) {
      this.wake.addon.close(this.wake.read);
      this.wake.addon.close(this.wake.write);
    }
    await this.http.close();
  }
}
