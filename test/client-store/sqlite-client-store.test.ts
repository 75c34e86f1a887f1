// The SQLite ClientStore: the shared contract, plus what only SQLite has
// (one file per user, WAL, migrations by user_version, index use).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, sqliteClientStoreOpener } from '../../src/main/store/sqlite-client-store.ts';
import { describeClientStoreContract } from './contract.ts';

const root = mkdtempSync(path.join(tmpdir(), 'duplex-sqlite-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let directories = 0;
function freshDirectory(): string {
  return path.join(root, `case-${++directories}`);
}

describeClientStoreContract('SQLite', () => ({ open: sqliteClientStoreOpener(freshDirectory()) }));

describe('SQLite ClientStore', () => {
  it('keeps one database file per user, named without the user id', async () => {
    const directory = freshDirectory();
    const open = sqliteClientStoreOpener(directory);
    const stores = [await open('alice@example'), await open('../bob'), await open('alice@example')];
    await Promise.all(stores.map((s) => s.close()));
    const files = readdirSync(directory).filter((f) => f.endsWith('.db'));
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toMatch(/^user-[0-9a-f]{32}\.db$/);
  });

  it('uses WAL and records the schema version', async () => {
    const directory = freshDirectory();
    await (await sqliteClientStoreOpener(directory)('me')).close();
    const db = new DatabaseSync(path.join(directory, readdirSync(directory).find((f) => f.endsWith('.db'))!));
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
    db.close();
  });

  it('refuses a database written by a newer app', async () => {
    const directory = freshDirectory();
    await (await sqliteClientStoreOpener(directory)('me')).close();
    const file = path.join(directory, readdirSync(directory).find((f) => f.endsWith('.db'))!);
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    await expect(sqliteClientStoreOpener(directory)('me')).rejects.toThrow(/newer than this app/);
  });

  it('pages a conversation and lists conversations through indexes, not scans', async () => {
    const directory = freshDirectory();
    await (await sqliteClientStoreOpener(directory)('me')).close();
    const db = new DatabaseSync(path.join(directory, readdirSync(directory).find((f) => f.endsWith('.db'))!));
    const plan = (sql: string) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((row) => String(row.detail))
        .join('\n');
    expect(plan("SELECT * FROM messages WHERE conv = 'c' AND seq < 100 ORDER BY seq DESC LIMIT 50")).toMatch(
      /SEARCH messages USING PRIMARY KEY \(conv=\? AND seq<\?\)/,
    );
    expect(plan('SELECT * FROM conversations ORDER BY last_activity DESC')).toMatch(/SCAN conversations USING INDEX conversations_by_activity/);
    expect(plan("SELECT COUNT(*) FROM messages WHERE conv = 'c' AND seq > 5 AND sender <> 'me'")).toMatch(/SEARCH messages USING PRIMARY KEY/);
    expect(plan("SELECT * FROM messages WHERE conv = 'c' AND sender = 'me' AND seq > 1 AND seq <= 9")).toMatch(/SEARCH messages USING (PRIMARY KEY|INDEX messages_by_sender)/);
    expect(plan("SELECT * FROM outbox WHERE conv = 'c' ORDER BY position DESC LIMIT 1")).toMatch(/USING INDEX outbox_by_conv/);
    db.close();
  });
});
