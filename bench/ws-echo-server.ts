/** A loopback WebSocket echo for `npm run bench -- ws`: answers every message with itself; prints PORT=<port>. */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`PORT=${address && typeof address === 'object' ? address.port : 0}\n`);
});
