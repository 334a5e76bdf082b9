import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../formats/config.ts';
import { type StageFlags, stageSettings, stageTarget } from './settings.ts';

/** The run's shape from the config and the flags, as `stages` and the nightly job's sizing read it. */
describe('stage settings: the config with the flags laid over it', () => {
  it('takes the config when no flag is given (or a CI input is empty)', () => {
    for (const flags of [{}, { users: '', duration: '', 'spawn-rate': '', 'target-stage': '' }] as StageFlags[]) {
      const s = stageSettings(DEFAULT_CONFIG, flags);
      expect(s).toMatchObject({ users: [5, 20, 50, 75, 100, 150], holdMs: 600_000, spawnRate: 5, targetStage: 100, targetFallback: false });
      expect(s.plan[0]).toEqual({ users: 5, rampMs: 1000, holdMs: 600_000 });
    }
  });

  it('flags override the config', () => {
    const s = stageSettings(DEFAULT_CONFIG, { users: '2, 4', duration: '1m30s', 'spawn-rate': '0.5', 'target-stage': 4 });
    expect(s).toMatchObject({ users: [2, 4], holdMs: 90_000, spawnRate: 0.5, targetStage: 4, targetFallback: false });
    expect(s.plan.map((p) => p.rampMs)).toEqual([4000, 8000]);
  });

  it('a configured target stage outside --users falls back to the largest stage, and says so', () => {
    expect(stageSettings(DEFAULT_CONFIG, { users: '2,4' })).toMatchObject({ targetStage: 4, targetFallback: true });
    const config = applyOverrides(DEFAULT_CONFIG, { stages: [10, 20, 30], targetStage: 20 });
    expect(stageSettings(config, { users: '20,40' })).toMatchObject({ targetStage: 20, targetFallback: false });
  });

  it.each([
    [{ users: '5,x' }, '--users: expected a comma-separated list of positive integers like 5,20,50, got "5,x"'],
    [{ users: '20,5' }, '--users: expected increasing user levels, got 20 then 5'],
    [{ duration: 'soon' }, '--duration: expected a duration like 90s, 10m or 1h30m, got "soon"'],
    [{ duration: '30' }, '--duration: give a unit, e.g. "30s" (k6 reads a bare number as milliseconds), got "30"'],
    [{ duration: '0s' }, '--duration: expected a hold above 0, got 0 ms'],
    [{ 'spawn-rate': 'fast' }, '--spawn-rate: expected users per second above 0, e.g. 5, got "fast"'],
    [{ 'spawn-rate': '0' }, '--spawn-rate: expected users per second above 0, got 0'],
    [{ 'target-stage': 'x' }, '--target-stage: expected one of the stages (5, 20, 50, 75, 100, 150), got "x"'],
    [{ 'target-stage': '7' }, '--target-stage: expected one of the stages (5, 20, 50, 75, 100, 150), got 7'],
  ] as Array<[StageFlags, string]>)('%j: %s', (flags, message) => {
    expect(() => stageSettings(DEFAULT_CONFIG, flags)).toThrow(message);
  });
});

/** The environment layer: which environments a run records, and where each sends its load. */
describe('stage settings: environments between the config and the flags', () => {
  const config = applyOverrides(DEFAULT_CONFIG, {
    environment: 'current',
    environments: [
      { name: 'current', host: 'https://app.example.com' },
      { name: 'candidate', host: '${CANDIDATE_HOST}', overrides: { headers: { 'X-Api-Key': '${CANDIDATE_KEY}' } } },
    ],
  });
  const processEnv = { CANDIDATE_HOST: 'https://u:p@203.0.113.7', CANDIDATE_KEY: 'k3y' };

  it.each([
    ['no --environment: the config’s single environment', DEFAULT_CONFIG, {}, ['staging']],
    ['an empty CI input: the same', config, { environment: '' }, ['current']],
    ['one name', config, { environment: 'candidate' }, ['candidate']],
    ['all: the list, in order', config, { environment: ['all'] }, ['current', 'candidate']],
    ['names one by one: in the order given', config, { environment: ['candidate', 'current'] }, ['candidate', 'current']],
  ] as Array<[string, typeof config, StageFlags, string[]]>)('%s', (_, c, flags, environments) => {
    const s = stageSettings(c, flags);
    expect(s.environments).toEqual(environments);
    // The plan is the config's whatever the environment: runs differ only in the host.
    expect(s.plan).toEqual(stageSettings(c, {}).plan);
  });

  it.each([
    [config, { environment: 'prod' }, '--environment: unknown environment "prod"; the config names current, candidate (or all)'],
    [DEFAULT_CONFIG, { environment: 'candidate' }, '--environment: the config has no "environments" list (got "candidate")'],
    [config, { environment: 'all', host: 'https://x.example' }, '--host: not with several environments (current, candidate)'],
  ] as Array<[typeof config, StageFlags, string]>)('%j: refused', (c, flags, message) => {
    expect(() => stageSettings(c, flags)).toThrow(message);
  });

  it.each([
    ['the environment’s host, its variables read', 'candidate', {}, { host: 'https://u:p@203.0.113.7', headers: { 'X-Api-Key': 'k3y' } }],
    [
      '--host over the environment’s, its headers kept',
      'candidate',
      { host: 'http://127.0.0.1:1' },
      { host: 'http://127.0.0.1:1', headers: { 'X-Api-Key': 'k3y' } },
    ],
    ['a plain host', 'current', {}, { host: 'https://app.example.com', headers: {} }],
    ['no list: --host as given', 'staging', { host: 'http://127.0.0.1:2' }, { host: 'http://127.0.0.1:2', headers: {} }],
  ] as Array<[string, string, StageFlags, object]>)('stageTarget: %s', (_, environment, flags, target) => {
    const c = environment === 'staging' ? DEFAULT_CONFIG : config;
    expect(stageTarget(c, environment, flags, processEnv)).toEqual(target);
  });

  it('stageTarget: an unset variable is named, exit 2', () => {
    expect(() => stageTarget(config, 'candidate', {}, {})).toThrow(
      'environments.candidate.host: the environment variable CANDIDATE_HOST is not set; export it before the run (docs/config.md)',
    );
  });
});
