/**
 * k6's duration grammar, the one grammar of the toolkit: the runner's flags and config, the
 * scenarios' env, and the engine's options all read durations here, so that a duration means the
 * same to every part and to real k6. k6 (lib/types ParseExtendedDuration) reads Go's
 * time.ParseDuration (`90s`, `1h30m`, `1.5s`, `250ms`, `100us`, `10µs`, `5ns`, `.5s`), an optional
 * leading number of days (`2d`, `1d12h`), and a bare number as MILLISECONDS. No imports: the
 * scenarios bundle it for k6.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu: Go accepts both
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** One number+unit pair of Go's grammar: digits before or after an optional point, then a unit. */
const PAIR = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
export const BARE_NUMBER = /^(\d+\.?\d*|\.\d+)$/;

/**
 * What a bare number means: k6 reads it as milliseconds (scripts' options, the engine); the
 * toolkit's own inputs refuse it, because `--duration 30` meant 30 s to some and would be 30 ms to
 * k6: a unit says which.
 */
export type BareNumber = 'ms' | 'refuse';

/** Milliseconds of a k6 duration, or null when `text` is not one (negative durations are not). */
export function k6DurationMs(text: string, bareNumber: BareNumber = 'refuse'): number | null {
  const t = text.trim();
  if (t === '0') return 0; // Go's one unitless duration: 0 is 0 in any unit
  if (BARE_NUMBER.test(t)) return bareNumber === 'ms' ? Number(t) : null;
  let rest = t;
  let total = 0;
  const days = /^(\d+)d/.exec(rest);
  if (days) {
    total += Number(days[1]) * 86_400_000;
    rest = rest.slice(days[0].length);
    if (rest === '') return total;
  }
  PAIR.lastIndex = 0;
  let at = 0;
  for (let m = PAIR.exec(rest); m; m = PAIR.exec(rest)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = PAIR.lastIndex;
  }
  if (rest === '' || at !== rest.length) return null;
  // Whole nanoseconds, as Go counts them: no float noise (0.1s + 0.2s) in what follows.
  return Math.round(total * 1e6) / 1e6;
}
