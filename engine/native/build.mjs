// Builds engine/native/vu_socket.c into dist/native/vu_socket-<key>.node, where <key> hashes the
// C source, the platform and Node-API's version: a changed source is rebuilt, never run stale.
// Built by `npm ci` (prepare, through runner/launch.mjs --build) or by the engine's first run.
// Plain JavaScript, so that launch.mjs can call it before anything else is built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where Node's headers may be: beside this Node, or the system's. */
const headerDirs = () => [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'];

function fnv(text) {
  let a = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
  return (a >>> 0).toString(16).padStart(8, '0');
}

/**
 * The addon's path under `root` (the package's folder), built now when missing; or why it cannot
 * be: `{ reason }` names what is missing (a C compiler, Node's headers), in one line.
 * @param {string} root
 * @returns {{ path: string } | { reason: string }}
 */
export function buildVuSocket(root) {
  const source = join(root, 'engine', 'native', 'vu_socket.c');
  let text;
  try {
    text = readFileSync(source, 'utf8');
  } catch {
    return { reason: `${source} is missing` };
  }
  const dir = join(root, 'dist', 'native');
  const path = join(dir, `vu_socket-${fnv(`${text}\0${process.platform}-${process.arch}-${process.versions.napi}`)}.node`);
  if (existsSync(path)) return { path };
  const includes = headerDirs().filter((d) => existsSync(join(d, 'node_api.h')));
  if (!includes.length) return { reason: `Node's headers (node_api.h) are not in ${headerDirs().join(' or ')}` };
  const cc = process.env.CC || 'cc';
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    return { reason: `cannot create ${dir}: ${e.message}` };
  }
  const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', ...includes.map((i) => `-I${i}`), '-o', tmp, source], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`);
    return { reason: `the C compiler ${cc} could not build ${source}: ${why}` };
  }
  renameSync(tmp, path);
  return { path };
}
