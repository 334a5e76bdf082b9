/**
 * A visitor of an app that works over a WebSocket (a Streamlit page, a dashboard, a chat): the
 * page over HTTP, then one WebSocket session for the visit, sending an action after each think
 * time and timing each action until its answer is complete.
 *
 * Metrics beside k6's ws_* ones (formats/session-metrics.ts): `ws_action_duration`, a Trend of
 * each action tagged `name=<ACTION_NAME>` (the key transaction: capacity.config.json
 * `keyTransaction: {"metric": "ws_action_duration", "name": "rerun"}`), and `ws_session_failed`,
 * a Rate with one sample per session (refused, closed before its last answer, an answer missing
 * after ANSWER_TIMEOUT or an error answer), which the runner counts beside failed requests.
 * The endpoint, message and "answer complete" rule come from env (scenarios/lib/session-config.ts);
 * the defaults fit the demo target's `/session`.
 *
 *   k6 run -e HOST=http://127.0.0.1:8099 -e USERS=20 -e HOLD=1m dist/scenarios/session.js
 */
import { check, fail } from 'k6';
import encoding from 'k6/encoding';
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import ws from 'k6/ws';
import { ACTION_METRIC, SESSION_FAILED_METRIC } from '../formats/session-metrics.ts';
import { buildOptions, readConfig, thinkTimeS } from './lib/config.ts';
import { actionMessage, readSessionConfig } from './lib/session-config.ts';

const read = readConfig(__ENV);
if (!read.ok) fail(`scenario session: ${read.error}`);
const { journey, load } = read.config;
const readSession = readSessionConfig(__ENV, journey.host);
if (!readSession.ok) fail(`scenario session: ${readSession.error}`);
const session = readSession.config;

export const options: Options = buildOptions(load);

const actionDuration = new Trend(ACTION_METRIC, true);
const sessionFailed = new Rate(SESSION_FAILED_METRIC);
const done = new RegExp(session.answerDone);
const failed = session.answerError === '' ? null : new RegExp(session.answerError);

// Credentials travel as a header, never in a URL (URLs end up in k6's CSV and error messages);
// the environment's own headers (HOST_HEADERS) go with every request too.
const headers: Record<string, string> = {
  ...journey.headers,
  ...(journey.basicAuth
    ? { Authorization: `Basic ${encoding.b64encode(`${journey.basicAuth.username}:${journey.basicAuth.password}`)}` }
    : {}),
};

/** Holds one session: true when every action was answered and the session closed normally. */
function holdSession(): boolean {
  let sent = 0;
  let answered = 0;
  let pendingSince = 0;
  let ok = true;
  const res = ws.connect(session.url, { headers, tags: { name: 'session' } }, (socket) => {
    const next = (): void => {
      if (sent === session.actions) {
        socket.close();
        return;
      }
      socket.setTimeout(() => {
        sent += 1;
        const n = sent;
        pendingSince = Date.now();
        socket.send(actionMessage(session.message, n));
        socket.setTimeout(() => {
          if (answered < n) {
            ok = false;
            socket.close();
          }
        }, session.answerTimeoutMs);
      }, thinkTimeS(journey, Math.random()) * 1000);
    };
    socket.on('open', next);
    socket.on('message', (data: string) => {
      if (pendingSince === 0) return;
      const isError = failed?.test(data) ?? false;
      if (!isError && !done.test(data)) return;
      if (isError) ok = false;
      else actionDuration.add(Date.now() - pendingSince, { name: session.actionName });
      pendingSince = 0;
      answered += 1;
      next();
    });
    socket.on('close', () => {
      if (answered < session.actions) ok = false;
    });
    socket.on('error', () => {
      ok = false;
    });
  });
  check(res, { 'session: status 101': (r) => r !== undefined && r.status === 101 });
  return ok && res !== undefined && res.status === 101;
}

export default function (): void {
  const home = http.get(`${journey.host}${journey.homePath}`, { headers, tags: { name: 'home' } });
  check(home, { 'home: status 200': (r) => r.status === 200 });
  sessionFailed.add(!holdSession(), { name: session.actionName });
}
