// The Redis rate limits against the RateLimits contract (each test its own
// keys on a private redis-server), then what only a cluster has: two nodes
// drawing on one count, the socket cap freed by a dead node, and the
// fallback to the node's own limits while Redis is away.
import { describe, expect, test } from 'vitest';
import { createRedisRateLimits } from '../../relay/cluster/redis-rate-limits.ts';
import { DEFAULT_LIMITS } from '../../relay/limits.ts';
import { createLogger } from '../../relay/log.ts';
import { runRateLimitsContract } from './rate-limits-contract.ts';
import { RedisServer, redisForThisFile, until } from './support/redis-server.ts';

const log = createLogger('silent');
const { link } = redisForThisFile();
let run = 0;

runRateLimitsContract('redis', async (limits, clock) => createRedisRateLimits(await link(`contract-${++run}:`), limits, true, log, clock));

describe('Redis rate limits across nodes', () => {
  test('two nodes draw on one send bucket and one failed-login window', async () => {
    const prefix = `shared-${++run}:`;
    const limits = { ...DEFAULT_LIMITS, sendBurst: 3, sendsPerSecond: 1, failedLoginsPerUsername: 2 };
    const a = createRedisRateLimits(await link(prefix), limits, true, log);
    const b = createRedisRateLimits(await link(prefix), limits, true, log);
    expect([await a.sends.take('alice'), await b.sends.take('alice'), await a.sends.take('alice')]).toEqual([true, true, true]);
    expect(await b.sends.take('alice')).toBe(false);
    expect((await a.failedLoginsByUsername.attempt('alice')).retryAfterMs).toBe(0);
    expect((await b.failedLoginsByUsername.attempt('alice')).retryAfterMs).toBe(0);
    expect((await a.failedLoginsByUsername.attempt('alice')).retryAfterMs).toBeGreaterThan(0);
  });

  test('the socket cap counts every node’s sockets, and a dead node’s stop counting', async () => {
    const prefix = `slots-${++run}:`;
    const limits = { ...DEFAULT_LIMITS, socketsPerUser: 2 };
    const [linkA, linkB] = [await link(prefix), await link(prefix)];
    const a = createRedisRateLimits(linkA, limits, true, log);
    const b = createRedisRateLimits(linkB, limits, true, log);
    // A node counts as alive while its heartbeat key exists (redis-presence.ts).
    await linkA.commands.set(linkA.key('node', linkA.nodeId), '1', 'PX', 300);
    await linkB.commands.set(linkB.key('node', linkB.nodeId), '1', 'PX', 10_000);
    expect(await a.sockets.acquire('alice')).toBe(true);
    expect(await b.sockets.acquire('alice')).toBe(true);
    expect(await b.sockets.acquire('alice')).toBe(false);
    expect(await a.sockets.acquire('alice')).toBe(false);
    // Node A dies: its heartbeat key expires, and its socket no longer counts.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.sockets.acquire('alice')).toBe(true);
    expect(await b.sockets.acquire('alice')).toBe(false);
  });

  test('while Redis is away each node applies the limits alone, and keeps serving', async () => {
    const own = await RedisServer.start();
    const node = await link('away:', own);
    const limits = createRedisRateLimits(node, { ...DEFAULT_LIMITS, sendBurst: 2, socketsPerUser: 1 }, true, log);
    expect(await limits.sends.take('alice')).toBe(true);
    await own.kill();
    await until(() => !node.isUp);
    // The node's own bucket: full, as it never counted the send Redis did.
    expect([await limits.sends.take('alice'), await limits.sends.take('alice'), await limits.sends.take('alice')]).toEqual([true, true, false]);
    expect(await limits.sockets.acquire('bob')).toBe(true);
    expect(await limits.sockets.acquire('bob')).toBe(false);
  });
});
