// Opening WebSocket sessions for the load generator: upgrade, send the
// dialect's hello, and wait for `synced`. Frames before `synced` are parsed
// as JSON (they are few); after it the load engine takes over the socket with
// its allocation-free fast path.
import { WebSocket } from 'ws';
import { SUBPROTOCOL, WS_PATH } from '../../src/shared/protocol/index.ts';

const SESSION_TIMEOUT_MS = 20_000;
const CLOSE_TIMEOUT_MS = 3_000;

export type Frame = { t: string; rid?: string; [field: string]: unknown };

export function wsUrlOf(httpUrl: string): string {
  const url = new URL(WS_PATH, httpUrl);
  url.protocol = 'ws:';
  return url.href;
}

/** Opens a socket, sends `hello` and resolves once the server says `synced`. */
export function openSession(wsUrl: string, hello: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, SUBPROTOCOL, {
      perMessageDeflate: false,
      // Our own frames are ASCII; validating every incoming byte would only
      // add load-generator CPU that has nothing to do with the server.
      skipUTF8Validation: true,
      handshakeTimeout: SESSION_TIMEOUT_MS,
    });
    const timer = setTimeout(() => fail(new Error(`no "synced" within ${SESSION_TIMEOUT_MS} ms`)), SESSION_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.terminate();
      reject(error);
    };
    ws.once('open', () => ws.send(hello));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.t === 'synced') {
        clearTimeout(timer);
        ws.removeAllListeners('message');
        ws.removeAllListeners('close');
        ws.removeAllListeners('error');
        resolve(ws);
      } else if (frame.t === 'error') {
        fail(new Error(`error before synced: ${JSON.stringify(frame)}`));
      }
    });
    ws.once('error', (error) => fail(error));
    ws.once('close', (code, reason) => fail(new Error(`closed before synced: ${code} ${String(reason)}`)));
  });
}

/** Sends a request frame with `rid` and resolves with the answer carrying the same `rid`. */
export function request(ws: WebSocket, frame: Frame & { rid: string }, timeoutMs = SESSION_TIMEOUT_MS): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: unknown): void => {
      const answer = JSON.parse(String(data)) as Frame;
      if (answer.rid !== frame.rid) return;
      done();
      if (answer.t === 'error') reject(new Error(`${frame.t} failed: ${JSON.stringify(answer)}`));
      else resolve(answer);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no answer to ${frame.t} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      ws.off('message', onMessage);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(frame));
  });
}

/** Closes a socket politely, forcefully after a short wait. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, CLOSE_TIMEOUT_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
