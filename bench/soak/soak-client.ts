// One soak user: a WebSocket session that keeps its cursors across
// reconnects, sends ordinary traffic and floods on demand, measures its own
// send→ack latency and the delivery latency of what it receives (bodies carry
// the send time), and checks every frame against the protocol's schemas and
// size limit.
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { MAX_FRAME_BYTES, parseRelayFrame, type RelayFrame, SUBPROTOCOL, type User } from '../../src/shared/protocol/index.ts';
import { wsUrlOf } from '../relay/connections.ts';

export interface SoakUser {
  user: User;
  token: string;
}

export interface SoakHooks {
  acked(ms: number): void;
  refused(code: string): void;
  delivered(ms: number): void;
  violation(text: string): void;
}

const TIMEOUT_MS = 20_000;

export async function registerUser(url: string, prefix: string): Promise<SoakUser> {
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  const response = await fetch(`${url}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  if (response.status !== 201) throw new Error(`register: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as SoakUser;
}

function newId(): string {
  return randomBytes(12).toString('base64url');
}

export class SoakClient {
  readonly user: User;
  readonly #url: string;
  readonly #token: string;
  readonly #hooks: SoakHooks;
  #ws!: WebSocket;
  /** Highest seq seen per conversation: the next hello's cursors. */
  readonly #cursors = new Map<string, number>();
  readonly #groups = new Set<string>();
  /** cid → send time, for sends whose latency counts (not floods). */
  readonly #pending = new Map<string, number>();
  readonly #waiters = new Map<string, (frame: RelayFrame) => void>();
  readonly #probes = new Map<string, Set<number>>();

  private constructor(url: string, account: SoakUser, hooks: SoakHooks) {
    this.#url = url;
    this.user = account.user;
    this.#token = account.token;
    this.#hooks = hooks;
  }

  static async connect(url: string, account: SoakUser, hooks: SoakHooks): Promise<SoakClient> {
    const client = new SoakClient(url, account, hooks);
    await client.#open();
    return client;
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  async createGroup(title: string, members: string[]): Promise<string> {
    const answer = await this.#request({ t: 'create', kind: 'group', title, members });
    if (answer.t !== 'conv') throw new Error(`create group: ${JSON.stringify(answer)}`);
    return answer.conv.id;
  }

  async createDirect(userId: string): Promise<string> {
    const answer = await this.#request({ t: 'create', kind: 'direct', with: userId });
    if (answer.t !== 'conv') throw new Error(`create direct: ${JSON.stringify(answer)}`);
    return answer.conv.id;
  }

  sendToSomeConversation(): void {
    const conv = this.#someConversation();
    if (!conv || !this.isOpen) return;
    const cid = newId();
    this.#pending.set(cid, performance.now());
    this.#send({ t: 'send', cid, conv, body: `hello t:${Date.now()}` });
  }

  sendProbe(conv: string, n: number): void {
    if (this.isOpen) this.#send({ t: 'send', cid: newId(), conv, body: `probe ${n} t:${Date.now()}` });
  }

  probesReceived(conv: string): number {
    return this.#probes.get(conv)?.size ?? 0;
  }

  markSomethingRead(): void {
    const conv = this.#someConversation();
    if (conv && this.isOpen) this.#send({ t: 'receipt', conv, read: this.#cursors.get(conv) ?? 0 });
  }

  typeSomewhere(): void {
    const conv = this.#someConversation();
    if (conv && this.isOpen) this.#send({ t: 'typing', conv, on: true });
  }

  /** Drops the socket without a goodbye and comes back with the cursors. */
  async reconnect(): Promise<void> {
    this.#ws.terminate();
    await this.#open();
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.#ws.once('close', resolve));
    this.#ws.close(1000);
    await closed;
  }

  // ---- floods ----

  async typingFlood(count: number): Promise<string> {
    const conv = this.#someConversation();
    if (!conv || !this.isOpen) return 'skipped (offline)';
    for (let i = 0; i < count; i++) this.#send({ t: 'typing', conv, on: i % 2 === 0 });
    await this.#request({ t: 'ping' });
    return `${count} sent`;
  }

  async renameFlood(count: number): Promise<string> {
    const conv = [...this.#groups][0];
    if (!conv || !this.isOpen) return 'skipped (no group)';
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => this.#request({ t: 'rename', conv, title: `renamed ${i}` })));
    return tally(answers.map((answer) => (answer.t === 'error' ? answer.code : 'accepted')));
  }

  async sendFlood(count: number): Promise<string> {
    const conv = this.#someConversation();
    if (!conv || !this.isOpen) return 'skipped (offline)';
    const outcomes = await Promise.all(
      Array.from({ length: count }, () => {
        const cid = newId();
        const answered = this.#wait(cid);
        this.#send({ t: 'send', cid, conv, body: 'flood' });
        return answered;
      }),
    );
    return tally(outcomes.map((frame) => (frame.t === 'nack' ? frame.code : frame.t)));
  }

  async badFrameFlood(count: number): Promise<string> {
    const closed = new Promise<number>((resolve) => this.#ws.once('close', (code) => resolve(code)));
    for (let i = 0; i < count; i++) this.#ws.send('not json');
    const code = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(0), 5_000))]);
    await this.reconnect();
    return code ? `closed with ${code}, reconnected` : 'not closed';
  }

  // ---- the socket ----

  #open(): Promise<void> {
    const ws = new WebSocket(wsUrlOf(this.#url), SUBPROTOCOL, { perMessageDeflate: false });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user.username}: no synced within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      ws.once('open', () => {
        ws.send(JSON.stringify({ t: 'hello', v: 1, token: this.#token, cursors: Object.fromEntries(this.#cursors) }));
      });
      ws.on('message', (data) => {
        const frame = this.#receive(String(data));
        if (frame?.t === 'synced') {
          clearTimeout(timer);
          resolve();
        }
      });
      ws.on('error', () => {});
      ws.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.user.username}: closed ${code} before synced`));
        // Pending sends of this socket will not be answered.
        this.#pending.clear();
      });
    });
  }

  #receive(text: string): RelayFrame | undefined {
    const parsed = parseRelayFrame(text);
    if (!parsed.ok) {
      this.#hooks.violation(`${parsed.message}: ${text.slice(0, 120)}`);
      return undefined;
    }
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES) this.#hooks.violation(`${parsed.frame.t} of ${Buffer.byteLength(text)} bytes`);
    const frame = parsed.frame;
    switch (frame.t) {
      case 'welcome':
      case 'convs':
        for (const conversation of frame.conversations) this.#know(conversation.id, conversation.kind);
        break;
      case 'conv':
        this.#know(frame.conv.id, frame.conv.kind);
        break;
      case 'left':
        this.#cursors.delete(frame.conv);
        this.#groups.delete(frame.conv);
        break;
      case 'batch':
        for (const message of frame.msgs) this.#message(message.conv, message.seq, message.body, false);
        break;
      case 'msg':
        this.#message(frame.msg.conv, frame.msg.seq, frame.msg.body, true);
        break;
      case 'ack': {
        this.#message(frame.msg.conv, frame.msg.seq, frame.msg.body, false);
        const sentAt = this.#pending.get(frame.cid);
        this.#pending.delete(frame.cid);
        if (sentAt !== undefined) this.#hooks.acked(performance.now() - sentAt);
        break;
      }
      case 'nack':
        this.#pending.delete(frame.cid);
        this.#hooks.refused(frame.code);
        break;
      case 'error':
        if (frame.code === 'internal') this.#hooks.violation(`error internal: ${frame.message}`);
        break;
    }
    const key = frame.t === 'ack' || frame.t === 'nack' ? frame.cid : 'rid' in frame ? frame.rid : undefined;
    if (key !== undefined) {
      this.#waiters.get(key)?.(frame);
      this.#waiters.delete(key);
    }
    return frame;
  }

  #know(conv: string, kind: 'direct' | 'group'): void {
    if (!this.#cursors.has(conv)) this.#cursors.set(conv, 0);
    if (kind === 'group') this.#groups.add(conv);
  }

  #message(conv: string, seq: number, body: string, live: boolean): void {
    this.#cursors.set(conv, Math.max(this.#cursors.get(conv) ?? 0, seq));
    const probe = /^probe (\d+) /.exec(body);
    if (probe) {
      let seen = this.#probes.get(conv);
      if (!seen) this.#probes.set(conv, (seen = new Set()));
      seen.add(Number(probe[1]));
    }
    const sentAt = /t:(\d+)$/.exec(body);
    if (live && sentAt) this.#hooks.delivered(Date.now() - Number(sentAt[1]));
  }

  #someConversation(): string | undefined {
    const convs = [...this.#cursors.keys()];
    return convs[Math.floor(Math.random() * convs.length)];
  }

  #send(frame: object): void {
    this.#ws.send(JSON.stringify(frame));
  }

  #wait(key: string): Promise<RelayFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`${this.user.username}: no answer for ${key}`));
      }, TIMEOUT_MS);
      this.#waiters.set(key, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  #request(frame: Record<string, unknown>): Promise<RelayFrame> {
    const rid = newId();
    const answered = this.#wait(rid);
    this.#send({ ...frame, rid });
    return answered;
  }
}

function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${outcome} ${count}`).join(', ');
}
