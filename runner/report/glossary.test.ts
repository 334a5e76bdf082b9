import { describe, expect, it } from 'vitest';
import { glossaryOf } from './glossary.ts';

describe('the glossary', () => {
  it.each([
    ['a USL fit with its R²', 'peak 87/s (USL on goodput, R² 0.97)', ['goodput', 'USL', 'R²']],
    ["Little's law, with either apostrophe", "Little's law: 31.67 iterations/s; Little’s law", ['Little’s law']],
    [
      'the held rule of a real run',
      'Mann–Kendall p < 0.05 with Theil–Sen ≥ +10 %, log p95 above median + 3.5 × MAD (α = 0.05)',
      ['p95', 'Mann–Kendall', 'Theil–Sen', 'α', 'MAD'],
    ],
    ['a word that only contains a term is not the term', 'USLESS MADNESS rewindows holdings', []],
    ['nothing technical', 'Week 2026-W47.', []],
    [
      'the p95 difference of a migration rehearsal',
      'p95 at 100 users, new-host − current: −3050 ms (95 % interval −3190 ms to −2910 ms)',
      ['p95', 'p95 difference'],
    ],
  ])('%s', (_name, text, terms) => {
    expect(glossaryOf(text).map((e) => e.term)).toEqual(terms);
  });

  it('one line per term: no definition spans lines', () => {
    for (const e of glossaryOf('p95 USL R² Mann–Kendall Theil–Sen α MAD goodput held window warm-up saturation capacity borderline')) {
      expect(e.definition, e.term).not.toMatch(/\n/);
      expect(e.definition.length, e.term).toBeLessThan(200);
    }
  });
});
