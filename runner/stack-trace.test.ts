import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../test/testkit/temp-dir.ts';
import { sourceMappedStack } from './stack-trace.ts';

const SOURCE = [
  'export function outer(n: number): void {',
  '  inner(n);',
  '}',
  '',
  'function inner(n: number): void {',
  '  if (n > 0) throw new Error(`boom ${n}`);',
  '}',
  '',
];

/** The stack of the bundle's error as a Node process prints it, with its source maps enabled or not. */
function stackOf(bundle: string, sourceMaps: boolean): string {
  const script = `process.setSourceMapsEnabled(process.argv[1] === 'on'); const m = await import(${JSON.stringify(bundle)}); try { m.outer(1); } catch (e) { process.stdout.write(e.stack); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, sourceMaps ? 'on' : 'off'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('sourceMappedStack', () => {
  const dir = useTempDir('stack-trace-');

  it('names the TypeScript sources and lines of a prebuilt bundle, as Node does with source maps enabled', async () => {
    await writeFile(join(dir(), 'thrower.ts'), SOURCE.join('\n'));
    const bundle = join(dir(), 'thrower.mjs');
    // As runner/launch.mjs builds: an ES module with a linked map holding mappings only.
    await build({
      entryPoints: [join(dir(), 'thrower.ts')],
      outfile: bundle,
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'error',
    });
    const plain = stackOf(bundle, false);
    expect(plain).toContain('thrower.mjs:');
    const mapped = sourceMappedStack(plain);
    expect(mapped).toBe(stackOf(bundle, true));
    expect(mapped).toContain(`${join(dir(), 'thrower.ts')}:6:`);
  });

  it('leaves frames without a map beside their file, and text that is no stack, as they are', () => {
    const stack = 'Error: x\n    at f (/nowhere/chunk.mjs:1:2)\n    at node:internal/main:3:4\n    at file:///nowhere/other.mjs:5:6';
    expect(sourceMappedStack(stack)).toBe(stack);
    expect(sourceMappedStack('not a stack')).toBe('not a stack');
  });
});
