import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';
import { k6DurationMs } from './k6/duration.ts';

describe("k6's duration grammar (Go's time.ParseDuration, days, bare numbers as ms)", () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1.s', 1000],
    ['250ms', 250],
    ['100us', 0.1],
    ['10µs', 0.01],
    ['10μs', 0.01],
    ['5ns', 0.000005],
    ['1m30s500ms', 90_500],
    ['0', 0],
    ['0s', 0],
    ['2d', 172_800_000],
    ['1d12h', 129_600_000],
    [' 30s ', 30_000],
  ])('%j is %d ms', (text, ms) => {
    expect(k6DurationMs(text)).toBe(ms);
  });

  it.each(['', 's', '10', '1.5', '-5s', '+5s', '5 s', '5x', '1h 30m', '10sec', '1.2.3s', 'd', '1d-2h', '5S'])(
    '%j is not a duration',
    (text) => {
      expect(k6DurationMs(text)).toBeNull();
    },
  );

  it('a bare number is milliseconds where k6 reads it (options, the engine)', () => {
    expect(k6DurationMs('30', 'ms')).toBe(30);
    expect(k6DurationMs('2.5', 'ms')).toBe(2.5);
  });

  it('sums without float noise', () => {
    expect(k6DurationMs('0.1s0.2s')).toBe(300);
  });
});

describe('parseDuration: one line naming the input', () => {
  it('refuses a bare number in the toolkit inputs, saying why', () => {
    expect(() => parseDuration('30', '--duration')).toThrow(
      '--duration: give a unit, e.g. "30s" (k6 reads a bare number as milliseconds), got "30"',
    );
  });

  it('says what a duration looks like', () => {
    expect(() => parseDuration('10 minutes', 'duration')).toThrow('duration: expected a duration like 90s, 10m or 1h30m, got "10 minutes"');
  });
});

describe('formatDuration: the shortest exact k6 form', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(k6DurationMs(text)).toBe(ms);
  });
});
