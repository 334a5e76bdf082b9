// k6/encoding's base64 variants. The encoded values and the first error are what a real k6 v0.48
// printed (shared fixtures: k6/api-probes/encoding.k6-log.txt); the other offsets follow Go's encoding/base64.
import encoding, { b64decode, b64encode } from 'k6/encoding';
import { check } from 'k6';
import { thrown } from './lib/thrown.js';

export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };

const text = 'hello? world>~ \u00e9';
const encoded = {
  std: 'aGVsbG8/IHdvcmxkPn4gw6k=',
  rawstd: 'aGVsbG8/IHdvcmxkPn4gw6k',
  url: 'aGVsbG8_IHdvcmxkPn4gw6k=',
  rawurl: 'aGVsbG8_IHdvcmxkPn4gw6k',
};

export default function () {
  const checks = {
    'default is std': () => encoding.b64encode(text) === encoded.std,
    'named imports': () => b64decode(b64encode(text, 'rawurl'), 'rawurl', 's') === text,
    'an ArrayBuffer, std': () => encoding.b64encode(new Uint8Array([0, 255, 254, 62, 63]).buffer) === 'AP/+Pj8=',
    'an ArrayBuffer, rawurl': () => encoding.b64encode(new Uint8Array([0, 255, 254, 62, 63]).buffer, 'rawurl') === 'AP_-Pj8',
    'decodes to an ArrayBuffer of 17 bytes': () => {
      const raw = encoding.b64decode(encoded.std);
      return Object.prototype.toString.call(raw) === '[object ArrayBuffer]' && raw.byteLength === 17;
    },
    'invalid input throws as k6': () => thrown(() => encoding.b64decode('!!!')) === 'GoError: illegal base64 data at input byte 0',
    'padding where rawstd has none': () => thrown(() => encoding.b64decode(encoded.std, 'rawstd')) === 'GoError: illegal base64 data at input byte 23',
    'std without its padding': () => thrown(() => encoding.b64decode(encoded.rawstd, 'std')) === 'GoError: illegal base64 data at input byte 20',
  };
  for (const [enc, value] of Object.entries(encoded)) {
    checks[`${enc} encodes`] = () => encoding.b64encode(text, enc) === value;
    checks[`${enc} decodes to a string`] = () => encoding.b64decode(value, enc, 's') === text;
  }
  check(null, checks);
}
