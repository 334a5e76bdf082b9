import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A run id that sorts by start time: `2026-11-22T0301Z-ab12` (UTC minute + 4 random chars). */
export function newRunId(startedAtMs: number, random: Uint8Array = randomBytes(4)): string {
  const iso = new Date(startedAtMs).toISOString();
  const stamp = `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  const suffix = Array.from(random.slice(0, 4), (b) => ALPHABET[b % 36]).join('');
  return `${stamp}-${suffix}`;
}
