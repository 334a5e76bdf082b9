import { describe, expect, it } from 'vitest';
import { actionMessage, readSessionConfig } from './session-config.ts';

describe('readSessionConfig', () => {
  it('defaults fit the demo target: ws URL from HOST, 5 re-runs answered by "done"', () => {
    const r = readSessionConfig({}, 'http://127.0.0.1:8099');
    expect(r).toEqual({
      ok: true,
      config: {
        url: 'ws://127.0.0.1:8099/session',
        actions: 5,
        actionName: 'rerun',
        message: '{"op":"rerun","id":{n}}',
        answerDone: '"op"\\s*:\\s*"done"',
        answerError: '"op"\\s*:\\s*"error"',
        answerTimeoutMs: 10_000,
      },
    });
  });

  it.each([
    [
      { WS_PATH: '/_stcore/stream', ACTIONS: '3', ANSWER_TIMEOUT: '2.5' },
      'https://app.example.com',
      { url: 'wss://app.example.com/_stcore/stream', actions: 3, answerTimeoutMs: 2500 },
    ],
    [{ ANSWER_ERROR: '-', ACTION_NAME: 'filter' }, 'http://h', { answerError: '', actionName: 'filter' }],
  ])('%o on %s', (env, host, expected) => {
    const r = readSessionConfig(env, host);
    expect(r.ok && r.config).toMatchObject(expected);
  });

  it.each([
    [{ WS_PATH: 'session' }, /^WS_PATH: expected a path starting with \//],
    [{ ACTIONS: '0' }, /^ACTIONS: expected a whole number ≥ 1, got "0"/],
    [{ ANSWER_TIMEOUT: 'soon' }, /^ANSWER_TIMEOUT: expected seconds above 0/],
    [{ ANSWER_DONE: '(' }, /^ANSWER_DONE: expected a regular expression/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    const r = readSessionConfig(env, 'http://h');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('fills {n} in the message of each action', () => {
    expect(actionMessage('{"op":"rerun","id":{n}}', 3)).toBe('{"op":"rerun","id":3}');
    expect(actionMessage('go', 2)).toBe('go');
  });
});
