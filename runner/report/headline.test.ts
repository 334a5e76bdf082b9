import { describe, expect, it } from 'vitest';
import type { Decision } from '../../formats/decision.ts';
import { decision, SETTINGS, type RunLevelSpec } from '../../test/testkit/report-builders.ts';
import { headline } from './headline.ts';

const IDS = ['r3', 'r2', 'r1'];
const g = (figure?: number): RunLevelSpec => ({ level: 'green', ...(figure === undefined ? {} : { figure }) });
const o = (figure?: number): RunLevelSpec => ({ level: 'orange', ...(figure === undefined ? {} : { figure }) });
const r = (figure?: number): RunLevelSpec => ({ level: 'red', ...(figure === undefined ? {} : { figure }) });

function d(
  value: Decision['decision'],
  levels: { p95: RunLevelSpec[]; err: RunLevelSpec[]; held: RunLevelSpec[] },
  consolidated: [string, string, string],
  extra: { provisional?: boolean; score?: number } = {},
): Decision {
  const n = levels.p95.length;
  const c = consolidated as [RunLevelSpec['level'], RunLevelSpec['level'], RunLevelSpec['level']];
  return decision({
    decision: value,
    runIds: IDS.slice(0, n),
    provisional: extra.provisional ?? false,
    score: extra.score ?? 0,
    reading: 'ok',
    levels: {
      p95: { consolidated: c[0], runs: levels.p95 },
      errorRate: { consolidated: c[1], runs: levels.err },
      held: { consolidated: c[2], runs: levels.held },
    },
  });
}

describe('the headline paragraph', () => {
  it.each([
    [
      'No-Go on a red p95: the red runs, their figures and the red bound',
      d('no-go', { p95: [r(4380), g(2300), r(4180)], err: [g(0.2), g(0.1), g(0.3)], held: [g(), g(), g()] }, ['red', 'green', 'green'], {
        score: 2,
      }),
      '**No-Go** — prepare the migration: p95 of `search` at 100 users was 4380 and 4180 ms against a 4000 ms red bound in 2 of the last 3 runs.',
    ],
    [
      'a figure just over a bound keeps the decimals that make it differ from the bound',
      d('no-go', { p95: [r(4000.4), r(4100), g(2000)], err: [g(0.2), g(0.1), g(0.3)], held: [g(), g(), g()] }, ['red', 'green', 'green'], {
        score: 2,
      }),
      '**No-Go** — prepare the migration: p95 of `search` at 100 users was 4000.4 and 4100 ms against a 4000 ms red bound in 2 of the last 3 runs.',
    ],
    [
      'No-Go on the target stage not held, with a red error rate too',
      d('no-go', { p95: [g(2000), g(2100), g(2000)], err: [r(3.5), r(4), g(0.5)], held: [r(), r(), g()] }, ['green', 'red', 'red'], {
        score: 4,
      }),
      '**No-Go** — prepare the migration: the error rate up to 100 users was 3.5 and 4 % against a 3 % red bound in 2 of the last 3 runs; and the target stage (100 users) was not held in 2 of the last 3 runs.',
    ],
    [
      'No-Go on three oranges: the score',
      d(
        'no-go',
        { p95: [o(2600), o(2700), o(2800)], err: [o(1.5), o(1.2), g(0.4)], held: [o(), o(), g()] },
        ['orange', 'orange', 'orange'],
        { score: 3 },
      ),
      '**No-Go** — prepare the migration: 3 criteria orange (score 3): p95 of `search` at 100 users was 2600, 2700 and 2800 ms against a 2500 ms green bound in all 3 runs; the error rate up to 100 users was 1.5 and 1.2 % against a 1 % green bound in 2 of the last 3 runs; and the target stage (100 users) held only with degradation in 2 of the last 3 runs.',
    ],
    [
      'Watch: both oranges, a red run counted with them',
      d(
        'watch',
        { p95: [r(4100), o(2700), g(2000)], err: [o(1.5), o(1.2), g(0.4)], held: [g(), g(), g()] },
        ['orange', 'orange', 'green'],
        { score: 2 },
      ),
      '**Watch** — stay, under closer monitoring: 2 criteria orange: p95 of `search` at 100 users was 4100 and 2700 ms against a 2500 ms green bound in 2 of the last 3 runs; and the error rate up to 100 users was 1.5 and 1.2 % against a 1 % green bound in 2 of the last 3 runs.',
    ],
    [
      'Go with one orange, which Go allows',
      d('go', { p95: [o(2600), o(2700), g(2000)], err: [g(0.5), g(0.2), g(0.4)], held: [g(), g(), g()] }, ['orange', 'green', 'green'], {
        score: 1,
      }),
      '**Go** — stay on the current hosting: one criterion orange, which Go allows: p95 of `search` at 100 users was 2600 and 2700 ms against a 2500 ms green bound in 2 of the last 3 runs.',
    ],
    [
      'Go, every criterion green: the green runs only, within their bounds',
      d('go', { p95: [g(300), o(2600), g(280)], err: [g(0), g(0), g(0)], held: [g(), g(), g()] }, ['green', 'green', 'green']),
      '**Go** — stay on the current hosting: every criterion green: p95 of `search` at 100 users was 300 and 280 ms within the 2500 ms green bound in 2 of the last 3 runs; the error rate up to 100 users was 0 % within the 1 % green bound in all 3 runs; and the target stage (100 users) held in all 3 runs.',
    ],
    [
      'provisional on one run',
      d('go', { p95: [g(300)], err: [g(0.1)], held: [g()] }, ['green', 'green', 'green'], { provisional: true }),
      '**Go**, provisional (on 1 of the 3 runs the grid asks for) — stay on the current hosting: every criterion green: p95 of `search` at 100 users was 300 ms within the 2500 ms green bound in the one run; the error rate up to 100 users was 0.1 % within the 1 % green bound in the one run; and the target stage (100 users) held in the one run.',
    ],
  ])('%s', (_name, dec, expected) => {
    const meaning = {
      go: 'stay on the current hosting',
      watch: 'stay, under closer monitoring',
      'no-go': 'prepare the migration',
      'insufficient-data': '',
    }[dec.decision];
    expect(headline(dec, SETTINGS, meaning, null)).toBe(expected);
  });

  it('adds the newest run capacity in users when there is one', () => {
    const dec = d('go', { p95: [g(300)], err: [g(0.1)], held: [g()] }, ['green', 'green', 'green']);
    expect(headline(dec, SETTINGS, 'stay', 'holds 100 users; at 150 users 13 % of requests fail (191 of 1441)')).toMatch(
      /runs?\. Capacity, newest run: holds 100 users; at 150 users 13 % of requests fail \(191 of 1441\)\.$/,
    );
  });

  it('insufficient data: says there is no decision, and why', () => {
    const none = decision({
      decision: 'insufficient-data',
      runIds: [],
      score: null,
      reading: null,
      levels: {},
      excluded: [
        { id: 'x', reason: 'interrupted' },
        { id: 'y', reason: 'interrupted' },
      ],
    });
    expect(headline(none, SETTINGS, 'no comparable run to decide on', null)).toBe(
      '**Insufficient data**: no comparable run up to the end of the week (2 runs were excluded: see Runs excluded), so no Go, Watch or No-Go can be given.',
    );
  });
});
