import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLoopbackServer } from '../../test/testkit/loopback.ts';
import { parseHost } from '../redact.ts';
import { basicAuthorization, preflight, unreachableReason } from './preflight.ts';

const err = (code: string, wrapped = false) =>
  wrapped
    ? Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(code), { code }) })
    : Object.assign(new Error(code), { code });

describe('unreachableReason', () => {
  it.each([
    ['ENOTFOUND', 'host name not found (DNS)'],
    ['EAI_AGAIN', 'host name lookup failed (DNS did not answer)'],
    ['ECONNREFUSED', 'connection refused'],
    ['ECONNRESET', 'connection closed before any answer'],
    ['EHOSTUNREACH', 'no route to the host'],
    ['UND_ERR_CONNECT_TIMEOUT', 'no connection within 5 s'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS failure (self-signed certificate)'],
    ['CERT_HAS_EXPIRED', 'TLS failure (certificate expired)'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS failure (certificate does not name this host)'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS failure (certificate cannot be verified)'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS failure (not a TLS server: http on an https URL?)'],
    ['EPROTO', 'TLS failure (EPROTO)'],
    ['EWHATEVER', 'request failed (EWHATEVER)'],
    // Connected but slow to answer: reached (how slow is the run's to measure).
    ['UND_ERR_HEADERS_TIMEOUT', null],
    ['UND_ERR_BODY_TIMEOUT', null],
  ])('%s → %s', (code, words) => {
    expect(unreachableReason(err(code))).toBe(words);
    expect(unreachableReason(err(code, true))).toBe(words);
  });

  it('credentials travel as the scenarios send them (Basic), only when given', () => {
    expect(basicAuthorization({ username: 'alice', password: 's3cr:t' })).toEqual({
      authorization: `Basic ${Buffer.from('alice:s3cr:t').toString('base64')}`,
    });
    expect(basicAuthorization({ username: undefined, password: 'token' })).toEqual({
      authorization: `Basic ${Buffer.from(':token').toString('base64')}`,
    });
    expect(basicAuthorization({ username: undefined, password: undefined })).toEqual({});
  });
});

describe('preflight (loopback)', () => {
  it('a host answering 503 passes (a measurement, not a preflight failure), and gets the credentials of --host', async () => {
    const seen: Array<string | undefined> = [];
    const server = await startLoopbackServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(503).end('busy');
    });
    try {
      expect(await preflight(parseHost(`http://alice:pw@127.0.0.1:${server.port}`))).toBeNull();
      expect(seen).toEqual([`Basic ${Buffer.from('alice:pw').toString('base64')}`]);
    } finally {
      await server.close();
    }
  });

  it('a host that accepts but does not answer in time passes', async () => {
    const server = await startLoopbackServer(() => {});
    try {
      expect(await preflight(parseHost(server.url), { timeoutMs: 200 })).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('a closed port is "connection refused"; an https URL on a plain HTTP server is a TLS failure', async () => {
    const server = await startLoopbackServer((_, res) => res.end('ok'));
    try {
      expect(await preflight(parseHost(`https://127.0.0.1:${server.port}`))).toMatch(/^TLS failure \(/);
    } finally {
      await server.close();
    }
    expect(await preflight(parseHost(server.url))).toBe('connection refused');
  });

  it('a connection closed on accept is "connection closed before any answer"', async () => {
    const tcp = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      expect(await preflight(parseHost(`http://127.0.0.1:${(tcp.address() as AddressInfo).port}`))).toBe(
        'connection closed before any answer',
      );
    } finally {
      await new Promise((resolve) => tcp.close(resolve));
    }
  });
});
