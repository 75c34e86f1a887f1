// The RelayStore contract on PostgreSQL (the same suite as SQLite), plus what
// only the PostgreSQL store does: migrations under an advisory lock when
// several nodes start at once on an empty database, the schema version
// checks, and a pool that survives the server dropping its connections in
// the middle of traffic. Real server on 127.0.0.1:5432, a database of this
// file's own (support/postgres.ts).
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../relay/store/postgres.ts';
import { POSTGRES_MIGRATIONS } from '../../relay/store/postgres-schema.ts';
import type { AppendOutcome, MessageDraft } from '../../relay/store/types.ts';
import { runRelayStoreContract } from './store-contract.ts';
import { createTestDatabase, type TestDatabase, terminateConnections, truncateRelayTables } from '../helpers/postgres.ts';

let contractDatabase: TestDatabase | undefined;

afterAll(async () => {
  await contractDatabase?.drop();
});

runRelayStoreContract('PostgreSQL', async () => {
  contractDatabase ??= await createTestDatabase();
  const { url } = contractDatabase;
  const store = await openPostgresStore(url);
  // Each test starts empty: the schema stays, the rows go.
  await truncateRelayTables(url);
  return {
    store,
    async dispose() {
      await store.close();
    },
  };
});

describe('PostgreSQL store specifics', () => {
  let database: TestDatabase;
  const open: PostgresStore[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await database.drop();
  });

  async function openStore(role: 'relay' | 'operator' = 'relay', applicationName?: string): Promise<PostgresStore> {
    const store = await openPostgresStore(database.url, role, { applicationName });
    open.push(store);
    return store;
  }

  test('several nodes starting at once on an empty database migrate it once and all work', async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore(fresh.url)));
      open.push(...stores);
      const { rows } = await fresh.admin('SELECT 1');
      expect(rows).toHaveLength(1);
      const versions = await Promise.all(
        stores.map(async (store, i) => {
          const created = await store.createUser({ username: `user${i}`, displayName: `U${i}`, passwordHash: 'h' }, 1);
          return created?.username;
        }),
      );
      expect(versions).toEqual(stores.map((_, i) => `user${i}`));
      const recorded = await queryOn(fresh.url, 'SELECT version FROM duplex_schema_migrations ORDER BY version');
      expect(recorded.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
      await Promise.all(open.splice(0).map((store) => store.close()));
    } finally {
      await fresh.drop();
    }
  });

  test('an operator needs the current schema and neither creates nor migrates one', async () => {
    const fresh = await createTestDatabase();
    try {
      await expect(openPostgresStore(fresh.url, 'operator')).rejects.toThrow(
        /has schema version 0, this version of the relay needs \d+: start the relay/,
      );
      expect(await queryOn(fresh.url, "SELECT to_regclass('users') AS users")).toEqual([{ users: null }]);
    } finally {
      await fresh.drop();
    }
  });

  test('refuses a database of a newer relay', async () => {
    await (await openStore()).close();
    await queryOn(database.url, 'INSERT INTO duplex_schema_migrations (version) VALUES ($1)', [POSTGRES_MIGRATIONS.length + 1]);
    try {
      await expect(openPostgresStore(database.url)).rejects.toThrow(/newer than this relay/);
      await expect(openPostgresStore(database.url, 'operator')).rejects.toThrow(/newer than this relay/);
    } finally {
      await queryOn(database.url, 'DELETE FROM duplex_schema_migrations WHERE version = $1', [POSTGRES_MIGRATIONS.length + 1]);
    }
  });

  test('an unreachable server fails the open clearly', async () => {
    await expect(openPostgresStore('postgres://postgres@127.0.0.1:1/nothing')).rejects.toThrow(/ECONNREFUSED/);
  });

  test('survives pg_terminate_backend mid-traffic: calls fail or succeed, the log stays gapless, nothing is stored twice', async () => {
    const store = await openStore('relay', 'duplex-terminate-test');
    await truncateRelayTables(database.url);
    const alice = await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    const bob = await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'h' }, 1);
    if (!alice || !bob) throw new Error('users not created');
    const conv = (await store.openDirect(alice.id, bob.id, 1)).conversation.id;
    const draft = (cid: string, sender = cid.startsWith('a') ? alice.id : bob.id): MessageDraft => ({ sender, conv, cid, body: cid });

    // Four writers send batches while the server's processes of this store
    // are terminated every few milliseconds.
    const failed: string[] = [];
    const storedCids: string[] = [];
    let terminations = 0;
    let running = true;
    const killer = (async () => {
      while (running) {
        terminations += await terminateConnections(database, 'duplex-terminate-test');
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let round = 0; round < 40; round++) {
        const cids = [0, 1, 2].map((i) => `${writer % 2 ? 'b' : 'a'}-${writer}-${round}-${i}`);
        try {
          const outcomes = await store.appendMessages(cids.map((cid) => draft(cid)), () => null, 2);
          for (const outcome of outcomes) if (outcome.kind === 'stored') storedCids.push(outcome.message.cid);
        } catch {
          failed.push(...cids);
        }
      }
    });
    await Promise.all(writers);
    running = false;
    await killer;
    expect(terminations).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);

    // The store recovers by itself: the failed sends, resent as clients
    // would (same cid), are stored now or found already stored (a commit
    // whose answer was lost), never twice.
    const resent: AppendOutcome[] = await store.appendMessages(failed.map((cid) => draft(cid)), () => null, 3);
    expect(resent.every((outcome) => outcome.kind === 'stored' || outcome.kind === 'duplicate')).toBe(true);
    const log = await store.messagesAfter(conv, 0, 10_000);
    expect(log.map((message) => message.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log).toHaveLength(4 * 40 * 3);
    expect(new Set(log.map((message) => message.cid)).size).toBe(log.length);
    for (const cid of storedCids) expect(log.some((message) => message.cid === cid)).toBe(true);
    expect((await store.conversation(conv))?.lastSeq).toBe(log.length);
  });
});

async function queryOn(url: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}
