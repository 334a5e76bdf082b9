import { describe, expect, it } from 'vitest';
import { k6StagesOf, parseUserList, planStages, plannedRunMs } from './stage-plan.ts';
import { parseHost, redactUrlText } from './redact.ts';
import { newRunId } from './run-id.ts';
import { RunManifestSchema } from './formats/manifest.ts';

describe('planStages', () => {
  it('ramps each stage at the spawn rate, rounded up to whole seconds, then holds', () => {
    const plan = planStages({ users: [5, 20, 50, 75, 100, 150], holdMs: 600_000, spawnRate: 5, targetStage: 100 });
    expect(plan.map((s) => s.rampMs)).toEqual([1000, 4000, 10_000, 15_000, 20_000, 30_000]);
    expect(plan.every((s) => s.holdMs === 600_000)).toBe(true);
    expect(plannedRunMs(plan)).toBe(80_000 + 6 * 600_000);
    expect(planStages({ users: [7], holdMs: 1000, spawnRate: 2, targetStage: 7 })[0]!.rampMs).toBe(4000);
  });

  it.each([
    [{ users: [], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: .*empty/],
    [{ users: [5, 5], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: expected increasing/],
    [{ users: [20, 5], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: expected increasing/],
    [{ users: [0, 5], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: expected positive/],
    [{ users: [5, 20], holdMs: 1000, spawnRate: 0, targetStage: 5 }, /--spawn-rate/],
    [{ users: [5, 20], holdMs: 0, spawnRate: 5, targetStage: 5 }, /--duration/],
    [{ users: [5, 20], holdMs: 1000, spawnRate: 5, targetStage: 100 }, /--target-stage: expected one of the stages \(5, 20\), got 100/],
  ])('refuses %j', (request, message) => {
    expect(() => planStages(request)).toThrow(message);
  });

  it('gives k6 a ramp and a hold per stage', () => {
    expect(k6StagesOf({ users: 50, rampMs: 10_000, holdMs: 600_000 })).toEqual([
      { durationMs: 10_000, target: 50 },
      { durationMs: 600_000, target: 50 },
    ]);
  });

  it('parses user lists and names the flag on bad input', () => {
    expect(parseUserList('5, 20,50')).toEqual([5, 20, 50]);
    expect(() => parseUserList('5,x')).toThrow(/--users: expected a comma-separated list/);
    expect(() => parseUserList('5,-1')).toThrow(/--users/);
  });
});

describe('parseHost', () => {
  it('keeps credentials apart from what is shown', () => {
    const h = parseHost('https://alice:s3cr%40t@app.example.com/base/');
    expect(h).toEqual({ display: 'https://app.example.com/base', base: 'https://app.example.com/base', username: 'alice', password: 's3cr@t' });
    expect(parseHost('http://127.0.0.1:8080').display).toBe('http://127.0.0.1:8080');
  });

  it.each(['ftp://example.com', 'example.com', 'not a url', ''])('refuses %j with one line', (text) => {
    expect(() => parseHost(text)).toThrow(/^--host: expected an http/);
  });

  it.each(['https://app.example.com/?token=abc', 'https://app.example.com/#x'])('refuses a query or fragment in %j (it would split every URL)', (text) => {
    expect(() => parseHost(text)).toThrow(/^--host: expected a base URL without a query string/);
  });

  it('never echoes a password from unparsable input', () => {
    expect(() => parseHost('https://bob:hunter2@exa mple.com')).toThrow(/^(?![\s\S]*hunter2)/);
    expect(redactUrlText('see https://bob:hunter2@example.com/x')).toBe('see https://***@example.com/x');
  });
});

describe('newRunId', () => {
  it('sorts by time and fits the manifest schema', () => {
    const a = newRunId(Date.UTC(2026, 10, 22, 3, 1), new Uint8Array([0, 1, 35, 36]));
    expect(a).toBe('2026-11-22T0301Z-01z0');
    const b = newRunId(Date.UTC(2026, 10, 22, 3, 2));
    expect([b, a].sort()).toEqual([a, b]);
    expect(RunManifestSchema.shape.id.safeParse(b).success).toBe(true);
  });
});
