// Thresholds on built-in metrics and on a tag-filtered submetric (requests named "search").
import http from 'k6/http';

export const options = {
  iterations: 5,
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<2000', 'avg<2000'],
    'http_req_duration{name:search}': ['p(99)<2000', 'max<3000'],
    http_reqs: ['count>=10', 'rate>0'],
    iterations: ['count==5'],
  },
};

export default function () {
  http.get(`${__ENV.BASE}/`);
  http.get(`${__ENV.BASE}/json?q=shoes`, { tags: { name: 'search' } });
}
