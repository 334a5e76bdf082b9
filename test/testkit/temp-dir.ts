import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/**
 * A temp folder for the tests of the file or describe block it is called in: made before each
 * test (or once before them all, with scope 'all') and removed after. Returns a getter of its
 * path, for use inside tests and hooks (there is no folder when the block is being declared).
 */
export function useTempDir(prefix: string, scope: 'each' | 'all' = 'each'): () => string {
  let path: string | undefined;
  (scope === 'each' ? beforeEach : beforeAll)(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  (scope === 'each' ? afterEach : afterAll)(async () => {
    if (path !== undefined) await rm(path, { recursive: true, force: true });
    path = undefined;
  });
  return () => {
    if (path === undefined) throw new Error(`useTempDir('${prefix}'): no folder outside a test`);
    return path;
  };
}
