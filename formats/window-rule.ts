/** Below this hold length, windows and warm-up shrink with the hold (SPEC §2). */
export const SHORT_HOLD_MS = 10 * 60_000;

/**
 * Window length and warm-up for a hold (SPEC §2): the configured values, except for holds
 * shorter than 10 minutes (demos, tests) where they become hold/20 and hold/10 so that every
 * stage has windows. Idempotent: applying it to its own result changes nothing.
 */
export function windowParams(holdMs: number, configured: { windowMs: number; warmupMs: number }): { windowMs: number; warmupMs: number } {
  if (holdMs < SHORT_HOLD_MS) return { windowMs: holdMs / 20, warmupMs: holdMs / 10 };
  return { windowMs: configured.windowMs, warmupMs: configured.warmupMs };
}
