import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../formats/config.ts';
import { type StageFlags, stageSettings } from './settings.ts';

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
