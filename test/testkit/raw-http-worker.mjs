// A loopback HTTP/1.1 server in a worker thread, written byte by byte, for the tests of a VU's own
// sockets (engine/socket-http.test.ts): the test's thread blocks in those sockets, so the server
// cannot share it. Each request's raw text and connection number go to `log` (a MessagePort the
// test reads synchronously). The path picks the answer (see ANSWERS). Plain JavaScript: a worker
// thread runs it as it is.
import { createServer } from 'node:net';
import { workerData } from 'node:worker_threads';

const { log, addonPath, wakeFd, interruptFlag } = workerData;
const flag = new Int32Array(interruptFlag);
let wake = null;
if (addonPath) {
  const m = { exports: {} };
  process.dlopen(m, addonPath);
  wake = () => m.exports.wake(wakeFd);
}

const head = (status, headers, body = '') =>
  `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}${body === null ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}\r\n${body ?? ''}`;

/** path → what the server does with the socket (`served`: requests this connection answered before). */
const ANSWERS = {
  '/plain': (s) => s.write(head('200 OK', ['Content-Type: text/plain', 'X-Dup: a', 'X-Dup:  b', 'X-Trail: t '], 'hello')),
  '/utf8': (s) => s.write(head('200 OK', ['Content-Type: text/plain; charset=utf-8'], 'héllo €')),
  '/no-reason': (s) => s.write('HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok'),
  '/big': (s) => s.write(head('200 OK', ['Content-Type: text/plain'], 'abcdefghij'.repeat(300_000))),
  '/big-chunked': (s) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 20; i++) s.write(`${(100_000).toString(16)}\r\n${String(i % 10).repeat(100_000)}\r\n`);
    s.write('0\r\n\r\n');
  },
  '/chunked': (s) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
    setTimeout(() => s.write('lo\r\n6;ext=1\r\n world\r\n'), 15);
    setTimeout(() => s.write('0\r\nX-Trailer: 1\r\n\r\n'), 30);
  },
  '/close-delimited': (s) => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'),
  '/http10': (s) => s.end('HTTP/1.0 200 OK\r\n\r\nold'),
  '/no-content': (s) => s.write('HTTP/1.1 204 No Content\r\n\r\n'),
  '/not-modified': (s) => s.write('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'),
  '/continue': (s) => s.write(`HTTP/1.1 100 Continue\r\n\r\n${head('200 OK', [], 'ok')}`),
  '/not-found': (s) => s.write(head('404 Not Found', [], 'missing')),
  '/redirect': (s) => s.write(head('302 Found', ['Location: /plain'], '')),
  '/see-other': (s) => s.write(head('303 See Other', ['Location: /plain'], '')),
  '/temporary': (s) => s.write(head('307 Temporary Redirect', ['Location: /plain'], '')),
  '/loop': (s) => s.write(head('302 Found', ['Location: /loop'], '')),
  '/to-https': (s) => s.write(head('302 Found', ['Location: https://127.0.0.1:1/secure'], '')),
  '/cookie': (s) => s.write(head('200 OK', ['Set-Cookie: a=1; Path=/', 'Set-Cookie: b=2'], 'set')),
  '/cookie-redirect': (s) => s.write(head('302 Found', ['Set-Cookie: c=3; Path=/', 'Location: /plain'], '')),
  '/half': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'),
  '/drop': (s) => s.destroy(),
  '/drop-if-reused': (s, served) => (served > 0 ? s.destroy() : s.write(head('200 OK', [], 'first'))),
  '/slow': () => {},
  '/wake-interrupt': () => {
    setTimeout(() => {
      Atomics.store(flag, 0, 1);
      wake();
    }, 30);
  },
  '/wake-stale': (s) => {
    setTimeout(() => wake(), 30);
    setTimeout(() => s.write(head('200 OK', [], 'after the wake')), 80);
  },
};

let conns = 0;
const server = createServer((s) => {
  const conn = ++conns;
  let served = 0;
  let buf = Buffer.alloc(0);
  s.on('error', () => {});
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = buf.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      const raw = buf.toString('latin1', 0, end + 4 + length);
      buf = buf.subarray(end + 4 + length);
      const path = text.split(' ')[1].split('?')[0];
      log.postMessage({ conn, raw });
      const answer = ANSWERS[path] ?? ((sock) => sock.write(head('200 OK', [], `path ${path}`)));
      answer(s, served++);
    }
  });
});
server.listen(0, '127.0.0.1', () => log.postMessage({ port: server.address().port }));
