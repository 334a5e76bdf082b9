import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN/STYLE §7: nothing under decision/ touches the filesystem, the network, `process` or the
 * clock, and it imports only the format modules of the runner. Checked on the source so that a
 * slip is caught before review.
 */
const here = new URL('.', import.meta.url).pathname;

async function sources(): Promise<string[]> {
  const entries = await readdir(here, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));
}

describe('decision/ is a functional core', () => {
  it('imports only its own modules, the runner formats and zod', async () => {
    const files = await sources();
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const imports = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
      for (const spec of imports) {
        expect.soft(/^(\.\/|\.\.\/formats\/|zod$)/.test(spec), `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('uses no clock, process or I/O', async () => {
    for (const file of await sources()) {
      const text = await readFile(file, 'utf8');
      for (const banned of ['Date.now', 'new Date()', 'process.', 'require(', 'fetch(', 'console.']) {
        expect.soft(text.includes(banned), `${file} uses ${banned}`).toBe(false);
      }
    }
  });
});
