import { host, ownBuffer } from './host.ts';

/** k6/experimental/timers (k6 v0.48 has no global setTimeout). */
export const timers = {
  setTimeout: (fn: () => void, ms = 0) => host.setTimeout(fn, ms),
  clearTimeout: (id: number) => host.clearTimeout(id),
  setInterval: (fn: () => void, ms = 0) => host.setInterval(fn, ms),
  clearInterval: (id: number) => host.clearInterval(id),
};

function bytesOf(input: string | ArrayBuffer): string | Uint8Array {
  return typeof input === 'string' ? input : new Uint8Array(input);
}

/** k6/encoding: base64 only (std, url, rawstd, rawurl). */
export const encoding = {
  b64encode(input: string | ArrayBuffer, enc = 'std'): string {
    return host.b64encode(bytesOf(input), enc.includes('url'), enc.startsWith('raw'));
  },
  b64decode(input: string, enc = 'std', format?: 's'): string | ArrayBuffer {
    if (format === 's') return host.b64decodeText(input, enc.includes('url'));
    return ownBuffer(host.b64decode(input, enc.includes('url')));
  },
};
