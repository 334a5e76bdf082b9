// Form posts and file uploads, as in k6's docs: an object body is a form (arrays as repeated
// keys); with http.file() it is multipart/form-data.
import http from 'k6/http';
import { check } from 'k6';

const H = __ENV.HTTPBIN;
export const options = { vus: 1, iterations: 1 };
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer;

export default function () {
  const form = http.post(`${H}/post`, { name: 'k6', topping: ['onion', 'bacon'], note: 'a b&c=d' });
  check(form.json(), {
    'an object body is a form': (b) => b.headers['Content-Type'] === 'application/x-www-form-urlencoded',
    'arrays are repeated keys': (b) => JSON.stringify(b.form.topping) === '["onion","bacon"]',
    'values arrive as written': (b) => b.form.note === 'a b&c=d' && b.form.name === 'k6',
  });

  const upload = http.post(`${H}/post`, { title: 'report', file: http.file('abc\ndef', 'a.txt', 'text/plain'), image: http.file(png, 'x.png', 'image/png') });
  check(upload.json(), {
    'http.file makes a multipart body': (b) => b.headers['Content-Type'].startsWith('multipart/form-data; boundary='),
    'fields and text files arrive': (b) => b.form.title === 'report' && b.files.file === 'abc\ndef',
    'binary files arrive': (b) => b.files.image === 'data:image/png;base64,iVBORw==',
  });

  const f = http.file('x');
  check(f, { "http.file's defaults": (x) => x.content_type === 'application/octet-stream' && /^\d{19}$/.test(x.filename) && x.data === 'x' });
  check(http.post(`${H}/post`, 'raw=1').json(), { 'a string body gets no Content-Type': (b) => b.headers['Content-Type'] === undefined && b.data === 'raw=1' });
}
