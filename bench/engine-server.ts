/**
 * The engine benchmark's system under test: a loopback HTTP server that answers every request
 * after 20 ms. Run as its own process (so its CPU and memory are not the engine's); prints
 * `PORT=<n>` once listening. `GET /__count` answers how many requests it has served (not
 * counted itself): a CPU-per-request window counts requests where the load lands.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({ ok: true, results: [{ id: 1, name: 'x' }] });
let served = 0;
const server = createServer((req, res) => {
  req.resume();
  if (req.url === '/__count') {
    res.end(String(served));
    return;
  }
  setTimeout(() => {
    served += 1;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }, 20);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`PORT=${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
