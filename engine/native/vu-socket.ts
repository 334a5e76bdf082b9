/**
 * The VU socket addon (vu_socket.c): what it offers, loaded in a VU's thread and in the main
 * thread (which makes the VUs' wake pipes). Whether a run uses it: vu-sockets.ts.
 */

/** Negative results of connect, send and recv that are not an errno of the call itself. */
export const WOKEN = -4; // -EINTR: the VU's wake pipe was written (an interrupt, or a stale wake)
export const TIMED_OUT = -110; // -ETIMEDOUT: the request's deadline passed
export const NO_BUFS = -105; // -ENOBUFS: the answer's buffer is full (exchange)
/** exchange() and recvUntil(): done, or the peer closed the connection first. */
export const DONE = 0;
export const PEER_CLOSED = 1;
/**
 * The slots of their state (a Float64Array of STATE_SLOTS): bytes sent, bytes in, where the head's
 * end is sought from, where it is; when the request started and ended going out, when the first
 * byte of the answer came (monoMs()).
 */
export const [SENT, GOT, SCAN_FROM, HEAD_END, SEND_MS, SENT_MS, FIRST_MS, STATE_SLOTS] = [0, 1, 2, 3, 4, 5, 6, 7] as const;

/** The addon's functions (see vu_socket.c). Results ≥ 0 are done; negative ones are -errno, WOKEN or TIMED_OUT. */
export interface VuSocketAddon {
  /** The host's addresses, or a getaddrinfo error (negative). */
  resolve(host: string): string[] | number;
  connect(ip: string, port: number, timeoutMs: number, wakeFd: number): number;
  /**
   * Sends out[state[SENT]..length), then reads until a head's end: DONE (state[HEAD_END]),
   * PEER_CLOSED, NO_BUFS or a negative result; TIMED_OUT at `deadline` (monoMs()).
   */
  exchange(fd: number, out: Uint8Array, length: number, into: Uint8Array, deadline: number, wakeFd: number, state: Float64Array): number;
  /** Reads until state[GOT] >= need: DONE, PEER_CLOSED or a negative result. */
  recvUntil(fd: number, into: Uint8Array, need: number, deadline: number, wakeFd: number, state: Float64Array): number;
  /** The clock exchange() times with (CLOCK_MONOTONIC, ms). */
  monoMs(): number;
  /** 1 when an idle connection has something to read: the server closed it. */
  stale(fd: number): number;
  pipe(): [number, number] | number;
  wake(fd: number): void;
  drain(fd: number): void;
  close(fd: number): void;
}

export function loadVuSocketAddon(path: string): VuSocketAddon {
  const m = { exports: {} as VuSocketAddon };
  process.dlopen(m, path);
  return m.exports;
}
