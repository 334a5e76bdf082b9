/**
 * The VU socket addon (vu_socket.c): what it offers, loaded in a VU's thread and in the main
 * thread (which makes the VUs' wake pipes). Whether a run uses it: vu-sockets.ts.
 */

/** Negative results of connect, send and recv that are not an errno of the call itself. */
export const WOKEN = -4; // -EINTR: the VU's wake pipe was written (an interrupt, or a stale wake)
export const TIMED_OUT = -110; // -ETIMEDOUT: the request's deadline passed

/** The addon's functions (see vu_socket.c). Results ≥ 0 are done; negative ones are -errno, WOKEN or TIMED_OUT. */
export interface VuSocketAddon {
  /** The host's addresses, or a getaddrinfo error (negative). */
  resolve(host: string): string[] | number;
  connect(ip: string, port: number, timeoutMs: number, wakeFd: number): number;
  send(fd: number, buf: Uint8Array, length: number, timeoutMs: number, wakeFd: number): number;
  recv(fd: number, buf: Uint8Array, offset: number, timeoutMs: number, wakeFd: number): number;
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
