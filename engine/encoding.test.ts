import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { base64ErrorOffset, variantOf } from './runtime/encoding.ts';
import { runEngineInProcess } from '../test/testkit/engine-runs.ts';

const probe = fileURLToPath(new URL('./__fixtures__/k6-encoding-probe/', import.meta.url));

describe('k6/encoding against a real k6', () => {
  it('prints, line for line, what k6 v0.48 printed for the encoding probe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-encoding-'));
    try {
      const run = await runEngineInProcess(['run', '-q', '--no-color', '--no-summary', join(probe, 'encoding.js')], dir);
      expect(run.code, run.stderr).toBe(0);
      // k6's log has its timestamps removed; the rest of each line is compared as it is.
      const ours = run.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^time="[^"]*" /, ''));
      expect(ours).toEqual(readFileSync(join(probe, 'encoding.k6-log.txt'), 'utf8').split('\n').filter(Boolean));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * k6/encoding's b64decode is Go's encoding/base64: where it refuses input, and at which byte
 * (`illegal base64 data at input byte N`), following Go's decodeQuantum.
 */
describe('b64decode: where Go refuses the input', () => {
  it.each<[string, string, number | null]>([
    ['!!!', 'std', 0], // the real k6's answer (api-probes/encoding.k6-log.txt)
    ['aGVsbG8=', 'std', null],
    ['aGVsbA==', 'std', null],
    ['', 'std', null],
    ['aGVsbG8', 'std', 4], // a quantum cut short: Go points at its start
    ['aGVsbG8', 'rawstd', null],
    ['aGVsbG8=', 'rawstd', 7], // padding where the raw encodings have none
    ['aGVsbA=', 'std', 7], // one "=" where two are due
    ['aGVsbA=x', 'std', 6],
    ['aGVsbG8=x', 'std', 8], // trailing garbage
    ['a', 'std', 0],
    ['a', 'rawstd', 0],
    ['=', 'std', 0],
    ['aGVs\r\nbG8=\n', 'std', null], // newlines are skipped, as Go does
    ['aGVsbG8_', 'std', 7],
    ['aGVsbG8_', 'url', null],
    ['aGVsbG8/', 'url', 7],
    ['ab\u00e9', 'std', 2], // offsets count UTF-8 bytes
    ['\u00e9\u00e9!', 'std', 0],
    ['aGVsbG8=', 'unknown', null], // any other name is std, as k6's default
    ['aGVsbG8', 'unknown', 4],
  ])('%j as %s → %s', (input, encoding, offset) => {
    expect(base64ErrorOffset(input, variantOf(encoding))).toBe(offset);
  });
});
