/**
 * Local answers to the most used k6 jslib modules (https://jslib.k6.io/…), written here from
 * their documented behaviour: k6-utils, k6-summary and url.
 */
import { host } from './host.ts';
import { junitSummary, textSummary as renderText, type SummaryData } from '../summary-text.ts';
import type { K6StageOption } from '../../formats/k6/stage.ts';

/** A whole number in [min, max], both included. */
export function randomIntBetween(min: number, max: number): number {
  return Math.floor(Math.random() * (max - min + 1) + min);
}

export function randomItem<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

export function randomString(length: number, charset = 'abcdefghijklmnopqrstuvwxyz'): string {
  let s = '';
  for (let i = 0; i < length; i++) s += charset[Math.floor(Math.random() * charset.length)];
  return s;
}

/** A random (version 4) UUID; `secure` takes its bits from the crypto generator. */
export function uuidv4(secure = false): string {
  const b = new Uint8Array(16);
  if (secure) b.set(host.randomBytes(16));
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The text between `left` and `right`: the first one, or with `repeat` all of them in order; null when none. */
export function findBetween(content: string, left: string, right: string, repeat = false): string | string[] | null {
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const a = content.indexOf(left, from);
    if (a < 0) break;
    const start = a + left.length;
    const b = content.indexOf(right, start);
    if (b < 0) break;
    found.push(content.slice(start, b));
    from = b + right.length;
    if (!repeat) break;
  }
  if (!found.length) return null;
  return repeat ? found : found[0]!;
}

/**
 * `numberOfStages` ramping-vus stages over `durationSeconds` in all, whose targets follow a
 * normal curve sampled evenly over ±2σ and scaled so its middle is maxVus (10 VUs, 5 stages:
 * 1, 6, 10, 6, 1).
 */
export function normalDistributionStages(maxVus: number, durationSeconds: number, numberOfStages = 10): K6StageOption[] {
  const n = Math.max(2, Math.floor(numberOfStages));
  const base = Math.floor(durationSeconds / n);
  const extra = durationSeconds - base * n;
  const stages: K6StageOption[] = [];
  for (let i = 0; i < n; i++) {
    const x = -2 + (4 * i) / (n - 1);
    stages.push({ duration: `${base + (i < extra ? 1 : 0)}s`, target: Math.round(maxVus * Math.exp(-0.5 * x * x)) });
  }
  return stages;
}

export const k6Utils = { randomIntBetween, randomItem, randomString, uuidv4, findBetween, normalDistributionStages };

export const k6Summary = {
  textSummary(data: SummaryData, opts: { indent?: string; enableColors?: boolean } = {}): string {
    return renderText(data, { color: Boolean(opts.enableColors), indent: opts.indent ?? ' ' });
  },
  jUnit(data: SummaryData, opts: { name?: string; classname?: string } = {}): string {
    return junitSummary(data, opts);
  },
};

export const url = { URL: host.URL, URLSearchParams: host.URLSearchParams };
