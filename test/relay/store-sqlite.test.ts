// The RelayStore contract on SQLite, plus what only the SQLite store does:
// persistence across reopening, schema versioning, the owner lock of the
// relay and operator access beside it, backups.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import { OwnerLock } from '../../relay/store/owner-lock.ts';
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

  test('an upgrade counts the sign-ins of the older schema as used now, so that it expires none', async () => {
    // A database as the relay before last-used times left it (schema 2), with a year-old sign-in.
    const old = new DatabaseSync(file.replace('nested/', ''));
    for (const migration of MIGRATIONS.slice(0, 2)) old.exec(migration);
    old.exec('PRAGMA user_version = 2');
    old.exec(`INSERT INTO users (id, username, display_name, display_name_lower, password_hash, created_at)
              VALUES ('u1', 'alice', 'Alice', 'alice', 'h', 1)`);
    old.exec(`INSERT INTO tokens (token_hash, user_id, created_at) VALUES ('old-token', 'u1', ${Date.now() - 365 * 86_400_000})`);
    old.close();
    const before = Date.now();
    const store = openSqliteStore(file.replace('nested/', ''));
    const owner = await store.tokenOwner('old-token');
    expect(owner?.user.username).toBe('alice');
    expect(owner?.lastUsedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(owner?.lastUsedAt).toBeLessThanOrEqual(Date.now());
    await store.close();
  });

  test('a delete leaves its text neither in free pages nor in the WAL, even while an operator holds the database open', async () => {
    const store = openSqliteStore(file);
    const alice = await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    const bob = await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'h' }, 1);
    if (!alice || !bob) throw new Error('users');
    const conv = (await store.openDirect(alice.id, bob.id, 1)).conversation.id;
    const secret = `secret-${'s'.repeat(40)}`;
    const edit = `edit-${'e'.repeat(40)}`;
    const judge = () => null;
    await store.appendMessages([{ sender: alice.id, conv, cid: 'cid-secret', body: secret }], judge, 2);
    await store.appendMessages([{ sender: alice.id, conv, cid: 'cid-edit', body: edit, kind: 'edit', target: 1 }], judge, 3);
    // An operator command beside the relay: SQLite does not remove the WAL while it is open.
    const operator = openSqliteStore(file, 'operator');
    const holding = (needle: string) =>
      [file, `${file}-wal`].filter((each) => existsSync(each) && readFileSync(each).includes(Buffer.from(needle)));
    expect(holding(secret)).not.toEqual([]);
    await store.appendMessages([{ sender: alice.id, conv, cid: 'cid-delete', body: '', kind: 'delete', target: 1 }], judge, 4);
    // Right after the delete's commit, before any close.
    expect(holding(secret)).toEqual([]);
    expect(holding(edit)).toEqual([]);
    expect(statSync(`${file}-wal`).size).toBe(0);
    expect((await operator.messagesAfter(conv, 0, 10))[0]).toMatchObject({ body: '', deleted: true });
    await store.close();
    await operator.close();
  });

  test('a reader holding the WAL back keeps the checkpoint pending, and the next batch after it finishes truncates it', async () => {
    const store = openSqliteStore(file);
    const alice = await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    const bob = await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'h' }, 1);
    if (!alice || !bob) throw new Error('users');
    const conv = (await store.openDirect(alice.id, bob.id, 1)).conversation.id;
    const secret = `secret-${'r'.repeat(40)}`;
    const judge = () => null;
    await store.appendMessages([{ sender: alice.id, conv, cid: 'cid-secret', body: secret }], judge, 2);
    // An operator command in the middle of a read (a backup, say).
    const reader = new DatabaseSync(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM messages').get();
    await store.appendMessages([{ sender: alice.id, conv, cid: 'cid-delete', body: '', kind: 'delete', target: 1 }], judge, 3);
    const walHolds = () => readFileSync(`${file}-wal`).includes(Buffer.from(secret));
    expect(walHolds()).toBe(true);
    reader.exec('COMMIT');
    reader.close();
    await store.appendMessages([{ sender: bob.id, conv, cid: 'cid-later', body: 'later' }], judge, 4);
    expect(walHolds()).toBe(false);
    expect(statSync(`${file}-wal`).size).toBe(0);
    await store.close();
  });

  test('refuses a database from a newer relay', async () => {
    const db = new DatabaseSync(file.replace('nested/', ''));
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore(file.replace('nested/', ''))).toThrow(/newer than this relay/);
  });

  test('a second relay on the same file fails clearly; closing releases the lock', async () => {
    const store = openSqliteStore(file);
    expect(() => openSqliteStore(file)).toThrow(/another relay running/);
    await store.close();
    const again = openSqliteStore(file);
    await again.close();
  });

  test('an operator works beside the relay: both see each other\'s writes', async () => {
    const relay = openSqliteStore(file);
    const operator = openSqliteStore(file, 'operator');
    const alice = await operator.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    expect(await relay.userByUsername('alice')).toMatchObject({ id: alice?.id });
    await relay.addToken('t', alice?.id as string, 2);
    expect(await operator.revokeAllTokens()).toBe(1);
    expect(await relay.existingTokens(['t'])).toEqual(new Set());
    // An operator takes no lock: the relay keeps it.
    expect(OwnerLock.tryAcquire(file)).toBeUndefined();
    await operator.close();
    await relay.close();
  });

  test('an operator neither creates nor migrates a database', async () => {
    expect(() => openSqliteStore(file, 'operator')).toThrow(/no database at .*relay\.db: check --data/);
    expect(await readdir(dir)).toEqual([]);
    const old = path.join(dir, 'old.db');
    const db = new DatabaseSync(old);
    db.exec('PRAGMA user_version = 1');
    db.close();
    expect(() => openSqliteStore(old, 'operator')).toThrow(/schema version 1, this version of the relay needs \d+: start the relay/);
    const newer = new DatabaseSync(path.join(dir, 'newer.db'));
    newer.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    newer.close();
    expect(() => openSqliteStore(path.join(dir, 'newer.db'), 'operator')).toThrow(/newer than this relay/);
  });

  test('backs up to a new file only, verified, private, with the data and schema version', async () => {
    const store = openSqliteStore(file);
    await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    const target = path.join(dir, 'backup.db');
    expect(store.backupTo(target)).toEqual({ file: target, bytes: expect.any(Number), schemaVersion: MIGRATIONS.length });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(() => store.backupTo(target)).toThrow(/already exists/);
    expect(() => store.backupTo(path.join(dir, 'missing', 'backup.db'))).toThrow(/directory .*missing does not exist/);
    await store.close();
    expect((await readdir(dir)).filter((name) => name.includes('partial'))).toEqual([]);
    const copy = openSqliteStore(target);
    expect(await copy.userByUsername('alice')).toMatchObject({ displayName: 'Alice' });
    await copy.close();
  });
});
