// A threshold that cannot hold: every request answers 500, so the failure rate is 100%.
import http from 'k6/http';

export const options = {
  iterations: 3,
  thresholds: { http_req_failed: ['rate<0.5'], http_req_duration: ['p(95)<60000'] },
};

export default function () {
  http.get(`${__ENV.BASE}/status/500`);
}
