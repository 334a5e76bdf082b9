import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchArgs } from './launch.ts';

/** The version lines real k6 prints (shared/fixtures/k6/syntax-and-versions.md), and made-up ones around the supported range. */
export const K6_VERSION_LINES = {
  v0_47: 'k6 v0.47.0 (go1.21.1, linux/amd64)',
  v0_48: 'k6 v0.48.0 (go1.19.8, linux/amd64)',
  v1: 'k6 v1.3.0 (commit/0a4dc2e0f1, go1.24.6, linux/amd64)\nExtensions:\n  github.com/grafana/xk6-faker v0.4.4, k6/x/faker [js]',
  v2: 'k6 v2.0.0 (commit/6c0dd4c1e5, go1.25.3, linux/amd64)',
} as const;

/**
 * Writes `<dir>/k6`, an executable stand-in for a real k6 that behaves as the fixtures say:
 * `k6 version` prints `versionLine`; `k6 run` refuses the flags in `refuses` as an unknown flag
 * (exit 255, as k6 v2 refuses `--no-summary`) and a bundle that is not ES2017 as k6 v0.48's old
 * Babel does (exit 107, `SyntaxError: file:///…: Unexpected token … (line:col)`), and otherwise
 * runs it on the embedded engine. With `record`, each `run`'s arguments (and K6_CSV_TIME_FORMAT)
 * are appended there, one per line, each run ending with a `--` line.
 */
export async function writeK6StandIn(
  dir: string,
  versionLine: string,
  options: { refuses?: readonly string[]; record?: string } = {},
): Promise<string> {
  const node = process.execPath;
  const tsx = import.meta.resolve('tsx');
  const check = fileURLToPath(new URL('./k6-stand-in-check.ts', import.meta.url));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const record = options.record ? `printf '%s\\n' "$@" "K6_CSV_TIME_FORMAT=$K6_CSV_TIME_FORMAT" -- >> ${q(options.record)}\n` : '';
  const path = join(dir, 'k6');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      `if [ "$1" = version ]; then printf '%s\\n' ${q(versionLine)}; exit 0; fi`,
      record,
      `${q(node)} --import ${q(tsx)} ${q(check)} ${q((options.refuses ?? []).join(','))} "$@" || exit $?`,
      `exec ${q(node)} ${launchArgs('engine/cli.ts').map(q).join(' ')} "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}
