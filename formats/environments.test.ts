import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseConfig } from './config.ts';
import { UserError } from './errors.ts';
import { userErrorOf } from '../test/testkit/user-error.ts';
import { environmentNames, resolveEnvironment, selectEnvironments } from './environments.ts';

const CURRENT = { name: 'current', host: 'https://app.example.com' };
const CANDIDATE = {
  name: 'candidate',
  host: 'https://${CANDIDATE_USER}:${CANDIDATE_PASSWORD}@candidate.example.com/base',
  overrides: { headers: { Host: 'app.example.com', Authorization: 'Bearer ${CANDIDATE_TOKEN}' } },
};

describe('environments in the config', () => {
  it.each([
    ['no list: the old single environment, unchanged', {}, []],
    ['a plain host', { environments: [CURRENT] }, [CURRENT]],
    [
      'the whole host from a variable',
      { environments: [{ name: 'c', host: '${CANDIDATE_HOST}' }] },
      [{ name: 'c', host: '${CANDIDATE_HOST}' }],
    ],
    ['credentials and a token from variables, a Host header', { environments: [CURRENT, CANDIDATE] }, [CURRENT, CANDIDATE]],
    [
      'a username alone from a variable',
      { environments: [{ name: 'c', host: 'http://${U}@10.0.0.7:8080' }] },
      [{ name: 'c', host: 'http://${U}@10.0.0.7:8080' }],
    ],
  ])('valid: %s', (_, raw, environments) => {
    const config = parseConfig(raw);
    expect(config.environments).toEqual(environments);
  });

  it.each([
    [{ environments: {} }, 'environments: expected array (got {})'],
    [{ environments: [{ host: 'https://a.example' }] }, 'environments.0.name: expected string (got nothing)'],
    [{ environments: [{ name: 'a' }] }, 'environments.0.host: expected string (got nothing)'],
    [{ environments: [{ name: 'a', host: '' }] }, 'environments.0.host: must not be empty'],
    [
      { environments: [{ name: 'my env', host: 'https://a.example' }] },
      'environments.0.name: expected letters, digits, ".", "_" or "-", e.g. candidate (got "my env")',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', url: 'x' }] },
      'environments.0.url: unknown key; expected one of name, host, overrides',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', overrides: { stages: [5] } }] },
      'environments.0.overrides.stages: unknown key; expected one of headers',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', overrides: { headers: { 'X Tenant': 'a' } } }] },
      'environments.0.overrides.headers.X Tenant: expected an HTTP header name, e.g. X-Tenant',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', overrides: { headers: { 'X-Tenant': 3 } } }] },
      'environments.0.overrides.headers.X-Tenant: expected string (got 3)',
    ],
    [
      { environments: [CURRENT, { ...CURRENT, host: 'https://b.example' }] },
      'environments.1.name: "current" is named twice; every environment needs its own name',
    ],
    [
      { environments: [{ name: 'all', host: 'https://a.example' }] },
      'environments.0.name: "all" is reserved (--environment all runs every environment)',
    ],
    [
      { environments: [{ name: 'a', host: 'https://bob:hunter2@a.example' }] },
      'environments.0.host: credentials written in the file; take them from environment variables, e.g. "https://${CANDIDATE_USER}:${CANDIDATE_PASSWORD}@candidate.example.com", or the whole host as "${CANDIDATE_HOST}"',
    ],
    [{ environments: [{ name: 'a', host: 'https://bob:${PW}@a.example' }] }, 'environments.0.host: credentials written in the file'],
    [
      { environments: [{ name: 'a', host: 'a.example' }] },
      'environments.0.host: expected an http(s) URL like https://app.example.com or ${VAR} (got "a.example")',
    ],
    [
      { environments: [{ name: 'a', host: 'ftp://a.example' }] },
      'environments.0.host: expected an http or https URL (got the scheme "ftp:")',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example/?x=1' }] },
      'environments.0.host: expected a base URL without a query string or fragment, e.g. https://app.example.com/base',
    ],
    [
      { environments: [{ name: 'a', host: '${CANDIDATE-HOST}' }] },
      'environments.0.host: expected ${NAME} with a variable name of letters, digits and "_", e.g. ${CANDIDATE_HOST}',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', overrides: { headers: { Authorization: 'Bearer abc123' } } }] },
      'environments.0.overrides.headers.Authorization: a secret written in the file; take it from an environment variable, e.g. "Bearer ${CANDIDATE_TOKEN}"',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', overrides: { headers: { 'X-Api-Key': 'abc' } } }] },
      'environments.0.overrides.headers.X-Api-Key: a secret written in the file',
    ],
    [
      { environments: [{ name: 'a', host: 'https://a.example', overrides: { headers: { 'X-Tenant': '${T' } } }] },
      'environments.0.overrides.headers.X-Tenant: expected ${NAME}',
    ],
  ])('%j → %s', (raw, message) => {
    const error = userErrorOf(() => parseConfig(raw, 'capacity.config.json'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message.startsWith(`capacity.config.json: ${message}`), error.message).toBe(true);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it.each([
    ['a list and no environment: the list’s first (the current host)', { environments: [CURRENT, CANDIDATE] }, 'current'],
    ['a list and an environment: that one', { environment: 'candidate', environments: [CURRENT, CANDIDATE] }, 'candidate'],
    ['no list: staging, as ever', {}, 'staging'],
  ])('the environment decide and report follow: %s', (_, raw, environment) => {
    expect(parseConfig(raw).environment).toBe(environment);
  });

  it('never echoes a password written in the file', () => {
    const error = userErrorOf(() => parseConfig({ environments: [{ name: 'a', host: 'https://bob:hunter2@a.example' }] }));
    expect(error.message).not.toContain('hunter2');
  });
});

describe('an environment ready for a run', () => {
  const { environments } = parseConfig({ environments: [CURRENT, CANDIDATE] });
  const env = { CANDIDATE_USER: 'u', CANDIDATE_PASSWORD: 'p@ss', CANDIDATE_TOKEN: 't0k' };

  it('expands every reference from the process environment', () => {
    expect(resolveEnvironment(environments, 'candidate', env)).toEqual({
      name: 'candidate',
      host: 'https://u:p@ss@candidate.example.com/base',
      headers: { Host: 'app.example.com', Authorization: 'Bearer t0k' },
    });
    expect(resolveEnvironment(environments, 'current', {})).toEqual({ name: 'current', host: 'https://app.example.com', headers: {} });
  });

  it.each([
    [
      'an unknown name names the known ones',
      'staging',
      env,
      '--environment: unknown environment "staging"; the config names current, candidate (or all)',
    ],
    [
      'an unset variable is named',
      'candidate',
      { ...env, CANDIDATE_TOKEN: '' },
      'environments.candidate.overrides.headers.Authorization: the environment variable CANDIDATE_TOKEN is not set; export it before the run (docs/config.md)',
    ],
    [
      'the host’s variables first',
      'candidate',
      {},
      'environments.candidate.host: the environment variable CANDIDATE_USER is not set; export it before the run (docs/config.md)',
    ],
  ])('%s', (_, name, processEnv, message) => {
    const error = userErrorOf(() => resolveEnvironment(environments, name, processEnv));
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(message);
  });

  it('without a list, --environment <name> says how to add one', () => {
    expect(() => resolveEnvironment([], 'candidate', {})).toThrow(
      '--environment: the config has no "environments" list (got "candidate"); add one (docs/config.md) or give --host',
    );
  });

  it.each([
    ['all: every one, in the list’s order', ['all'], ['current', 'candidate']],
    ['one name: that one', ['candidate'], ['candidate']],
    ['names one by one: in the order given', ['candidate', 'current'], ['candidate', 'current']],
  ])('%s', (_, requested, names) => {
    expect(selectEnvironments(environments, requested)).toEqual(names);
  });

  it.each([
    ['all without a list', [], ['all'], '--environment all: the config has no "environments" list; add one (docs/config.md)'],
    ['all beside a name', environments, ['all', 'current'], '--environment all: give it alone (it runs every environment of the list)'],
    ['a name twice', environments, ['current', 'current'], '--environment: "current" is given twice; give each environment once'],
    [
      'an unknown name',
      environments,
      ['current', 'prod'],
      '--environment: unknown environment "prod"; the config names current, candidate (or all)',
    ],
  ])('refused: %s', (_, list, requested, message) => {
    const error = userErrorOf(() => selectEnvironments(list, requested));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(message);
  });

  it.each([
    ['the list’s names', { ...DEFAULT_CONFIG, environments }, ['current', 'candidate']],
    ['without a list, the single environment', DEFAULT_CONFIG, ['staging']],
  ])('environmentNames: %s', (_, config, names) => {
    expect(environmentNames(config)).toEqual(names);
  });
});
