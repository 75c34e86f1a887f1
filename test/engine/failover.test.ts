// Failover between the nodes of a relay cluster (docs/scaling.md, "Clients"):
// two relay processes on one fresh PostgreSQL database and one private
// redis-server, the engine given both URLs. The node the engine uses is
// killed with SIGKILL in the middle of a burst of sends; the engine moves to
// the other URL and its outbox resends. Every message must be stored exactly
// once and in the order written (read back through the surviving node), and
// reach a watcher on the surviving node live, once each, in order.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/api.ts';
import { type Message, type RelayFrame, SUBPROTOCOL } from '../../src/shared/protocol/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, RelayProcess, type TestAccount } from './helpers/relay.ts';

/** Written before the kill, and after it (while the engine fails over). */
const HALF = 300;
const COUNT = 2 * HALF;

let database: TestDatabase;
let redis: RedisServer;
let nodeA: RelayProcess;
let nodeB: RelayProcess;

beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), RedisServer.start()]);
  const args = ['--no-rate-limits', '--database-url', database.url, '--redis-url', redis.url];
  // Started together on the empty database: the migration lock sorts them out.
  [nodeA, nodeB] = await Promise.all([
    RelayProcess.start({ args, startTimeoutMs: 30_000 }),
    RelayProcess.start({ args, startTimeoutMs: 30_000 }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([nodeA?.cleanup(), nodeB?.cleanup()]);
  await redis?.kill();
  await database?.drop();
});

/** Bob's raw session on a node: every live `msg` frame of `conv`, as it arrives. */
async function watch(node: RelayProcess, account: TestAccount, conv: string): Promise<{ received: Message[]; close(): void }> {
  const socket = new WebSocket(node.wsUrl, SUBPROTOCOL);
  const received: Message[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => socket.send(JSON.stringify({ t: 'hello', v: 1, token: account.token, cursors: { [conv]: 0 } })));
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as RelayFrame;
      if (frame.t === 'synced') resolve();
      if (frame.t === 'msg' && frame.msg.conv === conv) received.push(frame.msg);
    });
    socket.addEventListener('close', () => reject(new Error('the watcher’s socket closed')));
  });
  return { received, close: () => socket.close() };
}

it('moves to the other node when its node is killed mid-burst; each message stored and delivered once, in order', { timeout: 120_000 }, async () => {
  const [aliceAccount, bobAccount] = await Promise.all([registerAccount(nodeA.url, 'Alice'), registerAccount(nodeA.url, 'Bob')]);
  const alice = new TestClient();
  const signedIn = await alice.engine.signIn({
    relayUrl: nodeA.url,
    otherRelayUrls: [nodeB.url],
    username: aliceAccount.username,
    password: aliceAccount.password,
  });
  expect(signedIn).toMatchObject({ ok: true, account: { relayUrls: [nodeA.url, nodeB.url] } });
  await alice.waitForState('online');
  expect(alice.status?.relayUrl).toBe(nodeA.url);
  const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
  const watcher = await watch(nodeB, bobAccount, conv);
  try {
    // SIGKILL to node A the moment 50 messages are acknowledged: the rest of
    // the first half is on the wire or queued, the second half not written yet.
    let storedAtKill = -1;
    let killed: Promise<unknown> | null = null;
    alice.engine.onEvent((event) => {
      if (killed || event.type !== 'messages') return;
      const stored = alice.messages(conv).filter((m) => m.seq !== null).length;
      if (stored >= 50) {
        storedAtKill = stored;
        killed = nodeA.stop('SIGKILL');
      }
    });
    const written: ChatMessage[] = [];
    const body = (i: number) => `burst ${String(i).padStart(4, '0')}`;
    for (let i = 1; i <= HALF; i++) written.push(await alice.engine.send(conv, body(i)));
    await waitFor(() => killed, 'node A killed mid-burst', 30_000);
    await killed;
    expect(storedAtKill).toBeLessThan(HALF);
    for (let i = HALF + 1; i <= COUNT; i++) written.push(await alice.engine.send(conv, body(i)));

    // The engine is on node B now, and every message has its seq.
    await waitFor(
      () => alice.status?.state === 'online' && alice.status.relayUrl === nodeB.url,
      `online through node B (now ${JSON.stringify(alice.status)})`,
      30_000,
    );
    await waitFor(
      () => alice.messages(conv).filter((m) => m.seq !== null).length === COUNT,
      'every message acknowledged',
      60_000,
    );
    const shown = alice.messages(conv);
    expect(shown.map((m) => m.body)).toEqual(written.map((m) => m.body));
    expect(shown.map((m) => m.seq)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));

    // The log, read through the surviving node: each cid once, in the order written.
    const log = await relayLog(nodeB, aliceAccount.token, conv);
    expect(log.map((m) => m.seq)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(log.map((m) => m.cid)).toEqual(written.map((m) => m.cid));
    expect(log.map((m) => m.body)).toEqual(written.map((m) => m.body));

    // The watcher on node B got each once, in order.
    await waitFor(() => watcher.received.length >= COUNT, `the watcher's ${COUNT} messages (has ${watcher.received.length})`, 30_000);
    expect(watcher.received.map((m) => m.seq)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(watcher.received.map((m) => m.cid)).toEqual(written.map((m) => m.cid));
  } finally {
    watcher.close();
    await alice.dispose();
  }
});
