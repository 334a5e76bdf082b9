import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { computeStageStats } from '../runner/stats/stage-stats.ts';
import { collectorSettings, DEFAULT_CONFIG, windowsForHold } from '../formats/config.ts';
import { readK6Csv } from '../runner/stats/k6-csv-file.ts';

/**
 * One measured ingestion, run in its own process by csv.bench.ts so that its peak RSS is its own:
 * `node --import tsx bench/csv-ingest.ts <stats|parse> <file> <users> <rampMs> <holdMs>`.
 * Prints one JSON line: rows, wall and CPU milliseconds (CPU includes zlib's threads), peak RSS
 * in MiB, and a digest of the figures.
 */
const [mode, file, users, rampMs, holdMs] = process.argv.slice(2);
if (!file || (mode !== 'stats' && mode !== 'parse' && mode !== 'csv-parse')) {
  process.stderr.write('usage: csv-ingest.ts <stats|parse|csv-parse> <file> <users> <rampMs> <holdMs>\n');
  process.exit(2);
}
const t = performance.now();
const cpu0 = process.cpuUsage();
let rows = 0;
let digest = '';
if (mode === 'csv-parse') {
  // The general library with its defaults (objects per row), for scale.
  let sum = 0;
  const parser = createReadStream(file).pipe(parse({ columns: true }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    sum += Number(record.metric_value);
    rows++;
  }
  digest = `sum ${sum.toFixed(3)}`;
} else if (mode === 'parse') {
  let sum = 0;
  const r = await readK6Csv(file, (rec) => {
    sum += rec.value;
  });
  rows = r.rows;
  digest = `sum ${sum.toFixed(3)}`;
} else {
  const s = await computeStageStats({
    file,
    users: Number(users),
    rampMs: Number(rampMs),
    holdMs: Number(holdMs),
    keyName: 'search',
    ...collectorSettings(DEFAULT_CONFIG),
    ...windowsForHold(Number(holdMs), DEFAULT_CONFIG),
  });
  rows = s.source.rows;
  digest = `key p95 ${s.key.p95Ms?.toFixed(3)} ms, ${s.all.count} requests, ${s.windows.length} windows, error rate ${(s.all.errorRate * 100).toFixed(2)} %`;
}
const ms = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ rows, ms, cpuMs, peakRssMiB: process.resourceUsage().maxRSS / 1024, digest })}\n`);
