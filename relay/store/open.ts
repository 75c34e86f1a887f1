// Which store a relay or an operator command works on: PostgreSQL when
// --database-url is set (docs/scaling.md), else the data directory's SQLite
// file, which the relay opens on a thread of its own (store-thread.ts) and
// an operator command in its own thread. Each is loaded only when chosen:
// the one-command SQLite relay does not load `pg`, and the commands start
// without the relay's modules.
import type { RelayConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { databaseFileIn, openSqliteStore, type StoreRole } from './sqlite.ts';
import type { RelayStore } from './types.ts';

export async function openRelayStore(config: RelayConfig, log?: Logger, role: StoreRole = 'relay'): Promise<RelayStore> {
  if (config.databaseUrl === undefined) {
    const file = databaseFileIn(config.dataDir);
    if (role === 'operator') return openSqliteStore(file, role);
    // On its own thread, so that no fsync stops the event loop (store-thread.ts).
    const [{ openStoreThread }, { STORE_FUNCTIONS }] = await Promise.all([import('./store-thread.ts'), import('../store-functions.ts')]);
    return openStoreThread(file, STORE_FUNCTIONS);
  }
  const { openPostgresStore, redactDatabaseUrl } = await import('./postgres.ts');
  const store = await openPostgresStore(config.databaseUrl, role);
  log?.info({ database: redactDatabaseUrl(config.databaseUrl) }, 'store: PostgreSQL');
  return store;
}
