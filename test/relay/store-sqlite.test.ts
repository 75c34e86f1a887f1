// The RelayStore contract on SQLite, plus what only the SQLite store does:
// persistence across reopening, schema versioning, the exclusive lock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import { MIGRATIONS } from '../../relay/store/sqlite-schema.ts';
import { runRelayStoreContract } from './store-contract.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'duplex-store-test-'));
}

runRelayStoreContract('SQLite', async () => {
  const dir = await tempDir();
  const store = openSqliteStore(path.join(dir, 'relay.db'));
  return {
    store,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store specifics', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = path.join(dir, 'nested', 'relay.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('creates the directory, and keeps data across reopening', async () => {
    const first = openSqliteStore(file);
    const alice = await first.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    await first.close();
    const second = openSqliteStore(file);
    expect(await second.userByUsername('alice')).toMatchObject({ id: alice?.id });
    await second.close();
  });

  test('records the schema version and uses WAL with synchronous=FULL', async () => {
    const store = openSqliteStore(file);
    await store.close();
    const db = new DatabaseSync(file);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    db.close();
  });

  test('refuses a database from a newer relay', async () => {
    const db = new DatabaseSync(file.replace('nested/', ''));
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore(file.replace('nested/', ''))).toThrow(/newer than this relay/);
  });

  test('a second relay on the same file fails clearly', async () => {
    const store = openSqliteStore(file);
    expect(() => openSqliteStore(file)).toThrow(/another relay running/);
    await store.close();
  });
});
