// Relay nodes of one cluster inside the test process: real relays on their
// own loopback ports, one Redis, and one shared store (a real SQLite file
// standing in for PostgreSQL, which separate processes would share).
import type { RelayStore } from '../../../relay/store/types.ts';
import { startTestRelay, type TestRelay, type TestRelayOptions } from './relay.ts';

/** The store as a node gets it: a node's shutdown must not close it under the others. */
export function sharedStore(target: RelayStore): RelayStore {
  return new Proxy(target, {
    get(object, property) {
      if (property === 'close') return async () => {};
      const value = Reflect.get(object, property) as unknown;
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

let clusters = 0;

/** `count` nodes on `redisUrl` and `store`, with a key prefix of their own; fast heartbeats. */
export function startClusterNodes(count: number, redisUrl: string, store: RelayStore, options: TestRelayOptions = {}): Promise<TestRelay[]> {
  const redisPrefix = `cluster-${process.pid}-${++clusters}:`;
  return Promise.all(
    Array.from({ length: count }, () =>
      startTestRelay({
        rateLimits: false,
        ...options,
        store: sharedStore(store),
        redisUrl,
        redisPrefix,
        limits: { nodeHeartbeatMs: 500, presenceGraceMs: 100, redisDownHealthMs: 300, ...options.limits },
      }),
    ),
  );
}
