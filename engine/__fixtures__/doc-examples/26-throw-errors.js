// Transport errors, as in k6's docs: a response with status 0 and k6's error code and message
// (and a "Request Failed" warning), or with the throw option an exception. A Response field
// this engine lacks fails with one line naming it.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1, throw: true };
const message = (fn) => {
  try {
    fn();
    return '';
  } catch (e) {
    return String(e);
  }
};

export default function () {
  check(message(() => http.get('http://127.0.0.1:1/')), {
    'throw: a refused connection throws a GoError': (m) => m === 'GoError: Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused',
  });
  const r = http.get('http://127.0.0.1:1/', { throw: false });
  check(r, {
    "throw: false: status 0, k6's error 1212": (r) => r.status === 0 && r.error_code === 1212 && r.error === 'dial: connection refused',
  });
  check(http.get(`${__ENV.HTTPBIN}/status/500`), { 'an HTTP error status does not throw': (r) => r.status === 500 && r.error_code === 1500 });
  check(message(() => r.ocsp.status), { 'a Response field it lacks names itself': (m) => m.startsWith('Error: Response.ocsp is not supported by the embedded engine (Response here has: status, ') });
}
