import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../formats/errors.ts';
import { collectorSettings, DEFAULT_CONFIG, windowsForHold } from '../../formats/config.ts';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import { launchArgs, PROJECT_ROOT } from '../../test/testkit/launch.ts';
import { readK6Csv } from './k6-csv-file.ts';
import { computeStageStats } from './stage-stats.ts';

const fixtures = join(import.meta.dirname, '../../formats/k6/__fixtures__');
const tmp = mkdtempSync(join(tmpdir(), 'k6csv-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readK6Csv', () => {
  it('detects gzip by its magic bytes, not its name', async () => {
    const plain = readFileSync(join(fixtures, 'out.csv'));
    const disguised = join(tmp, 'gzip-named.csv');
    writeFileSync(disguised, gzipSync(plain));
    const a: number[] = [];
    const b: number[] = [];
    const ra = await readK6Csv(join(fixtures, 'out.csv'), (r) => a.push(r.value));
    const rb = await readK6Csv(disguised, (r) => b.push(r.value));
    expect(rb).toEqual(ra);
    expect(b).toEqual(a);
  });

  it('reads a cut gzip up to where it ends, with a warning', async () => {
    const gz = readFileSync(join(fixtures, 'out.csv.gz'));
    const cut = join(tmp, 'cut.csv.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const full = await readK6Csv(join(fixtures, 'out.csv.gz'), () => {});
    let n = 0;
    const r = await readK6Csv(cut, () => n++);
    expect(r.truncated).toBe(true);
    expect(r.rows).toBe(n);
    expect(n).toBeGreaterThan(100);
    expect(n).toBeLessThan(full.rows);
    expect(r.warnings.join('\n')).toMatch(/cut\.csv\.gz: gzip ends early/);
  });

  it('reads a corrupt gzip up to the rows zlib gives in 256 KiB chunks before it says so, whatever chunks it reads in', async () => {
    // A wrong checksum is seen at the end; zlib drops its last call's output, larger with larger chunks.
    const [header, ...rest] = readFileSync(join(fixtures, 'out.csv'), 'utf8').trimEnd().split('\n');
    const text = `${header}\n${`${rest.join('\n')}\n`.repeat(8)}`;
    const gz = gzipSync(text);
    gz[gz.length - 8]! ^= 0xff;
    const bad = join(tmp, 'bad-checksum.csv.gz');
    writeFileSync(bad, gz);
    let given = '';
    await expect(
      (async () => {
        for await (const chunk of createReadStream(bad, { highWaterMark: 1 << 18 }).pipe(createGunzip({ chunkSize: 1 << 18 })))
          given += chunk;
      })(),
    ).rejects.toThrow('incorrect data check');
    const rowsGiven = given.split('\n').length - 2;
    expect(text.length - given.length).toBeGreaterThan(0);
    expect(text.length - given.length).toBeLessThan(1 << 18);
    const r = await readK6Csv(bad, () => {});
    expect(r.rows).toBe(rowsGiven);
    expect(r.warnings[0]).toBe(`${bad}: gzip is corrupt after ${rowsGiven} rows (incorrect data check): figures cover the rows read`);
  });

  it('rejects a gzip cut before its first row', async () => {
    const gz = readFileSync(join(fixtures, 'out.csv.gz'));
    const cut = join(tmp, 'cut-early.csv.gz');
    writeFileSync(cut, gz.subarray(0, 20));
    await expect(readK6Csv(cut, () => {})).rejects.toThrow(UserError);
  });

  it('rejects a corrupt gzip as corrupt, not as an empty file', async () => {
    const bad = join(tmp, 'corrupt.csv.gz');
    writeFileSync(bad, Buffer.from('\x1f\x8b\x08garbage', 'latin1'));
    await expect(readK6Csv(bad, () => {})).rejects.toThrow(
      /^.*corrupt\.csv\.gz: gzip data is corrupt \(unknown header flags set\): not a readable k6 CSV$/,
    );
  });

  it('rejects a missing file with a UserError naming it', async () => {
    await expect(readK6Csv(join(tmp, 'nope.csv'), () => {})).rejects.toThrow(/nope\.csv: cannot read: it does not exist/);
  });
});

/** `npm run collect -- <file> --json …` as users run it: from the built JavaScript, where a large file is parsed on a thread of its own. */
function collect(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      launchArgs('runner/cli.ts', 'collect', file, '--json', ...args),
      { cwd: PROJECT_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('a large file, parsed on a thread of its own (the built command)', () => {
  // The real k6 fixture 12 times over: past the size from which the command parses on a thread.
  const text = readFileSync(join(fixtures, 'out.csv'), 'utf8');
  const [header, ...rest] = text.trimEnd().split('\n');
  const big = `${header}\n${`${rest.join('\n')}\n`.repeat(12)}`;
  const plan = { users: 10, rampMs: 2000, holdMs: 20_000, keyName: 'search' };
  const flags = ['--users', '10', '--ramp', '2s', '--hold', '20s', '--key-name', 'search'];

  // A row in 4 with an error message of 30 lines: half the bytes are in quotes, so the pieces the
  // file is cut into (at their last line end) end in a quoted field or not: on this file, some do,
  // and the piece after such a one fails on its thread (it starts in a quote), others end clean.
  const multiline = (): string => {
    const rows = `${rest.join('\n')}\n`.repeat(6).trimEnd().split('\n');
    const message = `"dial: ""refused""${'\nretrying, then'.repeat(30)}"`;
    const quoted = rows.map((row, i) => (i % 4 === 3 ? row.split(',').with(4, message).join(',') : row));
    return `${header}\n${quoted.join('\n')}\n`;
  };

  it.each([
    ['plain', 12, (f: string) => writeFileSync(f, big)],
    ['gzip', 12, (f: string) => writeFileSync(f, gzipSync(big))],
    ['line ends in quoted fields, where a piece is cut in them or not', 6, (f: string) => writeFileSync(f, multiline())],
  ])('gives the same statistics as the reading in this thread (%s)', async (kind, copies, write) => {
    const file = join(tmp, `big-${kind.split(' ')[0]}.csv`);
    write(file);
    const run = await collect(file, ...flags);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const here = await computeStageStats({
      file,
      ...plan,
      ...collectorSettings(DEFAULT_CONFIG),
      ...windowsForHold(plan.holdMs, DEFAULT_CONFIG),
    });
    expect(here.source.rows).toBe(copies * rest.length);
    expect(run.stdout).toBe(stageStatsFormat.stringify(here));
  });

  it.each([
    ['in the middle', 6],
    ['on the last line', 12],
  ])('names the file and line of a bad row %s, as the reading in this thread does', async (_, before) => {
    const file = join(tmp, `big-bad-${before}.csv`);
    const bad = `vus,1795355090,abc${','.repeat(header!.split(',').length - 3)}\n`;
    const after = `${rest.join('\n')}\n`.repeat(12 - before);
    writeFileSync(file, `${header}\n${`${rest.join('\n')}\n`.repeat(before)}${bad}${after}`);
    const run = await collect(file, ...flags);
    expect(run.code).toBe(2);
    const line = before * rest.length + 2;
    expect(run.stderr).toContain(`error: ${file}: line ${line}: metric_value "abc" is not a number`);
    await expect(readK6Csv(file, () => {})).rejects.toThrow(`${file}: line ${line}: metric_value "abc" is not a number`);
  });
});
