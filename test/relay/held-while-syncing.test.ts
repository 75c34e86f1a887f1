// Live frames for a session that is still in its session start are held
// until `synced`; what is held is bounded (close 1013 above
// `syncHeldBytes`), and typing is dropped rather than held.
//
// The last test is the attack as reported: a client with a long backlog
// stops reading while a big group floods. The first two make the session
// start last by a real SQLite store whose backlog read waits at a gate the
// test opens (the store is otherwise untouched), so that what is held can be
// looked at exactly, without depending on how much a loopback socket buffers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../relay/store/sqlite.ts';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { scrapeMetrics, startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;
let gate: Gate;

beforeAll(async () => {
  gate = new Gate();
  relay = await startTestRelay({
    rateLimits: false,
    store: gatedStore(gate),
    limits: { syncHeldBytes: 256 * 1024, closeGraceMs: 30_000 },
  });
});
afterAll(async () => {
  gate.open();
  await relay.stop();
});

class Gate {
  #waiting: (() => void)[] = [];
  #closed = false;
  /** Reads that pass while closed wait until open(). */
  close(): void {
    this.#closed = true;
  }
  open(): void {
    this.#closed = false;
    for (const resume of this.#waiting.splice(0)) resume();
  }
  get waiting(): number {
    return this.#waiting.length;
  }
  async pass(): Promise<void> {
    if (this.#closed) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
}

function gatedStore(gate: Gate): SqliteStore {
  const store = openSqliteStore(':memory:');
  const messagesAfter = store.messagesAfter.bind(store);
  return Object.assign(store, {
    messagesAfter: async (...args: Parameters<SqliteStore['messagesAfter']>) => {
      await gate.pass();
      return messagesAfter(...args);
    },
  });
}

/** A group of `alice`, `bob` and 20 more; `bob` is offline while alice writes a backlog. */
async function groupWithBacklog() {
  const [alice, bob, ...others] = await Promise.all(Array.from({ length: 22 }, () => register(relay.url)));
  if (!alice || !bob) throw new Error('register failed');
  const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
  const created = await a.request({
    t: 'create',
    kind: 'group',
    title: 'busy',
    members: [bob.user.id, ...others.map((other) => other.user.id)],
  });
  if (created.t !== 'conv') throw new Error('create failed');
  const conv = created.conv.id;
  for (let i = 0; i < 20; i++) await a.sendMessage(conv, `backlog ${i}`);
  return { a, alice, bob, conv };
}

/** Bob signs in with a cursor, and his session start stops at the gate. */
async function stalledSignIn(token: string, conv: string): Promise<TestClient> {
  gate.close();
  const b = await TestClient.connect(relay.wsUrl);
  b.send({ t: 'hello', v: 1, token, cursors: { [conv]: 0 } });
  await b.next('welcome');
  while (gate.waiting === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  return b;
}

test('a session holding too much during its start is closed with 1013, and others are unaffected', async () => {
  const { a, bob, conv } = await groupWithBacklog();
  const b = await stalledSignIn(bob.token, conv);
  // Every message is acknowledged to the sender however long the other
  // session start takes; bounded so that a broken relay fails, not hangs.
  let sent = 0;
  while (b.ws.readyState === b.ws.OPEN && sent < 300) {
    const cids = Array.from({ length: 50 }, () => uniqueCid());
    cids.forEach((cid) => a.send({ t: 'send', cid, conv, body: `${'z'.repeat(3000)} ${sent}` }));
    for (const cid of cids) await a.next('ack', (ack) => ack.cid === cid);
    sent += cids.length;
  }
  expect((await b.closed).code).toBe(1013);
  // About 256 KiB of 3 KB messages: closed long before the cap of the loop.
  expect(sent).toBeLessThan(200);
  gate.open();
  expect(b.frames.some((frame) => frame.t === 'synced')).toBe(false);

  // Reconnecting with the same cursor gets everything.
  const [b2, synced] = await TestClient.signIn(relay.wsUrl, bob.token, { [conv]: 0 });
  expect(synced.batches.flatMap((batch) => batch.msgs).length).toBe(20 + sent);
  await Promise.all([a.close(), b2.close()]);
});

test('typing is dropped while a session starts; other live frames are held and follow synced', async () => {
  const { a, alice, bob, conv } = await groupWithBacklog();
  const b = await stalledSignIn(bob.token, conv);
  a.send({ t: 'typing', conv, on: true });
  a.send({ t: 'receipt', conv, read: 5 });
  a.send({ t: 'typing', conv, on: false });
  await a.request({ t: 'ping' });
  gate.open();
  await b.next('synced');
  expect(await b.next('receipt')).toMatchObject({ conv, user: alice.user.id, read: 5 });
  await b.expectNone((frame) => frame.t === 'typing');
  // Once live, typing flows again.
  a.send({ t: 'typing', conv, on: true });
  expect(await b.next('typing')).toMatchObject({ conv, on: true, user: alice.user.id });
  await Promise.all([a.close(), b.close()]);
});

test('a client with a long backlog that stops reading is closed while a big group floods', async () => {
  const { a, bob, conv } = await groupWithBacklog();
  // A backlog larger than what loopback socket buffers take in, so that the
  // session start stalls once the client stops reading.
  const backlog = 'b'.repeat(3000);
  for (let round = 0; round < 14; round++) {
    const cids = Array.from({ length: 200 }, () => uniqueCid());
    cids.forEach((cid) => a.send({ t: 'send', cid, conv, body: backlog }));
    for (const cid of cids) await a.next('ack', (ack) => ack.cid === cid, 15_000);
  }
  const b = await TestClient.connect(relay.wsUrl);
  b.send({ t: 'hello', v: 1, token: bob.token, cursors: { [conv]: 0 } });
  b.ws.pause();
  const before = await slowConsumers();
  let flooded = 0;
  while (flooded < 3_000 && (await slowConsumers()) === before) {
    const cids = Array.from({ length: 100 }, () => uniqueCid());
    cids.forEach((cid) => a.send({ t: 'send', cid, conv, body: `live ${flooded}` }));
    for (const cid of cids) await a.next('ack', (ack) => ack.cid === cid, 15_000);
    flooded += cids.length;
  }
  expect(await slowConsumers()).toBe(before + 1);
  b.ws.resume();
  expect((await b.closed).code).toBe(1013);
  await a.close();
});

async function slowConsumers(): Promise<number> {
  const text = await scrapeMetrics(relay);
  return Number(/^duplex_slow_consumers_total (\d+)/m.exec(text)?.[1] ?? 0);
}
