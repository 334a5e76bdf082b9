import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { startLoopbackServer } from './loopback.ts';
import type { Decision, DecisionValue, Level } from '../../formats/decision.ts';
import type { Io } from '../../runner/io.ts';
import type { RunManifest, RunStatus } from '../../formats/run-manifest.ts';

/** Builders and a loopback webhook receiver for notify's tests. */

const SCORE: Record<Level, number> = { green: 0, orange: 1, red: 2 };

/** A decision with sensible defaults; `levels` are the consolidated p95 / error rate / held levels. */
export function makeDecision(
  decision: DecisionValue,
  options: { levels?: [Level, Level, Level]; runs?: string[]; provisional?: boolean; reasons?: string[] } = {},
): Decision {
  const runs = options.runs ?? ['2026-11-24T0200Z-cccc', '2026-11-23T0200Z-bbbb', '2026-11-22T0200Z-aaaa'];
  if (decision === 'insufficient-data') {
    return {
      kind: 'decision',
      schemaVersion: 1,
      decision,
      provisional: false,
      score: null,
      reading: null,
      reasons: options.reasons ?? ['no comparable run'],
      criteria: {},
      runs: [],
      baseline: null,
      excluded: [],
      runsToCompare: 3,
      environment: 'staging',
      targetStage: 100,
      keyTransaction: 'search',
    };
  }
  const levels =
    options.levels ??
    (decision === 'go' ? ['green', 'green', 'green'] : decision === 'watch' ? ['orange', 'orange', 'green'] : ['red', 'green', 'red']);
  const [p95, err, held] = levels;
  const score = levels.reduce((s, l) => s + SCORE[l], 0);
  const perRun = (level: Level, figure: number | null) =>
    runs.map((runId) => ({ runId, level, figure, bound: 'green ≤ 2500 ms, orange ≤ 4000 ms', rule: 'test', borderline: false, ci: null }));
  return {
    kind: 'decision',
    schemaVersion: 1,
    decision,
    provisional: options.provisional ?? false,
    score,
    reading: score <= 1 ? 'ok' : score === 2 ? 'attention' : 'migrate',
    reasons: options.reasons ?? [`score ${score}`],
    criteria: {
      p95: { level: p95, runs: perRun(p95, 2480.4) },
      errorRate: { level: err, runs: perRun(err, 0.4213) },
      held: { level: held, runs: perRun(held, null) },
    },
    runs,
    baseline: runs[0] ?? null,
    excluded: [],
    runsToCompare: 3,
    environment: 'staging',
    targetStage: 100,
    keyTransaction: 'search',
  };
}

/** A run.json with the given status. */
export function makeManifest(id: string, status: RunStatus, why?: string): RunManifest {
  return {
    kind: 'run-manifest',
    schemaVersion: 2,
    id,
    startedAt: '2026-11-22T02:00:00.000Z',
    host: 'https://staging.example.com',
    environment: 'staging',
    scenario: { name: 'search', bundleSha256: 'a'.repeat(64) },
    plan: { stages: [{ users: 5, rampMs: 1000, holdMs: 60_000 }], holdMs: 60_000, spawnRate: 5, targetStage: 5, keyTransaction: 'search' },
    engine: { name: 'k6', version: '0.48.0' },
    status,
    ...(why ? { why } : {}),
    stages: [],
  };
}

/** An Io with captured output and a fixed clock. */
export function captureIo(cwd: string, env: Record<string, string | undefined> = {}, now = Date.parse('2026-11-24T03:00:00Z')) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, cb) {
        into.push(String(chunk));
        cb();
      },
    });
  const io: Io = { cwd, env, stdout: sink(out), stderr: sink(err), now: () => now, signal: new AbortController().signal };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

export interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A webhook receiver on 127.0.0.1 answering `status` (changeable); records every request. */
export async function startReceiver(
  status = 200,
): Promise<{ url: string; received: Received[]; setStatus(s: number): void; close(): Promise<void> }> {
  const received: Received[] = [];
  let answer = status;
  const server = await startLoopbackServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer >= 200 && answer < 300 ? 'ok' : 'invalid_token');
    });
  });
  return {
    // A path that looks like a Slack webhook secret, so the tests can check it never leaks.
    url: `${server.url}/services/T0SECRET/B0SECRET/xoxSECRETtoken`,
    received,
    setStatus: (s) => {
      answer = s;
    },
    close: () => server.close(),
  };
}
