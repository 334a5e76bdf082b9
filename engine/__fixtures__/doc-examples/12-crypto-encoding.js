// k6/crypto and k6/encoding, checked against known values.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import { check } from 'k6';

export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };

export default function () {
  check(null, {
    md5: () => crypto.md5('hello world', 'hex') === '5eb63bbbe01eeed093cb22bb8f5acdc3',
    sha1: () => crypto.sha1('hello world', 'hex') === '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed',
    sha256: () => crypto.sha256('hello world', 'base64') === 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=',
    sha512: () => crypto.sha512('', 'hex').startsWith('cf83e1357eefb8bd'),
    hmac: () => crypto.hmac('sha256', 'key', 'The quick brown fox jumps over the lazy dog', 'hex') === 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    'incremental hash': () => {
      const h = crypto.createHash('md5');
      h.update('hello ');
      h.update('world');
      return h.digest('hex') === '5eb63bbbe01eeed093cb22bb8f5acdc3';
    },
    'random bytes': () => crypto.randomBytes(16).byteLength === 16,
    b64: () => encoding.b64encode('hello?>') === 'aGVsbG8/Pg==' && encoding.b64encode('hello?>', 'rawurl') === 'aGVsbG8_Pg',
    'b64 back': () => encoding.b64decode('aGVsbG8_Pg', 'rawurl', 's') === 'hello?>',
  });
}
