// noVUConnectionReuse, as in k6's docs: a VU's connections are closed between its iterations, so
// each iteration opens its own.
import http from 'k6/http';
import { check } from 'k6';

const H = __ENV.HTTPBIN;
export const options = { vus: 1, iterations: 3, noVUConnectionReuse: true };
let before = [];

export default function () {
  const ports = [http.get(`${H}/get`).json().port, http.get(`${H}/get`).json().port];
  check(ports, { 'no connection of an earlier iteration is used': (p) => p.every((x) => typeof x === 'number' && !before.includes(x)) });
  before = before.concat(ports);
}
