/** The k6 scripts of the engine benchmark (written to a temp folder at run time). */
export const NO_THINK = `
import http from 'k6/http';
export const options = { scenarios: { load: { executor: 'constant-vus', vus: Number(__ENV.VUS), duration: __ENV.DURATION } } };
export default function () {
  http.get(__ENV.BASE_URL);
}
`;

export const THINK_1S = `
import http from 'k6/http';
import { sleep } from 'k6';
export const options = { scenarios: { load: { executor: 'constant-vus', vus: Number(__ENV.VUS), duration: __ENV.DURATION } } };
export default function () {
  http.get(__ENV.BASE_URL);
  sleep(1);
}
`;
