/**
 * The reference of `npm run bench -- ws`: `connections` WebSocket clients in one Node process (the
 * `ws` package, as the engine uses), each sending a message as soon as the previous one came back,
 * for `seconds`. Prints {"messages": n, "medianMs": m} (messages echoed, median round trip).
 * Usage: node --import tsx bench/ws-client.ts <url> <connections> <seconds>
 */
import WebSocket from 'ws';

const [url, connections, seconds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const rtts: number[] = [];
let messages = 0;
let open = 0;
const sockets: WebSocket[] = [];
for (let i = 0; i < connections; i++) {
  const socket = new WebSocket(url);
  let sentAt = 0;
  const send = () => {
    sentAt = performance.now();
    socket.send('ping');
  };
  socket.on('open', () => {
    open++;
    send();
  });
  socket.on('message', () => {
    rtts.push(performance.now() - sentAt);
    messages++;
    send();
  });
  sockets.push(socket);
}
setTimeout(() => {
  for (const s of sockets) s.terminate();
  rtts.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ messages, medianMs: rtts[Math.floor(rtts.length / 2)] ?? NaN, open })}\n`);
  process.exit(0);
}, seconds * 1000);
