/**
 * A visitor's journey: the home page, a search with a query drawn from scenarios/data/queries.json,
 * then one of the results, with a random think time after each step.
 *
 * Every request carries a `name` tag (home, search, result); `name=search` is the key transaction
 * that the decision scores. The paths and think time come from env (scenarios/lib/config.ts), so
 * the same script fits a user's own app; the defaults fit the demo target.
 *
 *   k6 run -e HOST=https://app.example.com -e USERS=50 -e RAMP_RATE=5 -e HOLD=10m dist/scenarios/search.js
 *
 * The runner also passes k6's `--stage` flag, which replaces `options.scenarios`: the journey
 * does not depend on which of the two drives it. For its open-model stage (`--open-stage`) the
 * runner passes no `--stage` but EXECUTOR=constant-arrival-rate, RATE, TIME_UNIT,
 * PRE_ALLOCATED_VUS and MAX_VUS, which buildOptions turns into a constant-arrival-rate scenario.
 */
import { check, fail, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import encoding from 'k6/encoding';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { buildOptions, fillPath, readConfig, resultIds, thinkTimeS } from './lib/config.ts';

const read = readConfig(__ENV);
if (!read.ok) fail(`scenario search: ${read.error}`);
const { journey, load } = read.config;

export const options: Options = buildOptions(load);

// One copy for all VUs (SharedArray), read once per test. k6 resolves open() next to the bundle:
// runner/bundle.ts copies the file there.
const queries = new SharedArray('search queries', (): string[] => {
  const parsed: unknown = JSON.parse(open('./data/queries.json'));
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((q) => typeof q === 'string' && q !== '')) {
    throw new Error('scenario search: data/queries.json must be a non-empty JSON array of strings');
  }
  return parsed;
});

// Credentials travel as a header, never in a URL (URLs end up in k6's CSV and error messages);
// the environment's own headers (HOST_HEADERS) go with every request too.
const headers: Record<string, string> = {
  ...journey.headers,
  ...(journey.basicAuth
    ? { Authorization: `Basic ${encoding.b64encode(`${journey.basicAuth.username}:${journey.basicAuth.password}`)}` }
    : {}),
};

function pick<T>(items: ArrayLike<T>): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function think(): void {
  sleep(thinkTimeS(journey, Math.random()));
}

export default function (): void {
  const home = http.get(`${journey.host}${journey.homePath}`, { headers, tags: { name: 'home' } });
  check(home, {
    'home: status 200': (r) => r.status === 200,
    'home: has a body': (r) => typeof r.body === 'string' && r.body.length > 0,
  });
  think();

  const q = pick(queries);
  const search = http.get(`${journey.host}${fillPath(journey.searchPath, 'q', q)}`, { headers, tags: { name: 'search' } });
  const body = typeof search.body === 'string' ? search.body : '';
  const ids = search.status === 200 ? resultIds(body, journey.resultIdPattern) : [];
  check(search, {
    'search: status 200': (r) => r.status === 200,
    'search: has results': () => ids.length > 0,
  });
  think();

  if (journey.resultPath === '' || ids.length === 0) return;
  const id = pick(ids);
  const result = http.get(`${journey.host}${fillPath(journey.resultPath, 'id', id)}`, { headers, tags: { name: 'result' } });
  check(result, {
    'result: status 200': (r) => r.status === 200,
    'result: shows the result': (r) => typeof r.body === 'string' && r.body.includes(id),
  });
  think();
}
