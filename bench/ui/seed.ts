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

/** What a seeded message carries besides its body: a file already uploaded
 * (docs/protocol.md, "Files"). */
export type Extras = (i: number) => { file?: { id: string; width: number; height: number; thumb: string }; body?: string } | undefined;

/**
 * Sends `count` messages into `conv`, message i from `senders[pick(i)]`,
 * with up to `window` sends in flight per sender. Messages of one sender are
 * stored in the order sent; the senders interleave. Returns each message's
 * seq and sender index (by i).
 */
export async function seedConversation(
  conv: string,
  count: number,
  senders: Sender[],
  pick: (i: number) => number,
  extras: Extras = () => undefined,
  window = 400,
): Promise<Array<{ seq: number; sender: number }>> {
  const queues: Array<Array<{ i: number; frame: object }>> = senders.map(() => []);
  for (let i = 0; i < count; i++) {
    const extra = extras(i);
    queues[pick(i)]!.push({ i, frame: { t: 'send', cid: `${senders[pick(i)]!.cidPrefix}${String(i).padStart(9, '0')}`, conv, body: bodyFor(i), ...extra } });
  }
  const seeded: Array<{ seq: number; sender: number }> = new Array(count);
  await Promise.all(
    senders.map(async (sender, s) => {
      const seqs = await pipeline(sender.session, queues[s]!.map((entry) => entry.frame), window);
      queues[s]!.forEach((entry, k) => (seeded[entry.i] = { seq: seqs[k]!, sender: s }));
    }),
  );
  return seeded;
}

/**
 * Sends frames that each carry a distinct `cid` over one session, up to
 * `window` in flight, and resolves with the seq of each (in the frames'
 * order) once all are acknowledged; a `nack` or `error` rejects.
 */
export function pipeline(session: RawSession, frames: object[], window = 400): Promise<number[]> {
  return new Promise<number[]>((resolve, reject) => {
    const seqs: number[] = new Array(frames.length);
    const indexOf = new Map(frames.map((frame, k) => [(frame as { cid: string }).cid, k]));
    if (frames.length === 0) return resolve(seqs);
    let next = 0;
    let acknowledged = 0;
    const sendOne = () => session.send(frames[next++]!);
    const stop = session.on((frame) => {
      if (frame.t === 'nack') {
        stop();
        reject(new Error(`send refused: ${frame.code} ${frame.message}`));
      } else if (frame.t === 'error') {
        stop();
        reject(new Error(`relay error: ${frame.code} ${frame.message}`));
      } else if (frame.t === 'ack') {
        const k = indexOf.get(frame.cid);
        if (k === undefined) return;
        seqs[k] = frame.msg.seq;
        acknowledged++;
        if (next < frames.length) sendOne();
        if (acknowledged === frames.length) {
          stop();
          resolve(seqs);
        }
      }
    });
    while (next < Math.min(frames.length, window)) sendOne();
  });
}

/** Uploads one file with tus (creation, then one PATCH) as `token`'s user;
 * returns its id. */
export async function uploadFile(relayUrl: string, token: string, name: string, mime: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const meta = (text: string) => Buffer.from(text).toString('base64');
  const created = await fetch(`${relayUrl}/api/files`, {
    method: 'POST',
    headers: { ...auth, 'Upload-Length': String(bytes.byteLength), 'Upload-Metadata': `filename ${meta(name)},filetype ${meta(mime)}` },
  });
  const location = created.headers.get('location');
  if (created.status !== 201 || !location) throw new Error(`upload ${name}: create answered HTTP ${created.status}`);
  const patched = await fetch(new URL(location, relayUrl), {
    method: 'PATCH',
    headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (patched.status !== 204) throw new Error(`upload ${name}: PATCH answered HTTP ${patched.status}`);
  return location.split('/').at(-1)!;
}

/** How many changes of each kind a conversation gets (bench/ui/run.ts). */
export interface ChangePlan {
  reactions: number;
  edits: number;
}

const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/** `wanted` distinct indexes below `count`, spread over all of it, the same every run. */
export function spreadIndexes(count: number, wanted: number, salt: number): number[] {
  const chosen = new Set<number>();
  let x = (salt + 1) * 2246822519;
  while (chosen.size < Math.min(wanted, count)) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    chosen.add((x >>> 0) % count);
  }
  return [...chosen].sort((a, b) => a - b);
}

/**
 * Adds reactions and edits to seeded messages (docs/protocol.md, "Changes to
 * messages"): each reaction on a distinct message, by either member in turn;
 * each edit on a distinct message, by its sender (only the sender may edit).
 * Each change is a message of its own (with a seq) after the ones seeded.
 */
export async function seedChanges(conv: string, seeded: Array<{ seq: number; sender: number }>, senders: Sender[], plan: ChangePlan): Promise<void> {
  const frames: object[][] = senders.map(() => []);
  spreadIndexes(seeded.length, plan.reactions, 1).forEach((i, k) => {
    const s = k % senders.length;
    frames[s]!.push({ t: 'send', cid: `${senders[s]!.cidPrefix}react${String(i).padStart(9, '0')}`, conv, kind: 'react', target: seeded[i]!.seq, body: REACTIONS[k % REACTIONS.length] });
  });
  for (const i of spreadIndexes(seeded.length, plan.edits, 2)) {
    const { seq, sender: s } = seeded[i]!;
    frames[s]!.push({ t: 'send', cid: `${senders[s]!.cidPrefix}edit${String(i).padStart(9, '0')}`, conv, kind: 'edit', target: seq, body: `${bodyFor(i)} (edited)` });
  }
  await Promise.all(senders.map((sender, s) => pipeline(sender.session, frames[s]!)));
}
