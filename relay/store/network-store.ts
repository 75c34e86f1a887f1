// A store over the network (PostgreSQL), whose server the relay's health
// check probes (dependency-health.ts). The probe is keyed by a symbol, not a
// name: the SQLite store's thread proxy (store-thread.ts) answers every
// method name, and would pass for a network store.
import type { RelayStore } from './types.ts';

export const HEALTH_PROBE: unique symbol = Symbol('duplex.store.healthProbe');

export interface NetworkStore extends RelayStore {
  /** Resolves when the server answers. */
  [HEALTH_PROBE](): Promise<void>;
}

export function isNetworkStore(store: RelayStore): store is NetworkStore {
  return typeof (store as Partial<NetworkStore>)[HEALTH_PROBE] === 'function';
}
