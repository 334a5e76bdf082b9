/**
 * The metrics the session scenario (scenarios/session.ts) writes beside k6's ws_* ones, named
 * here once: the runner's statistics read them (a key transaction may be the action's Trend;
 * failed sessions count in the error rate).
 */

/** Trend (ms) of one action, from its message sent until its answer is complete; tagged `name=<action>`. */
export const ACTION_METRIC = 'ws_action_duration';

/** Rate, one sample per session: 1 when it failed (refused, closed abnormally, an answer missing or an error), else 0. */
export const SESSION_FAILED_METRIC = 'ws_session_failed';
