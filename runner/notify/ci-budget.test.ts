import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../../formats/config.ts';
import { ciBudget, followedEnvironment, MAX_JOB_MINUTES, nightOrder, planOutputs, utcWeekday } from './ci-budget.ts';

describe('ciBudget: timeouts sized from the stages', () => {
  it.each([
    // SPEC's defaults: ramps 1+4+10+15+20+30 s, holds 6 × 10 min → 61.3 min planned.
    { users: [5, 20, 50, 75, 100, 150], holdMs: 600_000, spawnRate: 5, planned: 62, stage: 83, job: 103 },
    // (2 + 4) / 2 s of ramp + 2 × 30 s: 1.05 min × 1.25 + 2 min of overhead.
    { users: [2, 4], holdMs: 30_000, spawnRate: 2, planned: 2, stage: 4, job: 24 },
    // 100 s ramp + 60 min hold = 3700 s; × 1.25 + 60 s = 4685 s.
    { users: [100], holdMs: 3_600_000, spawnRate: 1, planned: 62, stage: 79, job: 99 },
  ])('$users.length stages of $holdMs ms → step $stage min, job $job min', ({ users, holdMs, spawnRate, planned, stage, job }) => {
    expect(ciBudget({ users, holdMs, spawnRate })).toEqual({ plannedMinutes: planned, stageMinutes: stage, jobMinutes: job });
  });

  it('grows with the hold: a longer duration is never cut by a fixed timeout', () => {
    const short = ciBudget({ users: [5, 20], holdMs: 60_000, spawnRate: 5 });
    const long = ciBudget({ users: [5, 20], holdMs: 1_800_000, spawnRate: 5 });
    expect(long.stageMinutes).toBeGreaterThan((2 * 1_800_000) / 60_000);
    expect(long.stageMinutes).toBeGreaterThan(short.stageMinutes);
  });

  it('refuses a plan that cannot fit in a GitHub-hosted job', () => {
    expect(() => ciBudget({ users: [5, 20, 50, 75, 100, 150], holdMs: 3_600_000, spawnRate: 5 })).toThrow(
      new RegExp(`more than a GitHub-hosted job may run \\(${MAX_JOB_MINUTES} min`),
    );
  });
});

describe('report day and CI overrides', () => {
  it.each([
    ['2026-11-23T02:17:00Z', 'monday'],
    ['2026-11-26T23:59:59Z', 'thursday'],
    ['2026-11-29T00:00:00Z', 'sunday'],
  ] as const)('%s is a %s (UTC)', (iso, day) => {
    expect(utcWeekday(Date.parse(iso))).toBe(day);
  });

  it('plan outputs: the report runs on the configured weekday, or when forced', () => {
    const monday = Date.parse('2026-11-23T02:17:00Z');
    const tuesday = Date.parse('2026-11-24T02:17:00Z');
    expect(planOutputs(DEFAULT_CONFIG, {}, monday, false)).toContain('weekly-report=true');
    expect(planOutputs(DEFAULT_CONFIG, {}, tuesday, false)).toContain('weekly-report=false');
    expect(planOutputs(DEFAULT_CONFIG, {}, tuesday, true)).toContain('weekly-report=true');
    expect(planOutputs(DEFAULT_CONFIG, {}, tuesday, false).split('\n')).toEqual([
      'planned-minutes=62',
      'stage-minutes=83',
      'job-minutes=103',
      'weekly-report=false',
      'report-weekday=monday',
      'environments=',
      'decide-environment=',
    ]);
  });

  it('sizes from the CI inputs as `stages` will read them (the same settings), unset inputs being empty', () => {
    const tuesday = Date.parse('2026-11-24T02:17:00Z');
    const small = planOutputs(DEFAULT_CONFIG, { users: '2, 4', duration: '30s', 'target-stage': '4' }, tuesday, false);
    expect(small.split('\n').slice(0, 3)).toEqual(['planned-minutes=2', 'stage-minutes=4', 'job-minutes=24']);
    expect(planOutputs(DEFAULT_CONFIG, { users: '', duration: '', 'target-stage': '' }, tuesday, false)).toBe(
      planOutputs(DEFAULT_CONFIG, {}, tuesday, false),
    );
    expect(() => planOutputs(DEFAULT_CONFIG, { users: '5,x' }, tuesday, false)).toThrow(/^--users: expected a comma-separated list/);
  });
});

describe('several environments in one night', () => {
  const day = (n: number) => Date.parse('2026-11-23T02:17:00Z') + n * 86_400_000;

  it.each([
    [
      ['current', 'candidate'],
      [0, 1, 2, 3],
    ],
    [
      ['a', 'b', 'c'],
      [0, 1, 2, 3, 4, 5],
    ],
  ])('%j: the order turns by one each night, each environment first equally often', (names, nights) => {
    const orders = nights.map((n) => nightOrder(names, day(n)));
    for (const [i, order] of orders.entries()) {
      expect([...order].sort()).toEqual([...names].sort());
      // Consecutive nights never start with the same environment.
      if (i > 0) expect(order[0]).not.toBe(orders[i - 1]![0]);
    }
    const firsts = names.map((n) => orders.filter((o) => o[0] === n).length);
    expect(new Set(firsts).size).toBe(1);
  });

  it('the same night is the same order, whatever its hour (UTC days)', () => {
    expect(nightOrder(['a', 'b'], Date.parse('2026-11-23T00:00:00Z'))).toEqual(nightOrder(['a', 'b'], Date.parse('2026-11-23T23:59:59Z')));
  });

  const config = applyOverrides(DEFAULT_CONFIG, {
    environments: [
      { name: 'current', host: 'https://app.example.com' },
      { name: 'candidate', host: '${CANDIDATE_HOST}' },
    ],
  });

  it.each([
    ['the config’s environment when it is one of the list', applyOverrides(config, { environment: 'candidate' }), 'candidate'],
    ['else the list’s first (the current host)', config, 'current'],
    ['without a list, the single environment', DEFAULT_CONFIG, 'staging'],
  ])('the decision follows %s', (_, c, name) => {
    expect(followedEnvironment(c)).toBe(name);
  });

  it('plan outputs: the night’s order, the followed environment, timeouts for every environment, no secret needed', () => {
    const flags = { users: '2,4', duration: '30s', 'target-stage': '4', environment: ['all'] };
    const one = planOutputs(config, { ...flags, environment: ['current'] }, day(0), false).split('\n');
    const night0 = planOutputs(config, flags, day(0), false).split('\n');
    const night1 = planOutputs(config, flags, day(1), false).split('\n');
    expect(one.slice(0, 3)).toEqual(['planned-minutes=2', 'stage-minutes=4', 'job-minutes=24']);
    // Two environments one after another: twice the stages' time (2.1 min × 1.25 + 4 min of overhead).
    expect(night0.slice(0, 3)).toEqual(['planned-minutes=3', 'stage-minutes=7', 'job-minutes=27']);
    expect(night0.slice(-2)).toEqual(['environments=current candidate', 'decide-environment=current']);
    expect(night1.slice(-2)).toEqual(['environments=candidate current', 'decide-environment=current']);
    expect(() => planOutputs(config, { environment: ['prod'] }, day(0), false)).toThrow('--environment: unknown environment "prod"');
  });
});
