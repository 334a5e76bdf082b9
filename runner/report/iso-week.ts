import { UserError } from '../../formats/errors.ts';

/**
 * ISO-8601 weeks in UTC: weeks start on Monday, and week 1 of a week-year is the week holding
 * that year's first Thursday (so 2026-W01 may start in December 2025, and 31 December may
 * belong to week 1 of the next week-year). Pure functions on milliseconds since the epoch.
 */

export interface IsoWeek {
  /** The week-year, which differs from the calendar year around New Year. */
  readonly year: number;
  /** 1–52 or 1–53. */
  readonly week: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The ISO week holding the instant `ms` (read in UTC). */
export function isoWeekOf(ms: number): IsoWeek {
  const date = new Date(ms);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  // Monday = 0 … Sunday = 6; the Thursday of the same week decides the week-year.
  const weekday = (date.getUTCDay() + 6) % 7;
  const thursday = midnight + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const dayOfYear = Math.round((thursday - Date.UTC(year, 0, 1)) / DAY_MS);
  return { year, week: Math.floor(dayOfYear / 7) + 1 };
}

/** 52 or 53: the week of 28 December is always the week-year's last. */
export function weeksInYear(year: number): number {
  return isoWeekOf(Date.UTC(year, 11, 28)).week;
}

/** Monday 00:00 UTC of the week, in ms. */
export function isoWeekStart(w: IsoWeek): number {
  // 4 January is always in week 1.
  const jan4 = Date.UTC(w.year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  return mondayOfWeek1 + (w.week - 1) * WEEK_MS;
}

/** The next Monday 00:00 UTC (exclusive end of the week), in ms. */
export function isoWeekEnd(w: IsoWeek): number {
  return isoWeekStart(w) + WEEK_MS;
}

/** `2026-W07`. */
export function formatIsoWeek(w: IsoWeek): string {
  return `${String(w.year).padStart(4, '0')}-W${String(w.week).padStart(2, '0')}`;
}

/** Parses `2026-W47` (also `2026W47`, as ISO allows); throws a UserError naming `what`. */
export function parseIsoWeek(text: string, what = '--week'): IsoWeek {
  const m = /^(\d{4})-?W(\d{2})$/i.exec(text.trim());
  if (!m) throw new UserError(`${what}: expected an ISO week like 2026-W47, got "${text}"`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  const last = weeksInYear(year);
  if (week < 1 || week > last) {
    throw new UserError(`${what}: ${year} has weeks W01 to W${last}, got "${text}"`);
  }
  return { year, week };
}

/** Orders weeks in time (negative when `a` is earlier). */
export function compareIsoWeeks(a: IsoWeek, b: IsoWeek): number {
  return a.year - b.year || a.week - b.week;
}
