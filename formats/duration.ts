import { UserError } from './errors.ts';
import { BARE_NUMBER, type BareNumber, k6DurationMs } from './k6/duration.ts';

/** Durations of the toolkit's inputs, in k6's grammar (./k6/duration.ts), and how they are printed. */

/** Milliseconds of a k6 duration; otherwise a one-line UserError naming `what`. */
export function parseDuration(text: string, what = 'duration', bareNumber: BareNumber = 'refuse'): number {
  const ms = k6DurationMs(text, bareNumber);
  if (ms !== null) return ms;
  const bare = BARE_NUMBER.test(text.trim());
  throw new UserError(
    bare
      ? `${what}: give a unit, e.g. "${text.trim()}s" (k6 reads a bare number as milliseconds), got "${text}"`
      : `${what}: expected a duration like 90s, 10m or 1h30m, got "${text}"`,
  );
}

/** Formats ms in k6's syntax, shortest exact form: 90000 → `1m30s`, 1500 → `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${Number(s.toFixed(3))}s` : ''}`;
}
