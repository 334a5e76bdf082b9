/**
 * The probe scripts a real k6 v0.48 ran against httpbin (`__fixtures__/k6-api-probes/`), run on
 * the embedded engine against a loopback stand-in of the same endpoints (`httpbin.ts`): every
 * line they print, every warning, and the request counts of the summary export must be k6's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpbin } from '../test/testkit/httpbin.ts';
import { runEngineInProcess, type Loopback } from '../test/testkit/engine-runs.ts';

const probes = fileURLToPath(new URL('./__fixtures__/k6-api-probes/', import.meta.url));
/** Where httpbin listened when k6 recorded the fixtures. */
const RECORDED_BASE = 'http://127.0.0.1:18301';

interface Line {
  level: string;
  /** A console line: its label, and its value parsed (objects compare whatever their key order: Go maps have none). */
  label: string;
  value: unknown;
  /** Fields after the message (a warning's `error="…"`). */
  fields: string;
}

/** A log line split as the probes print: `label JSON`. */
function parseLine(line: string, base: string): Line | null {
  const m = /level=(\w+) msg="((?:[^"\\]|\\.)*)"(.*)$/.exec(line);
  if (!m) return null;
  const msg = (JSON.parse(`"${m[2]}"`) as string).replaceAll(RECORDED_BASE, base);
  const fields = m[3]!
    .trim()
    .replace(/\s*source=console$/, '')
    .replaceAll(RECORDED_BASE.replaceAll('/', '\\/'), base)
    .replaceAll(RECORDED_BASE, base);
  for (let i = msg.indexOf(' '); i > 0; i = msg.indexOf(' ', i + 1)) {
    try {
      return { level: m[1]!, label: msg.slice(0, i), value: JSON.parse(msg.slice(i + 1)), fields };
    } catch {
      // The label goes on.
    }
  }
  return { level: m[1]!, label: msg, value: undefined, fields };
}

interface Counts {
  http_reqs: number;
  failed: { passes: number; fails: number };
  iterations: number;
}

function counts(exportJson: string): Counts {
  const m = (JSON.parse(exportJson) as { metrics: Record<string, Record<string, number>> }).metrics;
  return {
    http_reqs: m.http_reqs!.count!,
    failed: { passes: m.http_req_failed!.passes!, fails: m.http_req_failed!.fails! },
    iterations: m.iterations!.count!,
  };
}

interface Probe {
  name: string;
  /** Where the embedded engine differs from k6 on purpose (said in engine/README.md). */
  adjust?(lines: Line[], c: Counts): void;
}

const PROBES: Probe[] = [
  {
    name: 'auth',
    // NTLM is refused with one line instead of being sent (k6 sent it; httpbin's /get answered 200).
    adjust(lines, c) {
      const at = lines.findIndex((l) => l.label === 'ntlm: status');
      lines[at] = {
        level: 'info',
        label: 'ntlm: error',
        value: "Error: params.auth 'ntlm' (NTLM authentication) is not supported by the embedded engine (supported: 'basic', 'digest')",
        fields: '',
      };
      c.http_reqs -= 1;
      c.failed.fails -= 1;
    },
  },
  { name: 'cookies' },
  { name: 'forms' },
  { name: 'redirects' },
  { name: 'throw' },
];

let srv: Loopback;
const dir = mkdtempSync(join(tmpdir(), 'k6-probes-'));
const runs = new Map<string, { code: number | null; stderr: string; export: string }>();

beforeAll(async () => {
  srv = await httpbin();
  const queue = [...PROBES];
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const out = `${p.name}.json`;
      const r = await runEngineInProcess(
        ['run', '-q', '--no-color', '-e', `HTTPBIN=${srv.base}`, '--summary-export', out, join(probes, `${p.name}.js`)],
        dir,
      );
      runs.set(p.name, { code: r.code, stderr: r.stderr, export: readFileSync(join(dir, out), 'utf8') });
    }
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('k6 api-probes on the embedded engine', () => {
  it.each(PROBES.map((p) => [p.name, p] as const))('%s: the lines and request counts k6 gave', (_name, p) => {
    const run = runs.get(p.name)!;
    expect(run.code, run.stderr).toBe(0);
    const log = readFileSync(join(probes, `${p.name}.k6-log.txt`), 'utf8')
      .split('\n')
      .filter(Boolean);
    const expected = log.map((l) => parseLine(l, srv.base)).filter((l): l is Line => l !== null);
    expect(expected).toHaveLength(log.length);
    const expectedCounts = counts(readFileSync(join(probes, `${p.name}.summary-export.json`), 'utf8'));
    p.adjust?.(expected, expectedCounts);
    const got = run.stderr
      .split('\n')
      .map((l) => parseLine(l, srv.base))
      .filter((l): l is Line => l !== null);
    expect(got).toEqual(expected);
    expect(counts(run.export)).toEqual(expectedCounts);
  });
});
