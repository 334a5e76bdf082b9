// exec.test.abort() ends the whole test from inside an iteration.
import http from 'k6/http';
import exec from 'k6/execution';

export const options = { vus: 1, duration: '20s' };

export default function () {
  http.get(`${__ENV.BASE}/`);
  if (exec.scenario.iterationInTest === 2) exec.test.abort('enough');
}
