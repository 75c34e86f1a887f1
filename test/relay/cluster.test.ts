// Several relay nodes in one process, as a cluster: each a real relay on its
// own loopback port, all on one private redis-server and one shared store
// (a real SQLite file: what PostgreSQL is to separate processes). Clients
// connect to different nodes and must not notice: delivery, typing,
// receipts, presence, sign-out, the socket cap and the send rate hold across
// nodes; msg frames arrive once, in order, without gaps, also when a node
// stored a message without publishing it and while Redis dies and comes back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import type { RelayStore } from '../../relay/store/types.ts';
import type { AuthResponse, Message } from '../../src/shared/protocol/index.ts';
import { postJson, register, TestClient, uniqueCid } from './support/client.ts';
import { RedisServer, until } from './support/redis-server.ts';
import { startClusterNodes } from './support/cluster.ts';
import { scrapeMetrics, type TestRelay, type TestRelayOptions } from './support/relay.ts';

/** startClusterNodes' redisDownHealthMs. */
const DOWN_HEALTH_MS = 300;

let redis: RedisServer;
let storeDir: string;
let store: RelayStore;
let nodes: TestRelay[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  storeDir = await mkdtemp(path.join(tmpdir(), 'duplex-cluster-'));
  store = openSqliteStore(path.join(storeDir, 'relay.db'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(nodes.map((node) => node.stop()));
  nodes = [];
});
afterAll(async () => {
  await store.close();
  await redis.kill();
  await rm(storeDir, { recursive: true, force: true });
});

async function startCluster(count: number, options: TestRelayOptions = {}): Promise<TestRelay[]> {
  nodes = await startClusterNodes(count, redis.url, store, options);
  return nodes;
}

async function signIn(node: TestRelay, token: string): Promise<TestClient> {
  const [client] = await TestClient.signIn(node.wsUrl, token);
  clients.push(client);
  return client;
}

/** Alice on `a`, Bob on `b`, sharing a direct conversation. */
async function pairAcross(a: TestRelay, b: TestRelay) {
  const [alice, bob] = await Promise.all([register(a.url), register(b.url)]);
  const [onA, onB] = await Promise.all([signIn(a, alice.token), signIn(b, bob.token)]);
  const created = await onA.request({ t: 'create', kind: 'direct', with: bob.user.id });
  if (created.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(created)}`);
  await onB.next('conv');
  return { alice, bob, onA, onB, conv: created.conv.id };
}

/** The seqs of the msg frames `client` got for `conv`, in arrival order. */
function msgSeqs(client: TestClient, conv: string): number[] {
  return client.frames.flatMap((frame) => (frame.t === 'msg' && frame.msg.conv === conv ? [frame.msg.seq] : []));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Stores a message as a node would that died before publishing it. */
async function storeUnpublished(sender: AuthResponse, conv: string, cid = uniqueCid()): Promise<Message> {
  const [outcome] = await store.appendMessages([{ sender: sender.user.id, cid, conv, body: 'stored, never published' }], () => null, Date.now());
  if (outcome?.kind !== 'stored') throw new Error('not stored');
  return outcome.message;
}

describe('a cluster of relay nodes', () => {
  test('messages sent on one node reach members on the others live, once and in order', async () => {
    const [a, b, c] = await startCluster(3);
    const { bob, onA, onB, conv } = await pairAcross(a as TestRelay, b as TestRelay);
    const onC = await signIn(c as TestRelay, bob.token);
    for (let i = 0; i < 20; i++) onA.send({ t: 'send', cid: uniqueCid(), conv, body: `m${i}` });
    await until(() => msgSeqs(onB, conv).length >= 20 && msgSeqs(onC, conv).length >= 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(msgSeqs(onB, conv)).toEqual(range(1, 20));
    expect(msgSeqs(onC, conv)).toEqual(range(1, 20));
  });

  test('typing, receipts and presence cross nodes', async () => {
    const [a, b] = await startCluster(2);
    const { alice, bob, onA, onB, conv } = await pairAcross(a as TestRelay, b as TestRelay);
    await onA.next('presence', (frame) => frame.user === bob.user.id && frame.online);
    onA.send({ t: 'typing', conv, on: true });
    expect(await onB.next('typing')).toEqual({ t: 'typing', conv, user: alice.user.id, on: true });
    await onA.sendMessage(conv, 'hello');
    await onB.next('msg');
    onB.send({ t: 'receipt', conv, read: 1 });
    expect(await onA.next('receipt')).toEqual({ t: 'receipt', conv, user: bob.user.id, delivered: 1, read: 1 });
    await onB.close();
    const offline = await onA.next('presence', (frame) => frame.user === bob.user.id && !frame.online);
    expect(offline.lastSeen).toBeGreaterThan(0);
  });

  test('signing out on one node closes the token’s sockets on every node', async () => {
    const [a, b, c] = await startCluster(3);
    const alice = await register(a!.url);
    const [onB, onC] = await Promise.all([signIn(b!, alice.token), signIn(c!, alice.token)]);
    const started = Date.now();
    const logout = await postJson(a!.url, '/api/logout', {}, { Authorization: `Bearer ${alice.token}` });
    expect(logout.status).toBe(204);
    expect((await onB.closed).code).toBe(4001);
    expect((await onC.closed).code).toBe(4001);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('the socket cap and the send rate count every node', async () => {
    const [a, b] = await startCluster(2, { rateLimits: true, limits: { socketsPerUser: 2, sendBurst: 5, sendsPerSecond: 1 } });
    const { alice, onA, conv } = await pairAcross(a as TestRelay, b as TestRelay);
    const onB = await signIn(b!, alice.token);
    const third = await TestClient.connect(a!.wsUrl);
    clients.push(third);
    third.send({ t: 'hello', v: 1, token: alice.token, cursors: {} });
    expect((await third.closed).code).toBe(1013);
    const answers = await Promise.all([...range(1, 4).map(() => onA.sendMessage(conv, 'a')), ...range(1, 4).map(() => onB.sendMessage(conv, 'b'))]);
    expect(answers.filter((answer) => answer.t === 'ack')).toHaveLength(5);
    expect(answers.filter((answer) => answer.t === 'nack' && answer.code === 'rate_limited')).toHaveLength(3);
  });

  test('a message stored by a node that died before publishing it reaches members when its sender resends it elsewhere', async () => {
    const [a, b] = await startCluster(2);
    const { alice, onA, onB, conv } = await pairAcross(a as TestRelay, b as TestRelay);
    const cid = uniqueCid();
    const stored = await storeUnpublished(alice, conv, cid);
    const ack = await onA.sendMessage(conv, 'stored, never published', { cid });
    expect(ack).toMatchObject({ t: 'ack', cid, msg: { seq: stored.seq } });
    await onB.next('msg', (frame) => frame.msg.seq === stored.seq);
    await onA.sendMessage(conv, 'next');
    await until(() => msgSeqs(onB, conv).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(msgSeqs(onB, conv)).toEqual([1, 2]);
  });

  test('a gap in what a node receives is filled from the store before later frames pass', async () => {
    const [a, b] = await startCluster(2);
    const { alice, onA, onB, conv } = await pairAcross(a as TestRelay, b as TestRelay);
    await onA.sendMessage(conv, 'one');
    await storeUnpublished(alice, conv);
    await storeUnpublished(alice, conv);
    await onA.sendMessage(conv, 'four');
    await until(() => msgSeqs(onB, conv).length === 4);
    expect(msgSeqs(onB, conv)).toEqual([1, 2, 3, 4]);
    expect(await scrapeMetrics(b!)).toMatch(/duplex_gap_filled_messages_total 2/);
  });

  test('Redis killed mid-traffic: nodes serve their own sockets, /healthz says 503, and once Redis is back what was missed arrives from the store', async () => {
    const own = await RedisServer.start();
    nodes = await startClusterNodes(2, own.url, store);
    const [a, b] = nodes as [TestRelay, TestRelay];
    const { alice, onA, onB, conv } = await pairAcross(a, b);
    const aliceOnA2 = await signIn(a, alice.token);
    const sending = (async () => {
      for (let i = 0; i < 30; i++) {
        const answer = await onA.sendMessage(conv, `m${i}`);
        expect(answer.t).toBe('ack');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await until(() => msgSeqs(onB, conv).length >= 5);
    await own.kill();
    await new Promise((resolve) => setTimeout(resolve, DOWN_HEALTH_MS + 200));
    const unhealthy = await fetch(`${a.url}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ error: { code: 'unavailable', message: 'redis is unreachable' } });
    await sending;
    // Alice's other socket on the same node got everything, Redis or not.
    await until(() => msgSeqs(aliceOnA2, conv).length === 30);
    expect(msgSeqs(aliceOnA2, conv)).toEqual(range(1, 30));
    await own.restart();
    await until(() => msgSeqs(onB, conv).length >= 30, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(msgSeqs(onB, conv)).toEqual(range(1, 30));
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
    await own.kill();
  });

  test('a node starts without Redis: it serves its own sockets, /healthz says 503 until Redis comes, then it joins', async () => {
    const late = await RedisServer.start();
    await late.kill();
    nodes = await startClusterNodes(2, late.url, store);
    const [a, b] = nodes as [TestRelay, TestRelay];
    const { bob, onA, conv } = await pairAcross(a, a);
    await onA.sendMessage(conv, 'alone');
    await new Promise((resolve) => setTimeout(resolve, DOWN_HEALTH_MS + 100));
    expect((await fetch(`${a.url}/healthz`)).status).toBe(503);
    expect((await scrapeMetrics(a)).match(/^duplex_redis_up (\d)/m)?.[1]).toBe('0');
    await late.restart();
    await until(async () => (await fetch(`${a.url}/healthz`)).status === 200 && (await fetch(`${b.url}/healthz`)).status === 200, 10_000);
    // Bob on the other node now: what he missed comes with his session start, what follows live.
    const onB = await signIn(b, bob.token);
    await onA.sendMessage(conv, 'together');
    expect((await onB.next('msg')).msg.body).toBe('together');
    await late.kill();
  });

  test('/metrics carries the node’s Redis state and the cluster’s size', async () => {
    const [a, b] = await startCluster(2);
    const bob = await register(b!.url);
    await signIn(b!, bob.token);
    // Node b's heartbeat and Bob's presence reach a through Redis a moment
    // later (on a loaded machine, after the first scrape): wait for them.
    await expect
      .poll(() => scrapeMetrics(a!), { timeout: 10_000 })
      .toMatch(/^duplex_cluster_nodes 2$/m);
    await expect.poll(() => scrapeMetrics(a!), { timeout: 10_000 }).toMatch(/^duplex_cluster_users_online 1$/m);
    expect(await scrapeMetrics(a!)).toMatch(/^duplex_redis_up 1$/m);
  });
});
