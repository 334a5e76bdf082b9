import type { LocalHttpReply, WireHttpRequest } from '../protocol.ts';

/**
 * What the worker thread gives the VU's script context (a vm context of its own): the only
 * way out of it. Everything coming back is a primitive or a string (or, for HTTP, data the runtime
 * copies), so that objects the script sees are always of its own realm.
 */
export interface Host {
  readonly vuId: number;
  readonly envJson: string;
  /**
   * A request on the VU's own sockets (socket-http.ts); null when it is not for them (or the VU has
   * none): it then goes to the main thread. The request is read, not kept. The reply is of the
   * worker's realm: the runtime copies what the script sees (runtime/http.ts ownRealm).
   */
  http(req: WireHttpRequest): LocalHttpReply | null;
  /** What the VU's own sockets moved so far, [read, written]; null when it has none. */
  localBytes(): [number, number] | null;
  /** Sends a JSON call to the main thread and blocks until its JSON reply. */
  callJson(json: string): string;
  /** Blocks this VU only; true when it was woken because the iteration must stop. */
  sleep(ms: number): boolean;
  interrupted(): boolean;
  /** True when the VU may start its next iteration without asking (not held, recent call). */
  mayContinue(): boolean;
  /** True when the VU's last call is a lease old: what it measured since must go to the main thread now. */
  callDue(): boolean;
  /** Atomically takes the next number of a shared counter (COUNTER slot). */
  nextCount(slot: number): number;
  /** k6's open(): path relative to the script's folder. */
  open(path: string, binary: boolean): string | Uint8Array;
  log(level: 'info' | 'warn' | 'error' | 'debug', text: string, fields?: string): void;
  /** Epoch ms with sub-ms precision. */
  now(): number;
  /** Adds a receiver of the port's events (JSON of PortMessage): async HTTP results, WebSocket events. */
  onAsync(receiver: (json: string) => void): void;
  /** Keeps the VU's event loop alive while async requests are pending. */
  ref(on: boolean): void;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  setInterval(fn: () => void, ms: number): number;
  clearInterval(id: number): void;
  b64encode(input: string | Uint8Array, urlSafe: boolean, raw: boolean): string;
  b64decode(input: string, urlSafe: boolean): Uint8Array;
  b64decodeText(input: string, urlSafe: boolean): string;
  /** A digest (an HMAC when key is given) of input with Node's algorithm name; throws on an unknown one. */
  hash(algorithm: string, input: ReadonlyArray<string | Uint8Array>, key: string | Uint8Array | null): Uint8Array;
  randomBytes(n: number): Uint8Array;
  /** The thread's WHATWG URL classes (k6's jslib url module answers with them). */
  readonly URL: typeof URL;
  readonly URLSearchParams: typeof URLSearchParams;
  /**
   * SharedArray: takes the buffers the main thread just posted on the VU's port (after a
   * `shared-get` answered found), returning a handle for sharedLength/sharedItem.
   */
  sharedTake(): number;
  /** SharedArray: lays out the elements' JSON once in shared memory, posts it to the main thread (a `shared-put` call must follow), returns a handle. */
  sharedPost(items: readonly string[]): number;
  sharedLength(handle: number): number;
  /** The JSON of element i (a fresh string each time: the script parses its own copy). */
  sharedItem(handle: number, i: number): string;
  /** Evaluates the lazily loaded modules' bundle (runtime/lazy.ts) in this context. */
  loadLazy(): void;
  /** Compiles the user's CommonJS bundle in this context. */
  userModule(): (require: (id: string) => unknown, module: { exports: Record<string, unknown> }, exports: Record<string, unknown>) => void;
}

export const host: Host = (globalThis as unknown as { __k6host: Host }).__k6host;

/**
 * Bytes from the host (the worker's realm) as an ArrayBuffer of this context's realm: scripts
 * expect their own ArrayBuffer (instanceof, prototype methods), so the bytes are copied.
 */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** A module of the lazily evaluated bundle (runtime/lazy.ts: k6/crypto, k6/html, jslib), evaluated on first use. */
export function lazyModule(name: string): object {
  const lg = globalThis as { __k6lazy?: Record<string, object> };
  if (!lg.__k6lazy) host.loadLazy();
  return lg.__k6lazy![name]!;
}
