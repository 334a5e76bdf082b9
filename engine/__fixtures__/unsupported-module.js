// k6/ws exists in k6, not in the embedded engine.
import ws from 'k6/ws';
export default function () {
  ws.connect('ws://127.0.0.1:1', () => {});
}
