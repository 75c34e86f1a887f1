// Fills a conversation on the relay fast: a raw protocol client that
// pipelines `send` frames (a window of them on the wire), with nothing of an
// engine (no store, no events). The memory benchmark fills its conversation
// with it, and the one-conversation flush uses it as its baseline.
import { SUBPROTOCOL, type RelayFrame } from '../../src/shared/protocol/index.ts';

export async function sendBulk(wsUrl: string, token: string, conv: string, count: number, window = 500): Promise<void> {
  const socket = new WebSocket(wsUrl, SUBPROTOCOL);
  let next = 0;
  let acknowledged = 0;
  const sendOne = () => {
    const i = next++;
    const cid = `bulk${String(i).padStart(9, '0')}`;
    socket.send(JSON.stringify({ t: 'send', cid, conv, body: `bulk message ${i + 1}` }));
  };
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => socket.send(JSON.stringify({ t: 'hello', v: 1, token, cursors: {} })));
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as RelayFrame;
      if (frame.t === 'synced') while (next < Math.min(count, window)) sendOne();
      if (frame.t === 'nack') reject(new Error(`bulk send refused: ${frame.code} ${frame.message}`));
      if (frame.t !== 'ack') return;
      acknowledged++;
      if (next < count) sendOne();
      if (acknowledged === count) resolve();
    });
    socket.addEventListener('close', (event) => reject(new Error(`relay closed the bulk sender (${event.code})`)));
  });
  socket.close();
}
