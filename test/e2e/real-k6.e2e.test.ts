import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { runStagesCommand } from '../../runner/commands/stages.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';
import { runManifestFormat, type RunManifest } from '../../formats/run-manifest.ts';
import { K6ExitCode } from '../../formats/k6/exit-codes.ts';
import { K6_VERSION_LINES, writeK6StandIn } from '../testkit/k6-stand-in.ts';
import { useTempDir } from '../testkit/temp-dir.ts';
import { ROOT, SHORT_THINK, capturedIo } from '../testkit/e2e.ts';
import { readFormat } from '../../formats/files.ts';

/**
 * Issue 11, Evidence: the newcomer path (`npm run stages -- --demo`) with a stand-in for real k6
 * that behaves as shared/fixtures/k6/syntax-and-versions.md says (its version line; exit 107 with
 * k6's SyntaxError line on a bundle that is not ES2017; else the run on the embedded engine), to
 * show that `--engine auto` choosing a real k6 and the ES2017 bundle work together, and how a k6
 * outside the supported range is refused or passed over. Tiny plans: one stage of 2 users, 2 s.
 * The stand-ins are processes, as k6 is; the embedded engine, when chosen, runs in this process.
 */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

const tmp = useTempDir('real-k6-e2e-', 'all');

/** The environment of a user whose only k6 is the one given (K6_BIN), or none but PATH's. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { K6_BIN: _ignored, ...env } = process.env;
  return { ...env, ...extra };
}

/** The `run` invocations a stand-in recorded, each as its argument list (K6_CSV_TIME_FORMAT last). */
async function recordedRuns(record: string): Promise<string[][]> {
  const text = await readFile(record, 'utf8');
  return text
    .split('--\n')
    .filter(Boolean)
    .map((r) => r.trim().split('\n'));
}

async function tinyDemoRun(
  name: string,
  env: NodeJS.ProcessEnv,
  engine?: 'k6',
): Promise<{ exitCode: number; manifest: RunManifest; stdout: string; stderr: string }> {
  const results = join(tmp(), name, 'results');
  const cap = capturedIo();
  const { exitCode } = await runStagesCommand(
    { demo: true, users: '2', duration: '2s', 'spawn-rate': 10, results, env: SHORT_THINK, ...(engine ? { engine } : {}) },
    { ...cap.io, env },
  );
  const [id] = await readdir(join(results, 'runs'));
  const manifest = await readFormat(runManifestFormat, join(results, 'runs', id!, 'run.json'));
  return { exitCode, manifest, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe.concurrent('npm run stages --demo with a stand-in for real k6', () => {
  it('auto takes a k6 v0.48 found on PATH; it runs the ES2017 bundle and run.json records its version', async () => {
    const bin = join(tmp(), 'v0.48', 'bin');
    await mkdir(bin, { recursive: true });
    const record = join(tmp(), 'v0.48', 'runs.txt');
    await writeK6StandIn(bin, K6_VERSION_LINES.v0_48, { record });
    const run = await tinyDemoRun('v0.48', envWith({ PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` }));
    expect(run.exitCode, run.stdout + run.stderr).toBe(ExitCode.ok);
    expect(run.stderr).toBe('');
    expect(run.manifest.engine).toEqual({ name: 'k6', version: K6_VERSION_LINES.v0_48 });
    expect(run.manifest.stages.map((s) => [s.users, s.status, s.exitCode])).toEqual([[2, 'completed', 0]]);
    const [args] = await recordedRuns(record);
    expect(args?.[0]).toBe('run');
    expect(args?.at(-2)).toBe(join(ROOT, 'dist', 'scenarios', 'search.js'));
  }, 120_000);

  it('the stand-in has teeth: it refuses the es2020 bundle of search (the old target) as k6 v0.48 did, exit 107', async () => {
    const home = join(tmp(), 'teeth');
    await mkdir(home, { recursive: true });
    const k6 = await writeK6StandIn(home, K6_VERSION_LINES.v0_48, { refuses: ['--no-summary'] });
    const old = join(home, 'search.js');
    await esbuild.build({
      entryPoints: [join(ROOT, 'scenarios', 'search.ts')],
      bundle: true,
      outfile: old,
      format: 'esm',
      target: 'es2020',
      external: ['k6', 'k6/*'],
      logLevel: 'silent',
    });
    const refused = spawnSync(k6, ['run', '--quiet', old], { encoding: 'utf8' });
    expect(refused.status).toBe(K6ExitCode.scriptException);
    expect(refused.stderr).toMatch(
      /level=error msg="SyntaxError: file:\/\/\/.*\/teeth\/search\.js: Unexpected token \(\d+:\d+\)\\n.*" hint="script exception"$/m,
    );
    const flag = spawnSync(k6, ['run', '--no-summary', old], { encoding: 'utf8' });
    expect([flag.status, flag.stderr]).toEqual([255, expect.stringContaining('unknown flag: --no-summary')]);
  }, 60_000);

  it('--engine k6 with a k6 v0.47: refused in one line (version found, version needed, K6_BIN) before any load', async () => {
    const home = join(tmp(), 'v0.47-k6');
    await mkdir(home, { recursive: true });
    const k6 = await writeK6StandIn(home, K6_VERSION_LINES.v0_47);
    const results = join(home, 'results');
    const cap = capturedIo();
    const e = await runStagesCommand(
      { demo: true, users: '2', duration: '2s', results, engine: 'k6' },
      { ...cap.io, env: envWith({ K6_BIN: k6 }) },
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toBe(`--engine k6: ${k6} is k6 v0.47.0, older than v0.48.0, the oldest the toolkit supports`);
    expect((e as UserError).hint).toBe('set K6_BIN to a k6 v0.48.0 to v2.x (K6_BIN=/path/to/k6), or use --engine embedded');
    expect(existsSync(results)).toBe(false);
  }, 60_000);

  it('auto with a k6 v0.47: one warning line, then the run on the embedded engine', async () => {
    const home = join(tmp(), 'v0.47-auto');
    await mkdir(home, { recursive: true });
    const k6 = await writeK6StandIn(home, K6_VERSION_LINES.v0_47);
    const run = await tinyDemoRun('v0.47-auto', envWith({ K6_BIN: k6 }));
    expect(run.exitCode, run.stdout + run.stderr).toBe(ExitCode.ok);
    expect(run.stderr).toBe(
      `warning: ${k6} is k6 v0.47.0, older than v0.48.0, the oldest the toolkit supports: running on the embedded engine instead (set K6_BIN to a k6 v0.48.0 to v2.x (K6_BIN=/path/to/k6) to use real k6)\n`,
    );
    expect(run.manifest.engine.name).toBe('embedded');
    expect(run.manifest.stages.map((s) => s.status)).toEqual(['completed']);
  }, 120_000);

  it('a k6 v2.0.0 (no --no-summary any more) runs the stage: --summary-export passed, no summary switch', async () => {
    const home = join(tmp(), 'v2');
    await mkdir(home, { recursive: true });
    const record = join(home, 'runs.txt');
    const k6 = await writeK6StandIn(home, K6_VERSION_LINES.v2, { refuses: ['--no-summary'], record });
    const run = await tinyDemoRun('v2', envWith({ K6_BIN: k6 }), 'k6');
    expect(run.exitCode, run.stdout + run.stderr).toBe(ExitCode.ok);
    expect(run.manifest.engine).toEqual({ name: 'k6', version: K6_VERSION_LINES.v2.split('\n')[0] });
    expect(run.manifest.stages.map((s) => [s.status, s.files.summary])).toEqual([['completed', 'stage-2.summary.json']]);
    const [args] = await recordedRuns(record);
    expect(args).toContain('--summary-export');
    expect(args?.filter((a) => a === '--no-summary' || a.startsWith('--summary-mode'))).toEqual([]);
  }, 120_000);
});
