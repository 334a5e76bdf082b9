import { k6DurationMs } from '../../formats/k6/duration.ts';
import type { K6StageOption } from '../../formats/k6/stage.ts';

/**
 * The scenarios' configuration, read from k6's `__ENV`. Pure: no k6 module is imported here, so
 * this file runs in vitest as well as in k6, and every rule is table-tested
 * (scenarios/lib/config.test.ts). A scenario calls `readConfig(__ENV)` in its init code and
 * hands an error to k6's `fail()`.
 */

/** The environment as k6 gives it (`__ENV`), or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where the journey goes and how long a visitor thinks between steps. */
export interface JourneyConfig {
  /** Base URL without a trailing slash, e.g. `https://app.example.com`. */
  readonly host: string;
  /** Path of the home page. */
  readonly homePath: string;
  /** Path of the search, with `{q}` replaced by the URL-encoded query. */
  readonly searchPath: string;
  /** Path of one result, with `{id}` replaced by the URL-encoded id; empty: no result step. */
  readonly resultPath: string;
  /** Regular expression whose first group is a result id in the search response body. */
  readonly resultIdPattern: string;
  /** Think time between steps, uniform in [min, max] seconds. */
  readonly thinkMinS: number;
  readonly thinkMaxS: number;
  /**
   * HTTP basic credentials (HOST_USERNAME / HOST_PASSWORD): the runner takes them out of
   * `--host` and hands them over apart so that no URL, tag or log line carries them.
   */
  readonly basicAuth: { readonly username: string; readonly password: string } | null;
  /**
   * Headers for every request (HOST_HEADERS, a JSON object of strings): an environment's
   * `overrides.headers` (docs/config.md), handed over apart like the credentials.
   */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The load shape: one ramping-vus scenario, ramp to `users` at `rampRate` users/s, then hold
 * (closed model); or, with `EXECUTOR=constant-arrival-rate`, `open` iterations arriving at a
 * fixed rate for the hold (the runner's `--open-stage`).
 */
export interface LoadConfig {
  readonly users: number;
  /** Users started per second during the ramp. */
  readonly rampRate: number;
  /** Hold duration in k6's syntax, as given (e.g. `10m`, `1h30m`). */
  readonly hold: string;
  /** The open model (EXECUTOR=constant-arrival-rate), or null for the closed one. */
  readonly open: OpenLoadConfig | null;
}

/** A constant arrival rate: `rate` iterations per `timeUnit`, whatever the service's pace. */
export interface OpenLoadConfig {
  readonly rate: number;
  /** k6 duration, e.g. `1s`, `1m`. */
  readonly timeUnit: string;
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

/** EXECUTOR values: the closed model (default) or the open one. */
export const EXECUTORS = ['ramping-vus', 'constant-arrival-rate'] as const;

export interface ScenarioConfig {
  readonly journey: JourneyConfig;
  readonly load: LoadConfig;
}

/**
 * Defaults: they fit the embedded demo target (runner/demo-target) and a short manual run.
 * The runner always passes HOST, USERS, RAMP_RATE and HOLD, and k6's `--stage` flag as well.
 */
export const DEFAULTS = {
  USERS: '10',
  RAMP_RATE: '5',
  HOLD: '1m',
  HOME_PATH: '/',
  SEARCH_PATH: '/search?q={q}',
  RESULT_PATH: '/items/{id}',
  // The demo's search answers JSON `{"results":[{"id":"…",…}]}`; an HTML app would use e.g. href="/items/(\d+)".
  RESULT_ID_PATTERN: '"id"\\s*:\\s*"([^"]+)"',
  THINK_MIN: '1',
  THINK_MAX: '3',
  EXECUTOR: 'ramping-vus',
  TIME_UNIT: '1s',
} as const satisfies Record<string, string>;

/** gracefulRampDown of the scenario: short, so a stage ends soon after its hold. */
export const GRACEFUL_RAMP_DOWN = '5s';

export type ConfigResult = { readonly ok: true; readonly config: ScenarioConfig } | { readonly ok: false; readonly error: string };

/** Reads and checks the whole configuration; the error names the variable, what was expected and what was found. */
export function readConfig(env: Env): ConfigResult {
  const errors: string[] = [];
  const get = (name: keyof typeof DEFAULTS): string => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? DEFAULTS[name] : v.trim();
  };

  const host = checkHost(env.HOST, errors);
  const users = positiveInteger('USERS', get('USERS'), errors);
  const rampRate = positiveNumber('RAMP_RATE', get('RAMP_RATE'), errors);
  const hold = get('HOLD');
  if (!isK6Duration(hold)) errors.push(`HOLD: expected a k6 duration like 90s, 10m or 1h30m, got "${hold}"`);
  const open = readOpen(env, get('EXECUTOR'), get('TIME_UNIT'), errors);

  const homePath = path('HOME_PATH', get('HOME_PATH'), [], errors);
  const searchPath = path('SEARCH_PATH', get('SEARCH_PATH'), ['{q}'], errors);
  // RESULT_PATH may be set to '-' to leave the result step out (for an app without one).
  const rawResult = env.RESULT_PATH === '-' ? '' : get('RESULT_PATH');
  const resultPath = rawResult === '' ? '' : path('RESULT_PATH', rawResult, ['{id}'], errors);
  const resultIdPattern = get('RESULT_ID_PATTERN');
  try {
    const groups = new RegExp(`${resultIdPattern}|`).exec('')!.length - 1;
    if (groups < 1) errors.push(`RESULT_ID_PATTERN: expected a regular expression with a capturing group, got "${resultIdPattern}"`);
  } catch {
    errors.push(`RESULT_ID_PATTERN: expected a regular expression, got "${resultIdPattern}"`);
  }
  const thinkMinS = nonNegativeNumber('THINK_MIN', get('THINK_MIN'), errors);
  const thinkMaxS = nonNegativeNumber('THINK_MAX', get('THINK_MAX'), errors);
  if (thinkMinS > thinkMaxS) errors.push(`THINK_MAX: expected at least THINK_MIN (${thinkMinS}), got ${thinkMaxS}`);

  const username = env.HOST_USERNAME ?? '';
  const password = env.HOST_PASSWORD ?? '';
  const basicAuth = username !== '' || password !== '' ? { username, password } : null;
  const headers = readHeaders(env.HOST_HEADERS, errors);

  if (errors.length > 0) return { ok: false, error: errors.join('; ') };
  return {
    ok: true,
    config: {
      journey: { host, homePath, searchPath, resultPath, resultIdPattern, thinkMinS, thinkMaxS, basicAuth, headers },
      load: { users, rampRate, hold, open },
    },
  };
}

/** HOST_HEADERS: a JSON object of strings, or nothing. Values are never quoted back (they may be secrets). */
function readHeaders(text: string | undefined, errors: string[]): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    errors.push('HOST_HEADERS: expected a JSON object of strings, e.g. {"X-Tenant":"a"}');
    return {};
  }
  return parsed as Record<string, string>;
}

/** Ramp length for `users` at `rampRate` users/s, in whole milliseconds (rounded up, so the rate is never exceeded). */
export function rampDurationMs(users: number, rampRate: number): number {
  return Math.max(1, Math.ceil((users * 1000) / rampRate));
}

/** The shape of k6's options this builder produces (structurally a k6 `Options`). */
export interface RampingOptions {
  readonly scenarios: {
    readonly default: {
      readonly executor: 'ramping-vus';
      readonly startVUs: 0;
      readonly stages: K6StageOption[];
      readonly gracefulRampDown: string;
    };
  };
}

/** The open model's options: one constant-arrival-rate scenario over the hold. */
export interface ArrivalRateOptions {
  readonly scenarios: {
    readonly open_model: {
      readonly executor: 'constant-arrival-rate';
      readonly rate: number;
      readonly timeUnit: string;
      readonly duration: string;
      readonly preAllocatedVUs: number;
      readonly maxVUs: number;
      readonly gracefulStop: string;
    };
  };
}

/**
 * k6 options for one stage: ramp from 0 to `users` at `rampRate` users/s, then hold `hold`.
 * Named `default` like the scenario k6 builds from `--stage`, so both ways of running a stage
 * tag samples the same (`scenario=default`). k6's `--stage` flag replaces these scenarios.
 *
 * With `load.open` (EXECUTOR=constant-arrival-rate), a constant-arrival-rate scenario named
 * `open_model` instead (so its samples say which model produced them): the runner passes no
 * `--stage` for that stage, since `--stage` would replace it. A user's own script gets the
 * runner's open stage only when it builds its options from the same env (or calls this).
 */
export function buildOptions(load: LoadConfig): RampingOptions | ArrivalRateOptions {
  if (load.open) {
    return {
      scenarios: {
        open_model: {
          executor: 'constant-arrival-rate',
          rate: load.open.rate,
          timeUnit: load.open.timeUnit,
          duration: load.hold,
          preAllocatedVUs: load.open.preAllocatedVUs,
          maxVUs: load.open.maxVUs,
          gracefulStop: GRACEFUL_RAMP_DOWN,
        },
      },
    };
  }
  return {
    scenarios: {
      default: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { duration: `${rampDurationMs(load.users, load.rampRate)}ms`, target: load.users },
          { duration: load.hold, target: load.users },
        ],
        gracefulRampDown: GRACEFUL_RAMP_DOWN,
      },
    },
  };
}

/** The open model's variables, read only when EXECUTOR asks for it. */
function readOpen(env: Env, executor: string, timeUnit: string, errors: string[]): OpenLoadConfig | null {
  if (!(EXECUTORS as readonly string[]).includes(executor)) {
    errors.push(`EXECUTOR: expected one of ${EXECUTORS.join(', ')}, got "${executor}"`);
    return null;
  }
  if (executor === 'ramping-vus') return null;
  const required = (name: string): string => env[name]?.trim() ?? '';
  const rate = positiveInteger('RATE', required('RATE'), errors);
  if (!isK6Duration(timeUnit)) errors.push(`TIME_UNIT: expected a k6 duration like 1s or 1m, got "${timeUnit}"`);
  const preAllocatedVUs = positiveInteger('PRE_ALLOCATED_VUS', required('PRE_ALLOCATED_VUS'), errors);
  // MAX_VUS defaults to PRE_ALLOCATED_VUS (k6's own default).
  const maxVUs = required('MAX_VUS') === '' ? preAllocatedVUs : positiveInteger('MAX_VUS', required('MAX_VUS'), errors);
  if (maxVUs < preAllocatedVUs) errors.push(`MAX_VUS: expected at least PRE_ALLOCATED_VUS (${preAllocatedVUs}), got ${maxVUs}`);
  return { rate, timeUnit, preAllocatedVUs, maxVUs };
}

/** `template` with `{name}` replaced by the URL-encoded value. */
export function fillPath(template: string, name: 'q' | 'id', value: string): string {
  return template.split(`{${name}}`).join(encodeURIComponent(value));
}

/** Every id the search response body holds, in order, without duplicates. */
export function resultIds(body: string, pattern: string): string[] {
  const ids: string[] = [];
  const re = new RegExp(pattern, 'g');
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[0] === '') re.lastIndex += 1; // an empty match would loop forever
    const id = m[1];
    if (id !== undefined && id !== '' && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** A uniform think time in [min, max] seconds for `random` in [0, 1). */
export function thinkTimeS(journey: Pick<JourneyConfig, 'thinkMinS' | 'thinkMaxS'>, random: number): number {
  return journey.thinkMinS + (journey.thinkMaxS - journey.thinkMinS) * random;
}

/** A k6 duration above 0, with its unit: real k6 would read a bare number as milliseconds. */
function isK6Duration(text: string): boolean {
  return (k6DurationMs(text) ?? 0) > 0;
}

function checkHost(raw: string | undefined, errors: string[]): string {
  const v = raw?.trim() ?? '';
  if (v === '') {
    errors.push('HOST: the base URL of the service under test is required, e.g. -e HOST=https://app.example.com');
    return '';
  }
  if (!/^https?:\/\/[^/\s]+/i.test(v)) {
    // The value is not echoed: it may hold credentials.
    errors.push('HOST: expected an http(s) URL like https://app.example.com, got a value that is not one');
    return '';
  }
  return v.replace(/\/+$/, '');
}

function positiveInteger(name: string, text: string, errors: string[]): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    errors.push(`${name}: expected a positive whole number, got "${text}"`);
    return 1;
  }
  return n;
}

function positiveNumber(name: string, text: string, errors: string[]): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) {
    errors.push(`${name}: expected a number above 0, got "${text}"`);
    return 1;
  }
  return n;
}

function nonNegativeNumber(name: string, text: string, errors: string[]): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text)) {
    errors.push(`${name}: expected a number of seconds, 0 or more, got "${text}"`);
    return 0;
  }
  return n;
}

function path(name: string, text: string, placeholders: readonly string[], errors: string[]): string {
  if (!text.startsWith('/')) {
    errors.push(`${name}: expected a path starting with "/", got "${text}"`);
    return '/';
  }
  for (const p of placeholders) {
    if (!text.includes(p)) errors.push(`${name}: expected the placeholder ${p} in the path, got "${text}"`);
  }
  return text;
}
