// A cluster as it runs in production: three relay processes (`node
// relay/main.ts`), one PostgreSQL database of this file's own, created empty
// and dropped afterwards, and one private redis-server on a free port (so
// that it can be killed). The nodes are started together on the empty
// database. Senders are the real engine (src/shared/engine, through
// test/engine/helpers/client.ts), watchers are raw sockets that record every
// frame: each must get a conversation's messages live, once, in seq order,
// without gaps, through a node killed with SIGKILL mid-burst (its sender
// moving to another node), the database dropping the nodes' connections, and
// Redis dying and coming back. docs/scaling.md#testing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RelayFrame } from '../../src/shared/protocol/index.ts';
import { TestClient as EngineClient, waitFor } from '../engine/helpers/client.ts';
import { registerAccount, relayLog, revokeToken, type TestAccount } from '../engine/helpers/relay.ts';
import { createTestDatabase, type TestDatabase, terminateConnections } from '../helpers/postgres.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import { TestClient as Socket } from './support/client.ts';
import { RedisServer } from './support/redis-server.ts';
import { TEST_METRICS_TOKEN } from './support/relay.ts';

/** Generous: three relays, PostgreSQL and the test share two busy cores. */
const SLOW = 30_000;
/** The nodes' Redis-down delay for /healthz (the default 3 s, shortened). */
const REDIS_DOWN_HEALTH_MS = 500;

let database: TestDatabase;
let redis: RedisServer;
let nodes: [RelayProcess, RelayProcess, RelayProcess];
const closeAfterAll: Array<() => Promise<unknown>> = [];

function nodeArgs(): string[] {
  return [
    '--database-url', database.url,
    '--redis-url', redis.url,
    '--no-rate-limits',
    '--metrics-token', TEST_METRICS_TOKEN,
    '--limit', 'nodeHeartbeatMs=500',
    '--limit', 'presenceGraceMs=100',
    '--limit', `redisDownHealthMs=${REDIS_DOWN_HEALTH_MS}`,
  ];
}

beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), RedisServer.start()]);
  // Together, on the empty database: they queue on the migrations' advisory lock.
  const started = await Promise.all(
    [0, 1, 2].map(() => RelayProcess.start({ args: nodeArgs(), startTimeoutMs: SLOW })),
  );
  nodes = started as [RelayProcess, RelayProcess, RelayProcess];
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(closeAfterAll.map((close) => close()));
  await Promise.allSettled((nodes ?? []).map((node) => node.cleanup()));
  await redis?.kill();
  await database?.drop();
}, 60_000);

/** A raw socket signed in on `node`, recording every frame. */
async function watcher(node: RelayProcess, token: string): Promise<Socket> {
  const [socket] = await Socket.signIn(node.wsUrl, token);
  closeAfterAll.push(() => socket.close());
  return socket;
}

/** The real engine, signed in through the first of `nodes`, the others its fallbacks. */
async function engineOn(account: TestAccount, ...on: RelayProcess[]): Promise<EngineClient> {
  const client = new EngineClient({
    defaultRelayUrls: on.map((node) => node.url),
    timing: { reconnectBackoff: { baseMs: 50, maxMs: 300 }, sendRetryBackoff: { baseMs: 50, maxMs: 300 } },
  });
  closeAfterAll.push(() => client.dispose());
  const result = await client.engine.signIn({ username: account.username, password: account.password });
  if (!result.ok) throw new Error(`sign-in failed: ${result.code} ${result.message}`);
  await client.waitForState('online');
  return client;
}

/** Live `msg` frames of `conv` a socket got, in arrival order. */
function live(socket: Socket, conv: string): Array<{ seq: number; cid: string }> {
  return socket.frames.flatMap((frame: RelayFrame) =>
    frame.t === 'msg' && frame.msg.conv === conv ? [{ seq: frame.msg.seq, cid: frame.msg.cid }] : [],
  );
}

const oneTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

/** What every message test checks at the end: each of `cids` stored exactly
 * once, the log gapless from 1, and each watcher given exactly the log, live,
 * once and in order. */
async function expectDeliveredOnce(cids: string[], conv: string, reader: RelayProcess, token: string, watchers: Socket[]) {
  const count = cids.length;
  for (const socket of watchers) await waitFor(() => live(socket, conv).length >= count, `${count} live messages`, SLOW);
  const log = await relayLog(reader, token, conv);
  expect(log.map((message) => message.seq)).toEqual(oneTo(count));
  expect(new Set(log.map((message) => message.cid))).toEqual(new Set(cids));
  expect(await database.query(`SELECT count(*)::int AS stored FROM messages WHERE conv_id = $1`, [conv])).toEqual([{ stored: count }]);
  // A late duplicate would arrive after the last one: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const expected = log.map((message) => ({ seq: message.seq, cid: message.cid }));
  for (const socket of watchers) expect(live(socket, conv)).toEqual(expected);
}

/** Sends `count` messages through the engine in one burst (the outbox sends them as fast as the relay acks). */
async function burst(client: EngineClient, conv: string, count: number, label: string): Promise<string[]> {
  const cids: string[] = [];
  for (let i = 0; i < count; i++) cids.push((await client.engine.send(conv, `${label} ${i}`)).cid);
  return cids;
}

async function allAcked(client: EngineClient, conv: string, count: number): Promise<void> {
  await waitFor(() => client.messages(conv).filter((message) => message.seq !== undefined).length === count, `${count} acks`, SLOW);
}

describe('three relay processes on PostgreSQL and Redis', () => {
  test('started together on an empty database, they migrated it once and form one cluster', async () => {
    for (const node of nodes) expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    const [migrations] = await database.query(
      `SELECT count(*)::int AS applied, count(DISTINCT version)::int AS versions FROM duplex_schema_migrations`,
    );
    expect(migrations?.applied).toBeGreaterThan(0);
    expect(migrations?.applied).toBe(migrations?.versions);
    const metrics = () => fetch(`${nodes[0].url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
    await waitFor(async () => /^duplex_cluster_nodes 3$/m.test(await (await metrics()).text()), 'three live nodes', SLOW);
  });

  test('delivery, typing, receipts, presence and sign-out cross nodes', async () => {
    const [a, b, c] = nodes;
    const [alice, bob] = await Promise.all([registerAccount(a.url, 'Alice'), registerAccount(b.url, 'Bob')]);
    const aliceOnA = await watcher(a, alice.token);
    const [bobOnB, bobOnC] = await Promise.all([watcher(b, bob.token), watcher(c, bob.token)]);
    const created = await aliceOnA.request({ t: 'create', kind: 'direct', with: bob.user.id });
    if (created.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(created)}`);
    const conv = created.conv.id;
    await Promise.all([bobOnB.next('conv'), bobOnC.next('conv')]);

    const cids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const ack = await aliceOnA.sendMessage(conv, `m${i}`);
      if (ack.t !== 'ack') throw new Error(JSON.stringify(ack));
      cids.push(ack.cid);
    }
    await expectDeliveredOnce(cids, conv, c, bob.token, [bobOnB, bobOnC]);

    await aliceOnA.next('presence', (frame) => frame.user === bob.user.id && frame.online, SLOW);
    aliceOnA.send({ t: 'typing', conv, on: true });
    expect(await bobOnC.next('typing', undefined, SLOW)).toEqual({ t: 'typing', conv, user: alice.user.id, on: true });
    bobOnB.send({ t: 'receipt', conv, read: 20 });
    expect(await aliceOnA.next('receipt', (frame) => frame.read === 20, SLOW)).toEqual({
      t: 'receipt', conv, user: bob.user.id, delivered: 20, read: 20,
    });

    // Bob signs out on node a: his sockets on b and c close with 4001.
    const started = Date.now();
    await revokeToken(a.url, bob.token);
    expect((await bobOnB.closed).code).toBe(4001);
    expect((await bobOnC.closed).code).toBe(4001);
    expect(Date.now() - started).toBeLessThan(10_000);
    const offline = await aliceOnA.next('presence', (frame) => frame.user === bob.user.id && !frame.online, SLOW);
    expect(offline.lastSeen).toBeGreaterThan(0);
  }, 60_000);

  test('a node killed (SIGKILL) mid-burst: its client moves to another node, nothing is lost or doubled', async () => {
    const [a, b, c] = nodes;
    const [alice, bob] = await Promise.all([registerAccount(a.url, 'Alice'), registerAccount(b.url, 'Bob')]);
    const sender = await engineOn(alice, a, b);
    const [bobOnB, bobOnC] = await Promise.all([watcher(b, bob.token), watcher(c, bob.token)]);
    const conv = (await sender.engine.createDirect(bob.user.id)).id;
    await Promise.all([bobOnB.next('conv', undefined, SLOW), bobOnC.next('conv', undefined, SLOW)]);

    const count = 80;
    const first = await burst(sender, conv, count / 2, 'before the kill');
    // Mid-burst: some messages are through, the rest not yet or not published.
    await waitFor(() => live(bobOnB, conv).length >= 5, 'the burst under way', SLOW);
    const exit = await a.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    // The rest of the burst can only go through the fallback node.
    const second = await burst(sender, conv, count / 2, 'after the kill');

    await allAcked(sender, conv, count);
    await expectDeliveredOnce([...first, ...second], conv, b, bob.token, [bobOnB, bobOnC]);
    expect(sender.messages(conv).map((message) => message.seq)).toEqual(oneTo(count));

    await a.restart();
  }, 90_000);

  test('the database drops the nodes’ connections (pg_terminate_backend) mid-traffic: sends are retried, stored once, delivered in order', async () => {
    const [a, b, c] = nodes;
    const [alice, bob] = await Promise.all([registerAccount(a.url, 'Alice'), registerAccount(b.url, 'Bob')]);
    const sender = await engineOn(alice, a);
    const [bobOnB, bobOnC] = await Promise.all([watcher(b, bob.token), watcher(c, bob.token)]);
    const conv = (await sender.engine.createDirect(bob.user.id)).id;
    await Promise.all([bobOnB.next('conv', undefined, SLOW), bobOnC.next('conv', undefined, SLOW)]);

    const count = 60;
    let terminated = 0;
    let sendingDone = false;
    const sending = (async () => {
      const cids: string[] = [];
      // In small bursts, so that the terminations fall between and within commits.
      for (let round = 0; round < count / 10; round++) {
        cids.push(...(await burst(sender, conv, 10, `round ${round}`)));
        await allAcked(sender, conv, cids.length);
      }
      sendingDone = true;
      return cids;
    })();
    const terminating = (async () => {
      while (!sendingDone) {
        terminated += await terminateConnections(database, 'duplex-relay');
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const cids = await sending;
    await terminating;
    expect(terminated).toBeGreaterThan(0);
    await expectDeliveredOnce(cids, conv, c, bob.token, [bobOnB, bobOnC]);
    for (const node of nodes) {
      await waitFor(async () => (await fetch(`${node.url}/healthz`)).status === 200, 'the node healthy again', SLOW);
    }
  }, 90_000);

  test('Redis killed and restarted mid-traffic: each node serves its own sockets, then fills what it missed', async () => {
    const [a, b] = nodes;
    const [alice, bob] = await Promise.all([registerAccount(a.url, 'Alice'), registerAccount(b.url, 'Bob')]);
    const sender = await engineOn(alice, a);
    // Alice's other device on the sender's node, Bob on another node.
    const [aliceOnA, bobOnB] = await Promise.all([watcher(a, alice.token), watcher(b, bob.token)]);
    const conv = (await sender.engine.createDirect(bob.user.id)).id;
    await Promise.all([aliceOnA.next('conv', undefined, SLOW), bobOnB.next('conv', undefined, SLOW)]);

    const before = await burst(sender, conv, 10, 'before');
    await waitFor(() => live(bobOnB, conv).length === 10, 'the first messages across', SLOW);
    await redis.kill();
    await waitFor(async () => (await fetch(`${a.url}/healthz`)).status === 503, 'node a to notice', SLOW);
    const during = await burst(sender, conv, 20, 'during');
    await allAcked(sender, conv, 30);
    // Node a delivered to its own sockets all along.
    await waitFor(() => live(aliceOnA, conv).length === 30, 'the other device on node a', SLOW);
    expect(live(bobOnB, conv).length).toBe(10);

    await redis.restart();
    await waitFor(async () => (await fetch(`${a.url}/healthz`)).status === 200, 'node a healthy again', SLOW);
    const after = await burst(sender, conv, 10, 'after');
    await allAcked(sender, conv, 40);
    await expectDeliveredOnce([...before, ...during, ...after], conv, b, bob.token, [bobOnB, aliceOnA]);
  }, 90_000);
});
