import { describe, expect, it } from 'vitest';
import { windowParams } from './window-rule.ts';

describe('windowParams (SPEC §2)', () => {
  const configured = { windowMs: 30_000, warmupMs: 60_000 };
  it.each([
    { holdMs: 600_000, windowMs: 30_000, warmupMs: 60_000 },
    { holdMs: 1_800_000, windowMs: 30_000, warmupMs: 60_000 },
    { holdMs: 599_000, windowMs: 29_950, warmupMs: 59_900 },
    { holdMs: 60_000, windowMs: 3_000, warmupMs: 6_000 },
    { holdMs: 10_000, windowMs: 500, warmupMs: 1_000 },
  ])('hold $holdMs ms → window $windowMs, warm-up $warmupMs', ({ holdMs, windowMs, warmupMs }) => {
    expect(windowParams(holdMs, configured)).toEqual({ windowMs, warmupMs });
  });

  it('is idempotent', () => {
    const once = windowParams(60_000, configured);
    expect(windowParams(60_000, once)).toEqual(once);
  });
});
