/** k6's CSV output: what reaches the file, and when. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../test/testkit/temp-dir.ts';
import { CsvOutput } from './csv-output.ts';

const METRICS = ['http_reqs', 'http_req_duration'];

describe('CsvOutput', () => {
  const dir = useTempDir('csv-output-');

  it.each(['out.csv', 'out.csv.gz'])(
    'writes rows before the second is up once a megabyte of them is held, the file the same in the end (%s)',
    async (name) => {
      const path = join(dir(), name);
      const out = CsvOutput.open(path, 'unix');
      const rows = 8_000; // ~1.3 MB of rows: more than the output holds before writing
      for (let i = 0; i < rows; i++)
        out.addMany(METRICS, [1, i], 1795355090000 + i, { name: `request ${i}`, method: 'GET', status: '200' });
      // No flush yet: the first megabyte went to the file (or gzip) as it was filled.
      await new Promise((r) => setTimeout(r, 100));
      expect(statSync(path).size).toBeGreaterThan(0);
      await out.close();
      const bytes = readFileSync(path);
      const lines = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(1 + 2 * rows);
      expect(lines[1]).toMatch(/^http_reqs,1795355090,1\.000000,/);
      expect(lines.at(-1)).toMatch(/^http_req_duration,1795355097,7999\.000000,.*,request 7999,/);
    },
  );
});
