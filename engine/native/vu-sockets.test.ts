/** Whether a run's VUs get their own sockets: built once, or the main thread's path with the reason. */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
});
