import { describe, expect, it } from 'vitest';
import { UserError } from '../../formats/errors.ts';
import { compareIsoWeeks, formatIsoWeek, isoWeekEnd, isoWeekOf, isoWeekStart, parseIsoWeek, weeksInYear } from './iso-week.ts';

const at = (iso: string) => Date.parse(iso);

describe('isoWeekOf (UTC)', () => {
  // Expected values checked against GNU date's %G-W%V.
  it.each([
    ['2026-11-16T00:00:00Z', '2026-W47'], // Monday
    ['2026-11-22T23:59:59.999Z', '2026-W47'], // Sunday, last instant
    ['2026-11-23T00:00:00Z', '2026-W48'],
    ['2025-12-29T00:00:00Z', '2026-W01'], // W01 of 2026 starts in December 2025
    ['2026-01-01T12:00:00Z', '2026-W01'],
    ['2025-12-28T23:59:59Z', '2025-W52'],
    ['2027-01-03T10:00:00Z', '2026-W53'], // January 2027 still in 2026's week 53
    ['2027-01-04T00:00:00Z', '2027-W01'],
    ['2021-01-03T00:00:00Z', '2020-W53'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2024-02-29T00:00:00Z', '2024-W09'],
  ])('%s is in %s', (instant, week) => {
    expect(formatIsoWeek(isoWeekOf(at(instant)))).toBe(week);
  });

  it('reads the instant in UTC, whatever the offset it was written with', () => {
    // Monday 00:30 in Paris is still Sunday in UTC.
    expect(formatIsoWeek(isoWeekOf(at('2026-11-23T00:30:00+01:00')))).toBe('2026-W47');
  });
});

describe('week bounds', () => {
  it.each([
    ['2026-W47', '2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
    ['2026-W01', '2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
    ['2026-W53', '2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
    ['2020-W53', '2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z'],
  ])('%s runs from %s to %s', (week, start, end) => {
    const w = parseIsoWeek(week);
    expect(new Date(isoWeekStart(w)).toISOString()).toBe(start);
    expect(new Date(isoWeekEnd(w)).toISOString()).toBe(end);
  });

  it('every day of a span of years maps back into the week that contains it', () => {
    for (let ms = Date.UTC(2019, 11, 1); ms < Date.UTC(2028, 1, 1); ms += 86_400_000) {
      const w = isoWeekOf(ms + 43_200_000);
      expect(isoWeekStart(w)).toBeLessThanOrEqual(ms);
      expect(isoWeekEnd(w)).toBeGreaterThan(ms);
    }
  });

  it('knows long years', () => {
    expect([2020, 2021, 2025, 2026, 2027].map(weeksInYear)).toEqual([53, 52, 52, 53, 52]);
  });
});

describe('parseIsoWeek', () => {
  it('accepts the extended and basic forms', () => {
    expect(parseIsoWeek('2026-W07')).toEqual({ year: 2026, week: 7 });
    expect(parseIsoWeek('2026W07')).toEqual({ year: 2026, week: 7 });
  });

  it.each(['2026-47', '2026-W7', 'W47', '2026-W00', '2025-W53', 'next week'])('refuses %s with a one-line UserError', (text) => {
    expect(() => parseIsoWeek(text)).toThrow(UserError);
    expect(() => parseIsoWeek(text)).toThrow(/--week: /);
  });

  it('accepts week 53 of a long year only', () => {
    expect(parseIsoWeek('2026-W53')).toEqual({ year: 2026, week: 53 });
    expect(() => parseIsoWeek('2025-W53')).toThrow(/2025 has weeks W01 to W52/);
  });

  it('orders weeks across a year boundary', () => {
    expect(compareIsoWeeks(parseIsoWeek('2026-W53'), parseIsoWeek('2027-W01'))).toBeLessThan(0);
    expect(compareIsoWeeks(parseIsoWeek('2027-W02'), parseIsoWeek('2027-W01'))).toBeGreaterThan(0);
  });
});
