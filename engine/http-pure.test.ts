/**
 * The engine's HTTP logic that needs no server, as tables: form and multipart bodies (Go's
 * url.Values and mime/multipart, as k6), digest answers (RFC 7616's own examples), cookie jars
 * (k6's jar methods, RFC 6265 matching), k6's error words, and the HTTP options.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../formats/errors.ts';
import { DEFAULT_USER_AGENT, httpOptions } from './options.ts';
import { GO_ZERO_EXPIRES, cookieHeader, jarCall, jarFromWire, jarToWire, newJar, responseCookies, storeCookies } from './cookies.ts';
import { digestAuthorization, parseDigestChallenge } from './digest.ts';
import { canonicalHeader, classifyError, goErrorOp } from './go-http.ts';
import { FileData, formBody, multipartBody, queryEscape } from './runtime/forms.ts';

describe('canonical header keys (Go textproto, as k6 shows res.headers)', () => {
  it.each([
    ['content-type', 'Content-Type'],
    ['CONTENT-LENGTH', 'Content-Length'],
    ['x-request-id', 'X-Request-Id'],
    ['www-authenticate', 'Www-Authenticate'],
    ['etag', 'Etag'],
  ])('%s → %s, the same when asked again (remembered)', (name, key) => {
    expect(canonicalHeader(name)).toBe(key);
    expect(canonicalHeader(name)).toBe(key);
  });
});

describe('form bodies (Go url.Values, as k6)', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['space is +', 'v w', 'v+w'],
    ['reserved characters', "a&b=c/d?e!'()*~", 'a%26b%3Dc%2Fd%3Fe%21%27%28%29%2A~'],
    ['UTF-8', 'é', '%C3%A9'],
  ])('queryEscape: %s', (_n, input, out) => expect(queryEscape(input)).toBe(out));

  it.each([
    [
      'keys sorted, arrays as repeated keys (the api-probes form)',
      { name: 'k6', topping: ['onion', 'bacon'], n: 3 },
      'n=3&name=k6&topping=onion&topping=bacon',
    ],
    ['values as Go %v prints them', { b: true, a: null, c: 1.5 }, 'a=%3Cnil%3E&b=true&c=1.5'],
    ['an empty object', {}, ''],
  ])('formBody: %s', (_n, obj, out) => expect(formBody(obj)).toBe(out));

  it('multipart: the parts as Go mime/multipart writes them for k6', () => {
    const body = Buffer.from(
      multipartBody(
        {
          field: 'v',
          file: new FileData('abc\ndef', 'a "b".txt', 'text/plain'),
          bin: new FileData(new Uint8Array([0, 255]).buffer, 'x.bin', 'application/octet-stream'),
        },
        'BOUND',
      ),
    ).toString('latin1');
    expect(body).toBe(
      '--BOUND\r\nContent-Disposition: form-data; name="field"\r\n\r\nv' +
        '\r\n--BOUND\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\".txt"\r\nContent-Type: text/plain\r\n\r\nabc\ndef' +
        '\r\n--BOUND\r\nContent-Disposition: form-data; name="bin"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u00ff' +
        '\r\n--BOUND--\r\n',
    );
  });
});

describe('digest authentication (RFC 7616 §3.9.1)', () => {
  const challenge = (algorithm: string): string =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
  const input = {
    method: 'GET',
    uri: '/dir/index.html',
    username: 'Mufasa',
    password: 'Circle of Life',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('%s: the RFC example response', (algorithm, response) => {
    const auth = digestAuthorization(parseDigestChallenge(challenge(algorithm))!, input)!;
    expect(auth).toBe(
      `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ` +
        `nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="${response}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
    );
  });
  it.each([
    ['a Basic challenge first, then Digest', 'Basic realm="x", Digest realm="r", nonce="n"', { realm: 'r', nonce: 'n' }],
    ['escaped quotes', 'Digest realm="a \\"b\\"", nonce="n", stale=FALSE', { realm: 'a "b"', nonce: 'n', stale: 'FALSE' }],
    ['no Digest challenge', 'Basic realm="x"', null],
    ['no nonce', 'Digest realm="x"', null],
  ])('parses %s', (_n, header, params) => expect(parseDigestChallenge(header)).toEqual(params));
  it.each([
    ['an unknown algorithm', 'Digest realm="r", nonce="n", algorithm=SHA-1'],
    ['a qop it does not know', 'Digest realm="r", nonce="n", qop="auth-conf"'],
  ])('answers nothing to %s', (_n, header) => expect(digestAuthorization(parseDigestChallenge(header)!, input)).toBeNull());
  it('answers a challenge without qop as RFC 2069', () => {
    expect(digestAuthorization(parseDigestChallenge('Digest realm="r", nonce="n"')!, input)).toMatch(
      /^Digest username="Mufasa", realm="r", uri="\/dir\/index.html", algorithm=MD5, nonce="n", response="[0-9a-f]{32}"$/,
    );
  });
});

describe('cookies (k6 res.cookies and jar methods over tough-cookie)', () => {
  it.each([
    [
      'Max-Age and Path (the api-probes cookie)',
      'c=3; Path=/; Max-Age=60',
      { name: 'c', value: '3', domain: '', path: '/', http_only: false, secure: false, max_age: 60, expires: GO_ZERO_EXPIRES },
    ],
    [
      'Max-Age=0 is -1 as in Go',
      'x=1; Max-Age=0',
      { name: 'x', value: '1', domain: '', path: '', http_only: false, secure: false, max_age: -1, expires: GO_ZERO_EXPIRES },
    ],
    [
      'Expires, Domain, Secure, HttpOnly',
      'e=v; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Domain=example.com; Secure; HttpOnly',
      {
        name: 'e',
        value: 'v',
        domain: 'example.com',
        path: '',
        http_only: true,
        secure: true,
        max_age: 0,
        expires: Date.UTC(2015, 9, 21, 7, 28),
      },
    ],
  ])('res.cookies: %s', (_n, line, cookie) => expect(responseCookies([line])).toEqual({ [cookie.name]: [cookie] }));

  const u = (s: string): URL => new URL(s);
  it('sends back by domain, path, expiry and Secure (RFC 6265), longest path first', () => {
    const jar = newJar();
    storeCookies(jar, u('http://app.test/login/form'), [
      'host=1',
      'dom=1; Domain=app.test; Path=/',
      'deep=1; Path=/a/b',
      'gone=1; Max-Age=0',
      'old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT',
      'sec=1; Secure; Path=/',
      'other=1; Domain=other.test',
    ]);
    const header = (url: string): string | null => cookieHeader(undefined, undefined, jar, u(url));
    expect(header('http://app.test/login/x')).toBe('host=1; dom=1');
    expect(header('http://app.test/a/b/c')).toBe('deep=1; dom=1');
    expect(header('https://app.test/')).toBe('dom=1; sec=1');
    expect(header('http://api.app.test/')).toBe('dom=1');
    expect(header('http://other.test/')).toBeNull();
  });

  it("orders the script's header, params.cookies, then the jar's; replace drops the jar's cookie", () => {
    const jar = newJar();
    storeCookies(jar, u('http://h/'), ['a=1', 'b=two']);
    expect(
      cookieHeader(
        'own=x',
        [
          ['a', 'override', false],
          ['d', '4', false],
        ],
        jar,
        u('http://h/'),
      ),
    ).toBe('own=x; a=override; d=4; a=1; b=two');
    expect(cookieHeader(undefined, [['a', 'replaced', true]], jar, u('http://h/'))).toBe('a=replaced; b=two');
  });

  it('set, cookiesForURL, delete and clear act on the URL path as k6 does', () => {
    const jar = newJar();
    const call = (c: Parameters<typeof jarCall>[1]): ReturnType<typeof jarCall> => jarCall(jar, c);
    call({ action: 'set', url: 'http://h/', name: 'a', value: '1', opts: {} });
    call({ action: 'set', url: 'http://h/', name: 'e', value: '5', opts: { path: '/cookies' } });
    call({ action: 'set', url: 'http://h/', name: 'x', value: 'old', opts: { expires: 'Mon, 02 Jan 2006 15:04:05 GMT' } });
    call({ action: 'set', url: 'http://h/', name: 'm', value: '0', opts: { max_age: -1 } });
    expect(call({ action: 'get', url: 'http://h/cookies' })).toEqual({ e: ['5'], a: ['1'] });
    call({ action: 'delete', url: 'http://h/', name: 'e' });
    expect(call({ action: 'get', url: 'http://h/cookies' })).toEqual({ e: ['5'], a: ['1'] });
    call({ action: 'clear', url: 'http://h/' });
    expect(call({ action: 'get', url: 'http://h/cookies' })).toEqual({ e: ['5'] });
    call({ action: 'delete', url: 'http://h/cookies/x', name: 'e' });
    expect(call({ action: 'get', url: 'http://h/cookies' })).toEqual({});
  });

  it.each([
    [
      'an unparsable expires',
      { action: 'set', url: 'http://h/', name: 'a', value: '1', opts: { expires: 'tomorrow' } },
      /unable to parse "expires" date string "tomorrow"/,
    ],
    ['a URL that is none', { action: 'get', url: 'not a url' }, /invalid URL "not a url"/],
  ] as const)('refuses %s', (_n, c, msg) => expect(() => jarCall(newJar(), c)).toThrow(msg));

  it("a script's jar survives its trip as data", () => {
    const jar = newJar();
    storeCookies(jar, u('http://h/p/q'), ['k=v; Path=/p']);
    const back = jarFromWire(JSON.parse(JSON.stringify(jarToWire(jar))) as unknown[]);
    expect(cookieHeader(undefined, undefined, back, u('http://h/p/x'))).toBe('k=v');
    expect(cookieHeader(undefined, undefined, back, u('http://h/'))).toBeNull();
  });
});

describe("transport errors in k6's words", () => {
  const url = new URL('http://127.0.0.1:1/');
  it.each([
    ['ECONNREFUSED', 'dial: connection refused', 1212, 'dial tcp 127.0.0.1:1: connect: connection refused'],
    ['ENOTFOUND', 'lookup: no such host', 1101, 'dial tcp: lookup 127.0.0.1: no such host'],
    ['ECONNRESET', 'read: connection reset by peer', 1220, 'read tcp 127.0.0.1:1: read: connection reset by peer'],
    ['UND_ERR_CONNECT_TIMEOUT', 'dial: i/o timeout', 1211, 'dial tcp 127.0.0.1:1: i/o timeout'],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'x509: unknown authority',
      1310,
      'tls: failed to verify certificate: x509: certificate signed by unknown authority (DEPTH_ZERO_SELF_SIGNED_CERT)',
    ],
  ])('%s', (code, error, k6code, detail) =>
    expect(classifyError(Object.assign(new Error('x'), { code }), url)).toEqual({ error, code: k6code, detail }),
  );
  it.each([
    ['GET', 'Get'],
    ['DELETE', 'Delete'],
    ['OPTIONS', 'Options'],
  ])('%s is Go\'s "%s"', (m, op) => expect(goErrorOp(m)).toBe(op));
});

describe('HTTP options', () => {
  it("k6's defaults", () => {
    expect(httpOptions({})).toEqual({
      userAgent: DEFAULT_USER_AGENT,
      insecureSkipTLSVerify: false,
      noConnectionReuse: false,
      noVUConnectionReuse: false,
      batch: 20,
      batchPerHost: 6,
      hosts: new Map(),
    });
  });
  it('reads every option it supports', () => {
    const o = httpOptions({
      userAgent: '',
      insecureSkipTLSVerify: true,
      noConnectionReuse: true,
      noVUConnectionReuse: true,
      batch: 3,
      batchPerHost: 0,
      hosts: { 'App.test': '127.0.0.1', 'api.test:443': '[::1]:8443' },
      maxRedirects: 0,
      throw: true,
      discardResponseBodies: true,
    });
    expect(o).toEqual({
      userAgent: '',
      insecureSkipTLSVerify: true,
      noConnectionReuse: true,
      noVUConnectionReuse: true,
      batch: 3,
      batchPerHost: 0,
      hosts: new Map([
        ['app.test', { host: '127.0.0.1', port: null }],
        ['api.test:443', { host: '::1', port: '8443' }],
      ]),
    });
  });
  it.each([
    [{ maxRedirects: -1 }, 'options.maxRedirects: expected a whole number ≥ 0, got -1'],
    [{ batchPerHost: 'six' }, 'options.batchPerHost: expected a whole number ≥ 0, got "six"'],
    [{ throw: 'yes' }, 'options.throw: expected true or false, got "yes"'],
    [{ userAgent: 5 }, 'options.userAgent: expected a string, got 5'],
    [
      { hosts: { 'a.test': 'not an address' } },
      'options.hosts["a.test"]: expected an address like "127.0.0.1" or "127.0.0.1:8080", got "not an address"',
    ],
    [{ rps: 100 }, 'options.rps is not supported by the embedded engine (run this script on k6, or leave the option out)'],
    [
      { tlsAuth: [{ cert: 'x', key: 'y' }] },
      'options.tlsAuth is not supported by the embedded engine (run this script on k6, or leave the option out)',
    ],
  ])('refuses %j', (options, message) => {
    expect(() => httpOptions(options)).toThrow(UserError);
    expect(() => httpOptions(options)).toThrow(message);
  });
  it('leaves alone an unsupported option that is set to nothing', () =>
    expect(() => httpOptions({ rps: 0, blockHostnames: [], httpDebug: '' })).not.toThrow());
});
