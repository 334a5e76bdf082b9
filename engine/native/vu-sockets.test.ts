/** Whether a run's VUs get their own sockets: built once, or the main thread's path with the reason. */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../formats/files.ts';
import { useTempDir } from '../../test/testkit/temp-dir.ts';
import { buildVuSocket } from './build.mjs';
import { vuSockets } from './vu-sockets.ts';

const root = packageRoot(import.meta.url);
const cc = process.env.CC;

describe('the VU socket addon', () => {
  const dir = useTempDir('vu-socket-build-');
  afterEach(() => {
    if (cc === undefined) delete process.env.CC;
    else process.env.CC = cc;
  });

  it('is built once per source and loaded, unless K6_EMBEDDED_VU_SOCKETS=0 turns it off', () => {
    const on = vuSockets({});
    expect(on).toHaveProperty('path');
    const again = buildVuSocket(root);
    expect(again).toEqual({ path: (on as { path: string }).path });
    expect(typeof (on as { addon: { pipe: unknown } }).addon.pipe).toBe('function');
    expect(vuSockets({ K6_EMBEDDED_VU_SOCKETS: '0' })).toEqual({ off: null });
  });

  it('says why it cannot be built: no source, no compiler', () => {
    expect(buildVuSocket(dir())).toEqual({ reason: expect.stringMatching(/vu_socket\.c is missing$/) });
    mkdirSync(join(dir(), 'engine', 'native'), { recursive: true });
    copyFileSync(join(root, 'engine', 'native', 'vu_socket.c'), join(dir(), 'engine', 'native', 'vu_socket.c'));
    process.env.CC = join(dir(), 'no-such-compiler');
    expect(buildVuSocket(dir())).toEqual({
      reason: expect.stringMatching(/^the C compiler .*no-such-compiler could not build .*vu_socket\.c: /),
    });
    expect(() => statSync(join(dir(), 'dist', 'native'))).not.toThrow(); // made, left empty: nothing half-built in it
  });

  it("closes a thread's sockets when the thread is terminated, as the engine terminates its VUs", async () => {
    const built = buildVuSocket(root);
    if (!('path' in built)) throw new Error(built.reason);
    const closed = new Promise<void>((resolve) => {
      const server = createServer((s: Socket) => {
        s.on('error', () => {});
        s.on('close', () => {
          server.close();
          resolve();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        // A thread that connects and then blocks for good: only terminate() ends it, with no JavaScript run.
        const worker = new Worker(
          `const { workerData, parentPort } = require('node:worker_threads');
           const m = { exports: {} };
           process.dlopen(m, workerData.addon);
           const fd = m.exports.connect('127.0.0.1', workerData.port, 5000, -1);
           parentPort.postMessage(fd);
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`,
          { eval: true, workerData: { addon: built.path, port } },
        );
        worker.once('message', (fd: number) => {
          expect(fd).toBeGreaterThan(0);
          void worker.terminate();
        });
      });
    });
    // The server sees the connection end: the addon closed it with the thread.
    const stuck = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the connection stayed open after terminate()')), 5_000).unref(),
    );
    await Promise.race([closed, stuck]);
  });
});
