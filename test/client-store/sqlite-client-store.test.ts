// The SQLite ClientStore: the shared contract, plus what only SQLite has
// (one file per user, WAL, migrations by user_version, index use).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANGES_TO, MIGRATIONS, sqliteClientStoreOpener } from '../../src/main/store/sqlite-client-store.ts';
import { describeClientStoreContract } from './contract.ts';

const root = mkdtempSync(path.join(tmpdir(), 'duplex-sqlite-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let directories = 0;
function freshDirectory(): string {
  return path.join(root, `case-${++directories}`);
}

describeClientStoreContract('SQLite', () => {
  const directory = freshDirectory();
  return {
    open: sqliteClientStoreOpener(directory),
    openWithFileCache: (userId, fileCacheBytes) => sqliteClientStoreOpener(directory, { fileCacheBytes })(userId),
  };
});

/** A user's database file as the app of an older schema version left it,
 * in a fresh directory, open for the test to fill. */
function oldFile(version: number): { directory: string; old: DatabaseSync } {
  const directory = freshDirectory();
  mkdirSync(directory, { recursive: true });
  // The name the opener gives the user's file.
  const file = path.join(directory, `user-${createHash('sha256').update('me').digest('hex').slice(0, 32)}.db`);
  const old = new DatabaseSync(file);
  for (const migration of MIGRATIONS.slice(0, version)) old.exec(migration);
  old.exec(`PRAGMA user_version = ${version}`);
  return { directory, old };
}

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

  it('carries the queued messages of the first schema over as send jobs, in order', async () => {
    // A file as the app of schema version 1 left it, with its outbox.
    const { directory, old } = oldFile(1);
    const insert = old.prepare(
      'INSERT INTO outbox (cid, conv, body, reply_to, created_at, state, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('cid-b', 'c1', 'second line\n✓', 4, 2_000, 'queued', null);
    insert.run('cid-a', 'c2', 'refused', null, 1_000, 'failed', 'too long');
    insert.run('cid-c', 'c1', 'third', null, 3_000, 'queued', null);
    old.close();

    const store = await sqliteClientStoreOpener(directory)('me');
    expect(await store.listOutbox()).toEqual([
      { kind: 'send', cid: 'cid-b', conv: 'c1', body: 'second line\n✓', replyTo: 4, createdAt: 2_000, state: 'queued' },
      { kind: 'send', cid: 'cid-a', conv: 'c2', body: 'refused', createdAt: 1_000, state: 'failed', error: 'too long' },
      { kind: 'send', cid: 'cid-c', conv: 'c1', body: 'third', createdAt: 3_000, state: 'queued' },
    ]);
    await store.addToOutbox({ kind: 'send', cid: 'cid-d', conv: 'c1', body: 'new', createdAt: 4_000, state: 'queued' });
    expect((await store.listOutbox('c1')).map((job) => job.cid)).toEqual(['cid-b', 'cid-c', 'cid-d']);
    await store.close();
  });

  it('gives conversations stored before chat state the defaults, keeping everything else', async () => {
    const directory = freshDirectory();
    await (await sqliteClientStoreOpener(directory)('me')).close();
    const file = path.join(directory, readdirSync(directory).find((f) => f.endsWith('.db'))!);
    rmSync(file);
    // A file as the app before the chat state migration left it.
    const before = MIGRATIONS.findIndex((migration) => migration.includes('chat_state'));
    const old = new DatabaseSync(file);
    for (const migration of MIGRATIONS.slice(0, before)) old.exec(migration);
    old.exec(`PRAGMA user_version = ${before}`);
    old
      .prepare(
        `INSERT INTO conversations (id, kind, title, members, created_at, last_seq, receipts, cursor, read_up_to,
           has_more_history, draft, last_activity) VALUES ('c1', 'group', 'Team', '[]', 1, 7, '{}', 7, 6, 0, 'draft', 9)`,
      )
      .run();
    old.close();

    const store = await sqliteClientStoreOpener(directory)('me');
    expect(await store.listConversations()).toEqual([
      {
        id: 'c1',
        kind: 'group',
        title: 'Team',
        members: [],
        createdAt: 1,
        lastSeq: 7,
        receipts: {},
        cursor: 7,
        readUpTo: 6,
        hasMoreHistory: false,
        draft: 'draft',
        lastActivity: 9,
        chatState: { pinned: false, archived: false, mutedUntil: null },
        pendingChatState: null,
      },
    ]);
    await store.close();
  });

  it('carries the messages of the second schema over, ready for changes to fold into', async () => {
    // A file as the app of schema version 2 left it: messages without state.
    const { directory, old } = oldFile(2);
    const insert = old.prepare('INSERT INTO messages (conv, seq, cid, sender, body, ts, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?)');
    insert.run('c1', 1, 'cid-one', 'bob', 'hello', 100, null);
    insert.run('c1', 2, 'cid-two', 'me', 'reply', 200, 1);
    old.close();

    const store = await sqliteClientStoreOpener(directory)('me');
    expect(await store.getMessages('c1', { limit: 10 })).toEqual([
      { conv: 'c1', seq: 1, cid: 'cid-one', from: 'bob', body: 'hello', ts: 100 },
      { conv: 'c1', seq: 2, cid: 'cid-two', from: 'me', body: 'reply', ts: 200, replyTo: 1 },
    ]);
    await store.putMessages([{ conv: 'c1', seq: 3, cid: 'cid-three', from: 'me', body: 'fixed', ts: 300, kind: 'edit', target: 2 }]);
    expect(await store.getMessage('c1', 2)).toEqual({ conv: 'c1', seq: 2, cid: 'cid-two', from: 'me', body: 'fixed', ts: 200, replyTo: 1, editedAt: 300 });
    await store.close();
  });

  it('indexes the messages stored before search existed, once, when migrating', async () => {
    const directory = freshDirectory();
    await (await sqliteClientStoreOpener(directory)('me')).close();
    const file = path.join(directory, readdirSync(directory).find((f) => f.endsWith('.db'))!);
    rmSync(file);
    const searchMigration = MIGRATIONS.findIndex((sql) => sql.includes('CREATE VIRTUAL TABLE message_search'));
    const old = new DatabaseSync(file);
    for (const sql of MIGRATIONS.slice(0, searchMigration)) old.exec(sql);
    old.exec(`PRAGMA user_version = ${searchMigration}`);
    const insert = old.prepare('INSERT INTO messages (conv, seq, cid, sender, body, ts) VALUES (?, ?, ?, ?, ?, ?)');
    old.exec('BEGIN');
    for (let seq = 1; seq <= 300; seq++) insert.run('c1', seq, `cid-${seq}`, 'bob', seq % 100 === 0 ? `milestone ${seq}` : `chatter ${seq}`, seq);
    old.exec('COMMIT');
    old.close();

    const store = await sqliteClientStoreOpener(directory)('me');
    expect((await store.searchMessages('milestone', 10)).map((m) => m.seq)).toEqual([300, 200, 100]);
    expect(await store.searchMessages('chatter', 1_000)).toHaveLength(297);
    expect(await store.getMessages('c1', { limit: 1_000 })).toHaveLength(300);
    await store.close();
  });

  it('searches through the FTS5 index, not a scan of the messages', async () => {
    const directory = freshDirectory();
    await (await sqliteClientStoreOpener(directory)('me')).close();
    const db = new DatabaseSync(path.join(directory, readdirSync(directory).find((f) => f.endsWith('.db'))!));
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT m.body
         FROM (SELECT rowid FROM message_search WHERE message_search MATCH '"a"*' ORDER BY rowid DESC LIMIT 5) s
         JOIN message_search_keys k ON k.id = s.rowid
         JOIN messages m ON m.conv = k.conv AND m.seq = k.seq ORDER BY k.id DESC`,
      )
      .all()
      .map((row) => String(row.detail))
      .join('\n');
    // FTS5 hands the matches over newest first, so nothing sorts all of
    // them: its plan's number has the "by rowid" (0x40) and "descending"
    // (0x80) bits (fts5_main.c, FTS5_BI_ORDER_ROWID and FTS5_BI_ORDER_DESC).
    const ftsPlan = /SCAN message_search VIRTUAL TABLE INDEX (\d+):M/.exec(plan);
    expect(Number(ftsPlan?.[1]) & 0xc0).toBe(0xc0);
    expect(plan).not.toMatch(/SCAN (m|messages|k|message_search_keys)\b/);
    db.close();
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
    expect(plan("SELECT * FROM outbox WHERE conv = 'c' AND kind IN ('send', 'upload') ORDER BY position DESC LIMIT 1")).toMatch(
      /SEARCH outbox USING INDEX outbox_by_conv \(conv=\?\)/,
    );
    // Settling a message gives its waiting changes its seq, and a summary
    // reads them, with one lookup each, not a walk over the outbox.
    expect(plan(`SELECT * FROM outbox WHERE ${CHANGES_TO} ORDER BY position`)).toMatch(
      /SEARCH outbox USING INDEX outbox_changes_by_target \(conv=\? AND <expr>=\?\)/,
    );
    expect(plan(`UPDATE outbox SET payload = json_set(payload, '$.target', 1) WHERE ${CHANGES_TO}`)).toMatch(
      /SEARCH outbox USING INDEX outbox_changes_by_target \(conv=\? AND <expr>=\?\)/,
    );
    db.close();
  });

  it('finds the change jobs written before their index existed', async () => {
    const before = MIGRATIONS.findIndex((sql) => sql.includes('outbox_changes_by_target'));
    const { directory, old } = oldFile(before);
    const insert = old.prepare('INSERT INTO outbox (cid, conv, kind, payload, created_at, state) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('send-1', 'c1', 'send', JSON.stringify({ body: 'hi' }), 1_000, 'queued');
    insert.run('edit-1', 'c1', 'edit', JSON.stringify({ targetCid: 'send-1', body: 'hello' }), 1_001, 'queued');
    old.close();

    const store = await sqliteClientStoreOpener(directory)('me');
    expect((await store.listChangesTo('c1', 'send-1')).map((job) => job.cid)).toEqual(['edit-1']);
    await store.settleOutboxJobs(['send-1'], [{ conv: 'c1', seq: 4, cid: 'send-1', from: 'me', body: 'hi', ts: 2_000 }]);
    expect(await store.listOutbox()).toEqual([
      { kind: 'edit', cid: 'edit-1', conv: 'c1', targetCid: 'send-1', target: 4, body: 'hello', createdAt: 1_001, state: 'queued' },
    ]);
    await store.close();
  });
});
