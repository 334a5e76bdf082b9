// The summary's trend stats and time unit chosen in the options.
import http from 'k6/http';

export const options = { iterations: 2, summaryTrendStats: ['min', 'p(99)', 'count'], summaryTimeUnit: 'ms' };

export default function () {
  http.get(`${__ENV.BASE}/`);
}
