import { host } from './host.ts';

/** k6/timers and k6/experimental/timers (k6 v0.48 has no global setTimeout). */
export const timers = {
  setTimeout: (fn: () => void, ms = 0) => host.setTimeout(fn, ms),
  clearTimeout: (id: number) => host.clearTimeout(id),
  setInterval: (fn: () => void, ms = 0) => host.setInterval(fn, ms),
  clearInterval: (id: number) => host.clearInterval(id),
};
