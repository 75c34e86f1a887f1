// The Redis Presence against the Presence contract, then across nodes: two
// (or three) presences on their own links to one private redis-server,
// sharing one store, announcing through one fan-out the test listens to.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RedisPresence } from '../../relay/cluster/redis-presence.ts';
import type { RedisLink } from '../../relay/cluster/redis-link.ts';
import { InProcessFanout } from '../../relay/fanout.ts';
import { createLogger } from '../../relay/log.ts';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import type { RelayStore } from '../../relay/store/types.ts';
import type { PresenceFrame, User } from '../../src/shared/protocol/index.ts';
import { runPresenceContract } from './presence-contract.ts';
import { RedisServer, redisForThisFile, until } from './support/redis-server.ts';

const log = createLogger('silent');
const { link } = redisForThisFile();
let run = 0;

// The contract builds its presence synchronously: the link is made before each test.
let contractLink: RedisLink;
beforeEach(async () => {
  contractLink = await link(`contract-${++run}:`);
});
runPresenceContract('redis', (store, fanout, graceMs) => new RedisPresence(store, fanout, contractLink, { graceMs, heartbeatMs: 1_000 }, log));

describe('Redis presence across nodes', () => {
  const GRACE_MS = 50;
  const HEARTBEAT_MS = 100;
  let store: RelayStore;
  let fanout: InProcessFanout;
  let alice: User;
  let bob: User;
  let heard: PresenceFrame[];
  let nodes: RedisPresence[];

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    fanout = new InProcessFanout();
    alice = (await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'x' }, 1))!;
    bob = (await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'x' }, 1))!;
    await store.openDirect(alice.id, bob.id, 1);
    heard = [];
    await fanout.subscribe(alice.id, (event) => {
      if (event.kind === 'frame') heard.push(JSON.parse(event.text) as PresenceFrame);
    });
    const prefix = `nodes-${++run}:`;
    nodes = await Promise.all(
      [1, 2, 3].map(async () => new RedisPresence(store, fanout, await link(prefix), { graceMs: GRACE_MS, heartbeatMs: HEARTBEAT_MS }, log)),
    );
  });
  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await store.close();
  });

  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const onlineStates = () => heard.map((frame) => frame.online);

  test('online while any node holds a session: announced once on the first, offline after the last', async () => {
    const [a, b, c] = nodes as [RedisPresence, RedisPresence, RedisPresence];
    a.userConnected(bob.id);
    await until(() => heard.length === 1);
    b.userConnected(bob.id);
    await wait(50);
    expect(await c.describe([bob.id])).toEqual([{ user: bob.id, online: true }]);
    a.userDisconnected(bob.id);
    await wait(GRACE_MS * 3);
    expect(onlineStates()).toEqual([true]);
    expect(await c.describe([bob.id])).toEqual([{ user: bob.id, online: true }]);
    b.userDisconnected(bob.id);
    await until(() => heard.length === 2);
    expect(onlineStates()).toEqual([true, false]);
    const [described] = await c.describe([bob.id]);
    expect(described).toEqual({ user: bob.id, online: false, lastSeen: heard[1]?.lastSeen });
  });

  test('a node that dies without a word has its users shown offline within a few heartbeats', async () => {
    const [a, b] = nodes as [RedisPresence, RedisPresence];
    a.userConnected(bob.id);
    b.userConnected(alice.id);
    await until(() => heard.length === 1);
    const died = Date.now();
    a.abandon();
    await until(() => heard.length === 2, 5_000);
    const took = Date.now() - died;
    expect(heard[1]).toMatchObject({ user: bob.id, online: false });
    // The key expires after 3 heartbeats; the next heartbeat of a live node notices.
    expect(took).toBeLessThan(HEARTBEAT_MS * 6 + 500);
    expect(await b.describe([bob.id, alice.id])).toEqual([
      { user: bob.id, online: false, lastSeen: heard[1]?.lastSeen },
      { user: alice.id, online: true },
    ]);
  });

  test('after a Redis restart (which keeps nothing) every node registers its users again', async () => {
    const own = await RedisServer.start();
    const prefix = `restart-${++run}:`;
    const a = new RedisPresence(store, fanout, await link(prefix, own), { graceMs: GRACE_MS, heartbeatMs: HEARTBEAT_MS }, log);
    const b = new RedisPresence(store, fanout, await link(prefix, own), { graceMs: GRACE_MS, heartbeatMs: HEARTBEAT_MS }, log);
    try {
      a.userConnected(bob.id);
      await until(() => heard.length === 1);
      await own.kill();
      await own.restart();
      await until(async () => (await b.describe([bob.id]))[0]?.online === true, 10_000);
      // Nobody was told Bob went offline meanwhile.
      expect(onlineStates().every((online) => online)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await own.kill();
    }
  });

  test('a node that leaves (shutdown) takes its users offline at once, unless another node holds them', async () => {
    const [a, b, c] = nodes as [RedisPresence, RedisPresence, RedisPresence];
    a.userConnected(bob.id);
    a.userConnected(alice.id);
    b.userConnected(alice.id);
    await until(() => heard.length === 1);
    await a.stop();
    expect(heard.map((frame) => [frame.user, frame.online])).toEqual([[bob.id, true], [bob.id, false]]);
    // Node b registers alice asynchronously (a Redis round trip that may end
    // after a's stop under load): alice must be online once it has, bob never again.
    const states = async () => (await c.describe([alice.id, bob.id])).map((each) => each.online).join();
    await until(async () => (await states()) === 'true,false', 2_000);
    expect(heard.map((frame) => [frame.user, frame.online])).toEqual([[bob.id, true], [bob.id, false]]);
  });
});
