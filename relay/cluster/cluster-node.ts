// What makes a relay process one node of a cluster (--redis-url,
// docs/scaling.md): its Redis link, and the shared implementations of the
// relay's seams built on it (fan-out, presence, rate limits), with their
// metrics: per node (is Redis up, events crossing it) and for the cluster
// (live nodes, users online anywhere), the latter read from Redis when
// /metrics is scraped.
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Fanout } from '../fanout.ts';
import type { Limits } from '../limits.ts';
import type { Logger } from '../log.ts';
import type { Presence } from '../presence.ts';
import type { RateLimits } from '../rate-limit.ts';
import type { RelayStore } from '../store/types.ts';
import { RedisFanout } from './redis-fanout.ts';
import { RedisLink } from './redis-link.ts';
import { RedisPresence } from './redis-presence.ts';
import { createRedisRateLimits } from './redis-rate-limits.ts';

/** KEYS: nodes. ARGV: prefix. Live nodes, and distinct users held by them. */
const CLUSTER_SIZE = `
local live, users, seen = 0, 0, {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'node:' .. node) == 1 then
    live = live + 1
    for _, user in ipairs(redis.call('SMEMBERS', ARGV[1] .. 'nodeusers:' .. node)) do
      if not seen[user] then seen[user] = true; users = users + 1 end
    end
  end
end
return {live, users}`;

type SizeRedis = Redis & { clusterSize(nodesKey: string, prefix: string): Promise<[number, number]> };

export interface ClusterNodeOptions {
  redisUrl: string;
  /** Prefix of every Redis key and channel (tests give each cluster its own). */
  prefix?: string;
  limits: Limits;
  registry: Registry;
  log: Logger;
}

export class ClusterNode {
  readonly link: RedisLink;
  readonly fanout: Fanout;
  readonly #limits: Limits;
  readonly #log: Logger;

  constructor({ redisUrl, prefix, limits, registry, log }: ClusterNodeOptions) {
    this.#limits = limits;
    this.#log = log;
    this.link = new RedisLink({ url: redisUrl, prefix, log: log.child({ module: 'redis' }) });
    const link = this.link;
    const events = new Counter({
      name: 'duplex_cluster_events_total',
      help: 'Fan-out events crossing Redis: received from other nodes, not published (Redis away), malformed (ignored)',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    const [received, unpublished, malformed] = ['received', 'unpublished', 'malformed'].map((result) => events.labels(result));
    this.fanout = new RedisFanout(link, log.child({ module: 'fanout' }), {
      received: () => received?.inc(),
      unpublished: () => unpublished?.inc(),
      malformed: () => malformed?.inc(),
    });
    new Gauge({
      name: 'duplex_redis_up',
      help: 'Whether this node reaches Redis (1) or serves its own sockets alone (0)',
      registers: [registry],
      collect() {
        this.set(link.isUp ? 1 : 0);
      },
    });
    link.commands.defineCommand('clusterSize', { numberOfKeys: 1, lua: CLUSTER_SIZE });
    const sizeOf = async (): Promise<[number, number] | undefined> =>
      link.isUp ? (link.commands as SizeRedis).clusterSize(link.key('nodes'), link.prefix).catch(() => undefined) : undefined;
    new Gauge({
      name: 'duplex_cluster_nodes',
      help: 'Relay nodes alive in the cluster (heartbeat not expired), as Redis sees it',
      registers: [registry],
      async collect() {
        const size = await sizeOf();
        if (size) this.set(size[0]);
      },
    });
    new Gauge({
      name: 'duplex_cluster_users_online',
      help: 'Users with a session on any live node of the cluster',
      registers: [registry],
      async collect() {
        const size = await sizeOf();
        if (size) this.set(size[1]);
      },
    });
    link.connect();
  }

  presence(store: RelayStore, fanout: Fanout): Presence {
    const { presenceGraceMs, nodeHeartbeatMs } = this.#limits;
    return new RedisPresence(store, fanout, this.link, { graceMs: presenceGraceMs, heartbeatMs: nodeHeartbeatMs }, this.#log.child({ module: 'presence' }));
  }

  rateLimits(enabled: boolean): RateLimits {
    return createRedisRateLimits(this.link, this.#limits, enabled, this.#log.child({ module: 'rate-limits' }));
  }

  /** Unhealthy once Redis has been unreachable for redisDownHealthMs (/healthz answers 503). */
  get isHealthy(): boolean {
    return this.link.isUp || this.link.downForMs() < this.#limits.redisDownHealthMs;
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
