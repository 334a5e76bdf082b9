import { describe, expect, it } from 'vitest';
import { DEFAULTS, buildOptions, fillPath, readConfig, rampDurationMs, resultIds, thinkTimeS, type Env } from './config.ts';

const HOST = 'http://127.0.0.1:8099';

function errorOf(env: Env): string {
  const r = readConfig(env);
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(env)}`);
  return r.error;
}

describe('readConfig', () => {
  it('applies the defaults when only HOST is set', () => {
    const r = readConfig({ HOST });
    expect(r).toEqual({
      ok: true,
      config: {
        journey: {
          host: HOST,
          homePath: DEFAULTS.HOME_PATH,
          searchPath: DEFAULTS.SEARCH_PATH,
          resultPath: DEFAULTS.RESULT_PATH,
          resultIdPattern: DEFAULTS.RESULT_ID_PATTERN,
          thinkMinS: 1,
          thinkMaxS: 3,
          basicAuth: null,
          headers: {},
        },
        load: { users: 10, rampRate: 5, hold: '1m', open: null },
      },
    });
  });

  it.each([
    [
      { HOST, HOST_USERNAME: 'alice', HOST_PASSWORD: 's3cr:t' },
      { username: 'alice', password: 's3cr:t' },
    ],
    [
      { HOST, HOST_PASSWORD: 'token-only' },
      { username: '', password: 'token-only' },
    ],
    [{ HOST, HOST_USERNAME: '', HOST_PASSWORD: '' }, null],
  ])('takes basic credentials from HOST_USERNAME / HOST_PASSWORD: %j', (env, expected) => {
    const r = readConfig(env);
    expect(r.ok && r.config.journey.basicAuth).toEqual(expected);
  });

  it.each([
    [{ HOST }, {}],
    [{ HOST, HOST_HEADERS: '' }, {}],
    [
      { HOST, HOST_HEADERS: '{"Host":"app.example.com","Authorization":"Bearer t"}' },
      { Host: 'app.example.com', Authorization: 'Bearer t' },
    ],
  ])('takes headers for every request from HOST_HEADERS: %j', (env, expected) => {
    const r = readConfig(env);
    expect(r.ok && r.config.journey.headers).toEqual(expected);
  });

  it.each(['not json', '["a"]', '{"X-Token":3}', 'null'])('HOST_HEADERS %s is refused without quoting it', (text) => {
    expect(readConfig({ HOST, HOST_HEADERS: text })).toEqual({
      ok: false,
      error: 'HOST_HEADERS: expected a JSON object of strings, e.g. {"X-Tenant":"a"}',
    });
  });

  it.each([
    [
      { HOST: 'https://app.example.com/', USERS: '150', RAMP_RATE: '2.5', HOLD: '1h30m' },
      { host: 'https://app.example.com', users: 150, rampRate: 2.5, hold: '1h30m', open: null },
    ],
    [
      { HOST: ' http://localhost:3000 ', USERS: ' 5 ', RAMP_RATE: '', HOLD: '' },
      { host: 'http://localhost:3000', users: 5, rampRate: 5, hold: '1m', open: null },
    ],
    [
      { HOST: 'https://u:p@app.example.com', HOLD: '90s' },
      { host: 'https://u:p@app.example.com', users: 10, rampRate: 5, hold: '90s', open: null },
    ],
  ])('reads %j', (env, expected) => {
    const r = readConfig(env);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect({ host: r.config.journey.host, ...r.config.load }).toEqual(expected);
  });

  it.each([
    [{}, /^HOST: the base URL of the service under test is required/],
    [{ HOST: '' }, /^HOST: .*required/],
    [{ HOST: 'app.example.com' }, /^HOST: expected an http\(s\) URL/],
    [{ HOST, USERS: '0' }, /^USERS: expected a positive whole number, got "0"$/],
    [{ HOST, USERS: '2.5' }, /^USERS: expected a positive whole number, got "2.5"$/],
    [{ HOST, USERS: 'ten' }, /^USERS: expected a positive whole number/],
    [{ HOST, RAMP_RATE: '0' }, /^RAMP_RATE: expected a number above 0, got "0"$/],
    [{ HOST, RAMP_RATE: '-1' }, /^RAMP_RATE: expected a number above 0/],
    [{ HOST, HOLD: '10 minutes' }, /^HOLD: expected a k6 duration like 90s, 10m or 1h30m, got "10 minutes"$/],
    [{ HOST, HOLD: '0s' }, /^HOLD: expected a k6 duration/],
    [{ HOST, HOME_PATH: 'index.html' }, /^HOME_PATH: expected a path starting with "\/", got "index.html"$/],
    [{ HOST, SEARCH_PATH: '/search' }, /^SEARCH_PATH: expected the placeholder \{q\} in the path, got "\/search"$/],
    [{ HOST, RESULT_PATH: '/items' }, /^RESULT_PATH: expected the placeholder \{id\}/],
    [{ HOST, RESULT_ID_PATTERN: 'id=\\d+' }, /^RESULT_ID_PATTERN: expected a regular expression with a capturing group/],
    [{ HOST, RESULT_ID_PATTERN: '(' }, /^RESULT_ID_PATTERN: expected a regular expression, got "\("$/],
    [{ HOST, THINK_MIN: '-1' }, /^THINK_MIN: expected a number of seconds, 0 or more/],
    [{ HOST, THINK_MIN: '4', THINK_MAX: '2' }, /^THINK_MAX: expected at least THINK_MIN \(4\), got 2$/],
  ])('rejects %j', (env, message) => {
    expect(errorOf(env)).toMatch(message);
  });

  it('reports every wrong variable at once', () => {
    expect(
      errorOf({ USERS: 'x', HOLD: 'y' })
        .split('; ')
        .map((e) => e.split(':')[0]),
    ).toEqual(['HOST', 'USERS', 'HOLD']);
  });

  it('never echoes a HOST that is not a URL (it may hold a secret)', () => {
    expect(errorOf({ HOST: 'token-s3cr3t' })).not.toContain('s3cr3t');
  });

  it('leaves the result step out with RESULT_PATH=-', () => {
    const r = readConfig({ HOST, RESULT_PATH: '-' });
    expect(r.ok && r.config.journey.resultPath).toBe('');
  });
});

describe('buildOptions', () => {
  it.each([
    // users, ramp rate (users/s), hold → ramp stage duration
    [100, 5, '10m', '20000ms'],
    [5, 2, '3s', '2500ms'],
    [7, 3, '1m', '2334ms'],
    [1, 10, '30s', '100ms'],
  ])('%i users at %d/s, hold %s: ramp %s then hold', (users, rampRate, hold, ramp) => {
    expect(buildOptions({ users, rampRate, hold, open: null })).toEqual({
      scenarios: {
        default: {
          executor: 'ramping-vus',
          startVUs: 0,
          stages: [
            { duration: ramp, target: users },
            { duration: hold, target: users },
          ],
          gracefulRampDown: '5s',
        },
      },
    });
  });

  it('builds one constant-arrival-rate scenario over the hold for the open model', () => {
    const r = readConfig({
      HOST,
      HOLD: '3s',
      EXECUTOR: 'constant-arrival-rate',
      RATE: '90',
      TIME_UNIT: '1m',
      PRE_ALLOCATED_VUS: '4',
      MAX_VUS: '9',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.load.open).toEqual({ rate: 90, timeUnit: '1m', preAllocatedVUs: 4, maxVUs: 9 });
    expect(buildOptions(r.config.load)).toEqual({
      scenarios: {
        open_model: {
          executor: 'constant-arrival-rate',
          rate: 90,
          timeUnit: '1m',
          duration: '3s',
          preAllocatedVUs: 4,
          maxVUs: 9,
          gracefulStop: '5s',
        },
      },
    });
  });

  it.each([
    [
      { EXECUTOR: 'constant-arrival-rate', RATE: '5', PRE_ALLOCATED_VUS: '3' },
      { rate: 5, timeUnit: '1s', preAllocatedVUs: 3, maxVUs: 3 },
    ],
    [{ EXECUTOR: 'ramping-vus', RATE: 'x' }, null],
    [{ EXECUTOR: '', RATE: 'x' }, null],
  ])('reads the open model from %j', (env, expected) => {
    const r = readConfig({ HOST, ...env });
    expect(r.ok && r.config.load.open).toEqual(expected);
  });

  it.each([
    [{ EXECUTOR: 'per-vu-iterations' }, /^EXECUTOR: expected one of ramping-vus, constant-arrival-rate, got "per-vu-iterations"$/],
    [{ EXECUTOR: 'constant-arrival-rate', PRE_ALLOCATED_VUS: '3' }, /^RATE: expected a positive whole number, got ""$/],
    [{ EXECUTOR: 'constant-arrival-rate', RATE: '1.5', PRE_ALLOCATED_VUS: '3' }, /^RATE: expected a positive whole number, got "1.5"$/],
    [{ EXECUTOR: 'constant-arrival-rate', RATE: '5' }, /^PRE_ALLOCATED_VUS: expected a positive whole number/],
    [
      { EXECUTOR: 'constant-arrival-rate', RATE: '5', PRE_ALLOCATED_VUS: '3', MAX_VUS: '2' },
      /^MAX_VUS: expected at least PRE_ALLOCATED_VUS \(3\), got 2$/,
    ],
    [{ EXECUTOR: 'constant-arrival-rate', RATE: '5', PRE_ALLOCATED_VUS: '3', TIME_UNIT: 'soon' }, /^TIME_UNIT: expected a k6 duration/],
  ])('refuses the open model with %j', (env, message) => {
    const r = readConfig({ HOST, ...env });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(message);
  });

  it.each([
    [100, 5, 20_000],
    [3, 2, 1500],
    [10, 3, 3334],
  ])('rampDurationMs(%i, %d) = %i (rounded up, never faster than the rate)', (users, rate, ms) => {
    expect(rampDurationMs(users, rate)).toBe(ms);
  });
});

describe('journey helpers', () => {
  it.each([
    ['/search?q={q}', 'q', 'trail running', '/search?q=trail%20running'],
    ['/s/{q}/page/{q}', 'q', 'a&b', '/s/a%26b/page/a%26b'],
    ['/items/{id}', 'id', 'p-12', '/items/p-12'],
    ['/items/{id}', 'id', 'a/b', '/items/a%2Fb'],
  ] as const)('fillPath(%s, %s, %s) = %s', (template, name, value, expected) => {
    expect(fillPath(template, name, value)).toBe(expected);
  });

  it.each([
    ['{"results":[{"id":"p-1","title":"x"},{"id": "p-2"},{"id":"p-1"}]}', DEFAULTS.RESULT_ID_PATTERN, ['p-1', 'p-2']],
    ['<a href="/items/42">x</a><a href="/items/7">', 'href="/items/(\\d+)"', ['42', '7']],
    ['{"results":[]}', DEFAULTS.RESULT_ID_PATTERN, []],
    ['abc', '(x?)', []],
  ])('resultIds(%s) = %j', (body, pattern, ids) => {
    expect(resultIds(body, pattern)).toEqual(ids);
  });

  it.each([
    [0, 1],
    [0.5, 2],
    [0.999, 2.998],
  ])('thinkTimeS with random %d in [1, 3] = %d', (random, seconds) => {
    expect(thinkTimeS({ thinkMinS: 1, thinkMaxS: 3 }, random)).toBeCloseTo(seconds, 9);
  });
});
