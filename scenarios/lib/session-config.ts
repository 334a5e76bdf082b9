/**
 * The session scenario's own settings (scenarios/session.ts), read from k6's `__ENV` beside the
 * journey's (config.ts: HOST, think time, load). Pure, as config.ts: table-tested in vitest.
 */
import type { Env } from './config.ts';

export interface SessionConfig {
  /** ws:// or wss:// URL of the session endpoint (HOST with its scheme swapped, plus WS_PATH). */
  readonly url: string;
  /** Actions per visit, each after a think time. */
  readonly actions: number;
  /** The `name` tag of the action's Trend (the key transaction's name). */
  readonly actionName: string;
  /** The message sent for action n: `{n}` is replaced by n (1, 2, …). */
  readonly message: string;
  /** A message matching this regular expression completes the pending action. */
  readonly answerDone: string;
  /** A message matching this one answers the pending action with an error (the session failed); empty: none. */
  readonly answerError: string;
  /** An action not answered within this many ms fails the session (which is then closed). */
  readonly answerTimeoutMs: number;
}

/** Defaults that fit the demo target's `/session` (runner/demo-target): a Streamlit-like re-run protocol. */
export const SESSION_DEFAULTS = {
  WS_PATH: '/session',
  ACTIONS: '5',
  ACTION_NAME: 'rerun',
  ACTION_MESSAGE: '{"op":"rerun","id":{n}}',
  ANSWER_DONE: '"op"\\s*:\\s*"done"',
  ANSWER_ERROR: '"op"\\s*:\\s*"error"',
  ANSWER_TIMEOUT: '10',
} as const satisfies Record<string, string>;

export type SessionConfigResult = { readonly ok: true; readonly config: SessionConfig } | { readonly ok: false; readonly error: string };

/** Reads the session settings for `host` (already checked by readConfig); the error names the variable. */
export function readSessionConfig(env: Env, host: string): SessionConfigResult {
  const errors: string[] = [];
  const get = (name: keyof typeof SESSION_DEFAULTS): string => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? SESSION_DEFAULTS[name] : v.trim();
  };
  const path = get('WS_PATH');
  if (!path.startsWith('/')) errors.push(`WS_PATH: expected a path starting with /, got "${path}"`);
  const actions = Number(get('ACTIONS'));
  if (!Number.isInteger(actions) || actions < 1) errors.push(`ACTIONS: expected a whole number ≥ 1, got "${get('ACTIONS')}"`);
  const timeoutS = Number(get('ANSWER_TIMEOUT'));
  if (!(timeoutS > 0)) errors.push(`ANSWER_TIMEOUT: expected seconds above 0, got "${get('ANSWER_TIMEOUT')}"`);
  const answerDone = get('ANSWER_DONE');
  // ANSWER_ERROR may be set to '-' for an app without error messages.
  const answerError = env.ANSWER_ERROR?.trim() === '-' ? '' : get('ANSWER_ERROR');
  for (const [name, re] of [
    ['ANSWER_DONE', answerDone],
    ['ANSWER_ERROR', answerError],
  ] as const) {
    try {
      new RegExp(re);
    } catch {
      errors.push(`${name}: expected a regular expression, got "${re}"`);
    }
  }
  if (errors.length > 0) return { ok: false, error: errors.join('; ') };
  return {
    ok: true,
    config: {
      url: `${host.replace(/^http/i, 'ws')}${path}`,
      actions,
      actionName: get('ACTION_NAME'),
      message: get('ACTION_MESSAGE'),
      answerDone,
      answerError,
      answerTimeoutMs: timeoutS * 1000,
    },
  };
}

/** The message of action n. */
export function actionMessage(template: string, n: number): string {
  return template.split('{n}').join(String(n));
}
