// Authentication, as in k6's docs: Basic from the URL's credentials, and Digest (RFC 7616), which
// k6 counts as two requests, the first 401 being expected.
import http from 'k6/http';
import { check } from 'k6';

const hp = __ENV.HTTPBIN.replace('http://', '');
export const options = { vus: 1, iterations: 1 };

export default function () {
  check(http.get(`http://user:passwd@${hp}/basic-auth/user/passwd`), { 'basic from the URL': (r) => r.status === 200 && r.json().user === 'user' });
  check(http.get(`http://user:passwd@${hp}/basic-auth/user/passwd`, { auth: 'basic' }), { "auth: 'basic'": (r) => r.status === 200 });
  check(http.get(`http://user:wrong@${hp}/basic-auth/user/passwd`), { 'a wrong password is 401': (r) => r.status === 401 });
  check(http.get(`http://user:passwd@${hp}/digest-auth/auth/user/passwd`, { auth: 'digest' }), {
    "auth: 'digest'": (r) => r.status === 200 && r.json().authenticated === true,
  });
  check(http.get(`http://user:wrong@${hp}/digest-auth/auth/user/passwd`, { auth: 'digest' }), { 'a wrong digest is 401': (r) => r.status === 401 });
  let refused = '';
  try {
    http.get(`http://user:passwd@${hp}/get`, { auth: 'ntlm' });
  } catch (e) {
    refused = String(e);
  }
  check(refused, { 'ntlm is refused, naming it': (e) => e.includes("params.auth 'ntlm'") && e.includes('not supported by the embedded engine') });
}
