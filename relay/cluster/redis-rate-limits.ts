// The relay's rate limits and socket cap counted cluster-wide in Redis
// (relay/rate-limit.ts is the contract), each check-and-count one small Lua
// script, so that nodes racing on one key cannot both pass:
//
//   bucket:NAME:KEY   token bucket: a hash of tokens and last update
//   window:NAME:KEY   sliding window: a sorted set of attempt times
//   slots:USER        sockets: a hash of node id → sockets on that node;
//                     nodes whose heartbeat expired (redis-presence.ts) no
//                     longer count
//
// Times come from the relay's clock (passed to the scripts), so that the
// contract suite can run on a fake one; nodes keep their clocks in step
// with NTP as any cluster does. While Redis is unreachable each node falls
// back to its own in-memory limiters: limits then hold per node, as
// without Redis, and the node keeps serving.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Limits } from '../limits.ts';
import type { Logger } from '../log.ts';
import {
  type BucketLimiter,
  type Clock,
  CountedSlots,
  createRateLimits,
  type RateLimits,
  type SlotLimiter,
  unlimitedRates,
  type WindowLimiter,
} from '../rate-limit.ts';
import type { RedisLink } from './redis-link.ts';

/** KEYS: bucket. ARGV: capacity, tokens per ms, now, cost (1 take, -1 give back). 1 when allowed. */
const BUCKET = `
local capacity, rate, now, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, at = capacity, now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
if cost < 0 or tokens >= cost then
  tokens = math.min(capacity, tokens - cost)
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return allowed`;

/**
 * KEYS: window. ARGV: limit, window ms, now, attempt id. Counts the attempt
 * and returns 0, or counts nothing and returns the ms until one is allowed.
 */
const WINDOW = `
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  return math.max(1, tonumber(freeing[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0`;

/**
 * KEYS: slots. ARGV: this node, its sockets of the user before this call,
 * the cap, node key prefix, delta (1 acquire, -1 release). Writes this node's
 * count (healing what a Redis outage left behind), drops dead nodes, and for
 * an acquire refuses (0) when the cluster holds the cap already.
 */
const SLOTS = `
local node, mine, cap, delta = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local others = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local other = fields[i]
  if other ~= node then
    if redis.call('EXISTS', ARGV[4] .. other) == 1 then others = others + tonumber(fields[i + 1]) else redis.call('HDEL', KEYS[1], other) end
  end
end
if delta > 0 and others + mine >= cap then return 0 end
local now = math.max(0, mine + delta)
if now == 0 then redis.call('HDEL', KEYS[1], node) else redis.call('HSET', KEYS[1], node, now) end
return 1`;

type LimitRedis = Redis & {
  limitBucket(key: string, capacity: number, perMs: number, now: number, cost: number): Promise<number>;
  limitWindow(key: string, limit: number, windowMs: number, now: number, id: string): Promise<number>;
  limitSlots(key: string, node: string, mine: number, cap: number, nodePrefix: string, delta: number): Promise<number>;
};

export function createRedisRateLimits(link: RedisLink, limits: Limits, enabled: boolean, log: Logger, clock: Clock = Date.now): RateLimits {
  const commands = link.commands;
  commands.defineCommand('limitBucket', { numberOfKeys: 1, lua: BUCKET });
  commands.defineCommand('limitWindow', { numberOfKeys: 1, lua: WINDOW });
  commands.defineCommand('limitSlots', { numberOfKeys: 1, lua: SLOTS });
  const redis = commands as LimitRedis;
  const local = createRateLimits(limits, enabled, clock);
  const shared = { link, redis, log, clock };
  const sockets = redisSlots(shared, limits.socketsPerUser);
  if (!enabled) return unlimitedRates(sockets);
  return {
    sends: redisBucket(shared, 'sends', limits.sendBurst, limits.sendsPerSecond, local.sends),
    conversationChanges: redisBucket(
      shared,
      'conversation-changes',
      limits.conversationChangeBurst,
      limits.conversationChangesPerMinute / 60,
      local.conversationChanges,
    ),
    failedLoginsByUsername: redisWindow(shared, 'failed-logins-user', limits.failedLoginsPerUsername, limits.failedLoginWindowMs, local.failedLoginsByUsername),
    failedLoginsByAddress: redisWindow(shared, 'failed-logins-address', limits.failedLoginsPerAddress, limits.failedLoginWindowMs, local.failedLoginsByAddress),
    registrationsByAddress: redisWindow(shared, 'registrations-address', limits.registrationsPerAddress, limits.registrationWindowMs, local.registrationsByAddress),
    uploads: redisBucket(shared, 'uploads', limits.uploadBurst, limits.uploadsPerMinute / 60, local.uploads),
    sockets,
  };
}

interface Shared {
  link: RedisLink;
  redis: LimitRedis;
  log: Logger;
  clock: Clock;
}

/** Runs `remote` while Redis is up, else (or when it fails) `fallback`: the node's own limiter. */
async function withFallback<T>(shared: Shared, remote: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  if (!shared.link.isUp) return fallback();
  try {
    return await remote();
  } catch (error) {
    shared.log.warn({ err: error }, 'rate limit check in redis failed; this node decides alone');
    return fallback();
  }
}

function redisBucket(shared: Shared, name: string, capacity: number, perSecond: number, fallback: BucketLimiter): BucketLimiter {
  const { link, redis, clock } = shared;
  const run = (key: string, cost: number) => redis.limitBucket(link.key('bucket', name, key), capacity, perSecond / 1000, clock(), cost);
  return {
    take: (key) =>
      withFallback(
        shared,
        async () => (await run(key, 1)) === 1,
        () => fallback.take(key),
      ),
    giveBack(key) {
      if (link.isUp) run(key, -1).catch(() => {});
      else fallback.giveBack(key);
    },
  };
}

function redisWindow(shared: Shared, name: string, limit: number, windowMs: number, fallback: WindowLimiter): WindowLimiter {
  const { link, redis, clock } = shared;
  return {
    attempt: (key) =>
      withFallback(
        shared,
        async () => {
          const windowKey = link.key('window', name, key);
          const id = randomUUID();
          const retryAfterMs = await redis.limitWindow(windowKey, limit, windowMs, clock(), id);
          const undo = () => void redis.zrem(windowKey, id).catch(() => {});
          return retryAfterMs > 0 ? { retryAfterMs, undo: () => {} } : { retryAfterMs: 0, undo };
        },
        () => fallback.attempt(key),
      ),
  };
}

/**
 * This node's sockets per user are counted here too: they are what the node
 * writes as its share (so that a count an outage left wrong heals on the
 * next change) and what it falls back on without Redis.
 */
function redisSlots(shared: Shared, cap: number): SlotLimiter {
  const { link, redis } = shared;
  const mine = new CountedSlots(cap);
  const run = (key: string, held: number, delta: number) =>
    redis.limitSlots(link.key('slots', key), link.nodeId, held, cap, link.key('node', ''), delta);
  return {
    async acquire(key) {
      // Reserved here first, so that two sessions starting at once on this node count each other.
      if (!mine.acquire(key)) return false;
      const before = mine.held(key) - 1;
      const allowed = await withFallback(shared, async () => (await run(key, before, 1)) === 1, async () => true);
      if (!allowed) mine.release(key);
      return allowed;
    },
    release(key) {
      const held = mine.held(key);
      mine.release(key);
      if (link.isUp) run(key, held, -1).catch(() => {});
    },
  };
}
