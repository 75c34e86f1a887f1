// Fills conversations on the relay fast, for the UI benchmark: accounts over
// HTTP, then raw protocol sessions (docs/protocol.md) that create the chats
// and pipeline `send` frames, a window of them on the wire, instead of going
// through an engine's one-at-a-time outbox. Bodies vary in length (one to
// several lines) so that the message list measures rows of many heights, as
// in a real chat.
import { SUBPROTOCOL, type Conversation, type RelayFrame, type User } from '../../src/shared/protocol/index.ts';

export interface Account {
  username: string;
  password: string;
  user: User;
  token: string;
}

const PASSWORD = 'bench password 1234';

export async function register(relayUrl: string, username: string, displayName: string): Promise<Account> {
  const response = await fetch(`${relayUrl}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, displayName }),
  });
  if (response.status !== 201) throw new Error(`register ${username}: HTTP ${response.status} ${await response.text()}`);
  const { user, token } = (await response.json()) as { user: User; token: string };
  return { username, password: PASSWORD, user, token };
}

/** A signed-in raw session: frames in, frames out, nothing else. */
export class RawSession {
  readonly #socket: WebSocket;
  readonly #listeners = new Set<(frame: RelayFrame) => void>();
  #closed: Error | null = null;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as RelayFrame;
      for (const listener of [...this.#listeners]) listener(frame);
    });
    socket.addEventListener('close', (event) => {
      this.#closed = new Error(`relay closed the session (${event.code} ${event.reason})`);
      for (const listener of [...this.#listeners]) listener({ t: 'error', code: 'internal', message: this.#closed.message } as RelayFrame);
    });
  }

  static async open(wsUrl: string, token: string): Promise<RawSession> {
    const socket = new WebSocket(wsUrl, SUBPROTOCOL);
    const session = new RawSession(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no `synced` within 15 s')), 15_000);
      socket.addEventListener('open', () => socket.send(JSON.stringify({ t: 'hello', v: 1, token, cursors: {} })));
      session.#listeners.add((frame) => {
        if (frame.t === 'synced') {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.addEventListener('close', (event) => reject(new Error(`relay closed the session before synced (${event.code})`)));
    });
    return session;
  }

  send(frame: object): void {
    if (this.#closed) throw this.#closed;
    this.#socket.send(JSON.stringify(frame));
  }

  /** Sends a frame with a `rid` and resolves with the answer carrying it. */
  request<T extends RelayFrame>(frame: { t: string; rid: string; [field: string]: unknown }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`no answer to ${JSON.stringify(frame)}`));
      }, 15_000);
      const listener = (answer: RelayFrame) => {
        if (!('rid' in answer) || answer.rid !== frame.rid) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        if (answer.t === 'error') reject(new Error(`${answer.code}: ${answer.message}`));
        else resolve(answer as T);
      };
      this.#listeners.add(listener);
      this.send(frame);
    });
  }

  async createDirect(withUser: string): Promise<Conversation> {
    const answer = await this.request<Extract<RelayFrame, { t: 'conv' }>>({ t: 'create', rid: `create-${withUser}`, kind: 'direct', with: withUser });
    return answer.conv;
  }

  on(listener: (frame: RelayFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#socket.close();
  }
}

const WORDS = (
  'ok sure yes no maybe tomorrow today tonight lunch dinner coffee meeting call later soon ' +
  'thanks great sounds good see you there what time where are you on my way running late ' +
  'did you get the file I will check and let you know the train is delayed again can we move it'
).split(' ');

/** A deterministic body of varied length: mostly short, some long, a few with line breaks. */
export function bodyFor(i: number): string {
  // xorshift on the index: the same conversation every run.
  let x = (i + 1) * 2654435761;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const roll = next();
  const words = roll < 0.6 ? 1 + Math.floor(next() * 6) : roll < 0.92 ? 6 + Math.floor(next() * 20) : 25 + Math.floor(next() * 50);
  const parts: string[] = [];
  for (let w = 0; w < words; w++) parts.push(WORDS[Math.floor(next() * WORDS.length)]!);
  if (roll > 0.97) parts.splice(Math.floor(parts.length / 2), 0, '\n');
  return `#${i + 1} ${parts.join(' ').replace(/ \n /g, '\n')}`;
}

export interface Sender {
  session: RawSession;
  /** Unique per sender (the relay deduplicates on sender and cid). */
  cidPrefix: string;
}

/**
 * Sends `count` messages into `conv`, message i from `senders[pick(i)]`,
 * with up to `window` sends in flight per sender. Messages of one sender are
 * stored in the order sent; the senders interleave.
 */
export async function seedConversation(
  conv: string,
  count: number,
  senders: Sender[],
  pick: (i: number) => number,
  window = 400,
): Promise<void> {
  const queues: number[][] = senders.map(() => []);
  for (let i = 0; i < count; i++) queues[pick(i)]!.push(i);
  await Promise.all(
    senders.map(
      (sender, s) =>
        new Promise<void>((resolve, reject) => {
          const queue = queues[s]!;
          if (queue.length === 0) return resolve();
          let next = 0;
          let acknowledged = 0;
          const sendOne = () => {
            const i = queue[next++]!;
            sender.session.send({ t: 'send', cid: `${sender.cidPrefix}${String(i).padStart(9, '0')}`, conv, body: bodyFor(i) });
          };
          const stop = sender.session.on((frame) => {
            if (frame.t === 'nack') {
              stop();
              reject(new Error(`send refused: ${frame.code} ${frame.message}`));
            } else if (frame.t === 'error') {
              stop();
              reject(new Error(`relay error: ${frame.code} ${frame.message}`));
            } else if (frame.t === 'ack') {
              acknowledged++;
              if (next < queue.length) sendOne();
              if (acknowledged === queue.length) {
                stop();
                resolve();
              }
            }
          });
          while (next < Math.min(queue.length, window)) sendOne();
        }),
    ),
  );
}
