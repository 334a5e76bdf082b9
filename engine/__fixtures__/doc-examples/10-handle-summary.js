// handleSummary replaces the text summary: text on stdout, JSON and JUnit in files.
import http from 'k6/http';
import { textSummary, jUnit } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';

export const options = { iterations: 2, thresholds: { http_req_duration: ['p(95)<5000'] } };

export default function () {
  http.get(`${__ENV.BASE}/`);
}

export function handleSummary(data) {
  return {
    stdout: `custom summary\n${textSummary(data, { indent: ' ', enableColors: false })}`,
    'summary.json': JSON.stringify({ reqs: data.metrics.http_reqs.values.count, stats: data.options.summaryTrendStats }),
    'junit.xml': jUnit(data),
  };
}
