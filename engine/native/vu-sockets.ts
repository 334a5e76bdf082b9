/**
 * Whether this run's VUs do their plain-HTTP requests on their own sockets (socket-http.ts). Without
 * the addon (no C compiler, no Node headers, a failed load, or K6_EMBEDDED_VU_SOCKETS=0) every
 * request goes through the main thread, as before: slower, never different.
 */
import { packageRoot } from '../../formats/files.ts';
import { buildVuSocket } from './build.mjs';
import { loadVuSocketAddon, type VuSocketAddon } from './vu-socket.ts';

/** This run's VU sockets: the addon (main thread's copy, for the wake pipes) and its path for the VUs; or why not. */
export type VuSockets = { path: string; addon: VuSocketAddon } | { off: string | null };

/** Decided once per run: built if needed, loaded; `off.off` says why not (null: turned off on purpose). */
export function vuSockets(env: Readonly<Record<string, string | undefined>>): VuSockets {
  if (env.K6_EMBEDDED_VU_SOCKETS === '0') return { off: null };
  const built = buildVuSocket(packageRoot(import.meta.url));
  if ('reason' in built) return { off: built.reason };
  try {
    return { path: built.path, addon: loadVuSocketAddon(built.path) };
  } catch (e) {
    return { off: `${built.path} did not load: ${(e as Error).message}` };
  }
}
