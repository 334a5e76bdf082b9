import { vi } from 'vitest';
import { main } from '../../runner/cli.ts';

/**
 * The real CLI (`main`, as `npm run <command>` calls it) run in this process: its exit code and
 * what it wrote. Milliseconds instead of a process start, for what a function can show (bad input,
 * --help); a few real-process tests prove the wiring. `env` values replace process.env's for the
 * call (undefined removes one). Not concurrent-safe: it mocks the process' output streams.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  try {
    const code = await main([...argv]);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  }
}
