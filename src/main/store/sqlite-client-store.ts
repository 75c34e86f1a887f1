// The desktop app's ClientStore: one SQLite file per user through node:sqlite
// (built into Node and Electron, so nothing native to rebuild).
//
// - WAL journal with synchronous=NORMAL: a commit survives the app crashing or
//   being killed (what the restart tests prove); an OS crash or power cut may
//   roll back the last few commits, which the relay's copy and the `hello`
//   cursors (written after the messages they cover) make good again.
// - The schema grows by appending to MIGRATIONS (run by the runner the relay
//   uses too, src/shared/sqlite/migrations.ts); PRAGMA user_version records
//   how many have run. A file written by a newer app is refused, not guessed at.
// - node:sqlite is synchronous; the async methods only fit the ClientStore
//   interface, and every write is committed when its promise resolves.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Message } from '../../shared/protocol/index.ts';
import type {
  ChangeJob,
  ClientStore,
  ClientStoreOpener,
  MessageJob,
  MessageRange,
  OutboxJob,
  OutboxJobKind,
  OutboxJobState,
  StoredConversation,
  UploadJob,
} from '../../shared/store/client-store.ts';
import { FILE_CACHE_BYTES } from '../../shared/store/client-store.ts';
import { migrate } from '../../shared/sqlite/migrations.ts';
import { changeTargets, foldFrame, messageKey, type MessageState } from '../../shared/store/fold-changes.ts';
import { queryWords } from '../../shared/search/search-text.ts';

/** Migration i takes the schema from user_version i to i + 1. Append only. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT,
    members TEXT NOT NULL,          -- JSON array of users
    created_at INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    receipts TEXT NOT NULL,         -- JSON object: user id -> watermarks
    cursor INTEGER NOT NULL,
    read_up_to INTEGER NOT NULL,
    has_more_history INTEGER NOT NULL,
    draft TEXT NOT NULL,
    last_activity INTEGER NOT NULL
  );
  -- The conversation list, most recent activity first.
  CREATE INDEX conversations_by_activity ON conversations (last_activity DESC);

  -- Clustered by (conv, seq), so paging a conversation reads neighbouring pages.
  CREATE TABLE messages (
    conv TEXT NOT NULL,
    seq INTEGER NOT NULL,
    cid TEXT NOT NULL,
    sender TEXT NOT NULL,
    body TEXT NOT NULL,
    ts INTEGER NOT NULL,
    reply_to INTEGER,
    PRIMARY KEY (conv, seq)
  ) WITHOUT ROWID;
  -- One member's messages in a seq range: receipt ticks and unread counts.
  CREATE INDEX messages_by_sender ON messages (conv, sender, seq);

  -- position is the order written (a rowid: only ever grows past the largest).
  CREATE TABLE outbox (
    position INTEGER PRIMARY KEY,
    cid TEXT NOT NULL UNIQUE,
    conv TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_to INTEGER,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
    error TEXT
  );
  CREATE INDEX outbox_by_conv ON outbox (conv, position);
  `,
  `
  -- Outbox entries become typed jobs: \`kind\` says what the job asks of the
  -- relay and \`payload\` holds that kind's own fields as JSON, so a new kind
  -- (edit, delete, react, upload then send) needs no new table. The queued
  -- sends of the first schema carry over as \`send\` jobs in the same order.
  CREATE TABLE outbox_jobs (
    position INTEGER PRIMARY KEY,
    cid TEXT NOT NULL UNIQUE,
    conv TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
    error TEXT
  );
  INSERT INTO outbox_jobs (position, cid, conv, kind, payload, created_at, state, error)
    SELECT position, cid, conv, 'send',
      CASE WHEN reply_to IS NULL THEN json_object('body', body) ELSE json_object('body', body, 'replyTo', reply_to) END,
      created_at, state, error
    FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_jobs RENAME TO outbox;
  CREATE INDEX outbox_by_conv ON outbox (conv, position);
  `,
  `
  -- Pin, archive and mute (docs/engine.md, "Chat state"): the state shown,
  -- and the fields changed here that the relay has not confirmed (JSON, NULL
  -- when none). Conversations stored before start unpinned, unarchived, unmuted.
  ALTER TABLE conversations ADD COLUMN chat_state TEXT NOT NULL
    DEFAULT '{"pinned":false,"archived":false,"mutedUntil":null}';
  ALTER TABLE conversations ADD COLUMN pending_chat_state TEXT;
  `,
  `
  -- Changes to messages fold into their targets (docs/engine.md, "Changes
  -- to messages"): the current state of a message, and the highest seq that
  -- state reflects (a stored message reflects at least its own).
  ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN edited_at INTEGER;
  ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN reactions TEXT; -- JSON object: user id -> emoji
  ALTER TABLE messages ADD COLUMN changed_through INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET changed_through = seq;
  `,
  `
  -- Files (docs/files.md, "The apps' side"): a stored message keeps its
  -- MSG.file as JSON; an upload job's bytes wait in outbox_files until the
  -- relay has them all (in this database, so a job and its bytes are written
  -- in one transaction and never part without the other); downloads are
  -- cached in file_cache, evicted least recently used first (used_at is a
  -- counter, so ties cannot happen) beyond the cache's size cap.
  ALTER TABLE messages ADD COLUMN file TEXT;
  CREATE TABLE outbox_files (
    cid TEXT PRIMARY KEY,
    bytes BLOB NOT NULL
  );
  CREATE TABLE file_cache (
    id TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL,
    used_at INTEGER NOT NULL
  );
  CREATE INDEX file_cache_by_use ON file_cache (used_at);
  `,
  `
  -- Search on the device (docs/engine.md, "Search"): an FTS5 index of the
  -- message bodies. It holds no copy of the text (contentless, with deletes),
  -- and its rowids point into message_search_keys, since messages, clustered
  -- by (conv, seq), has no rowid of its own. Triggers keep it in step with
  -- every write to messages, whoever makes it; the last statements index the
  -- messages stored before this migration.
  --
  -- A key's id is ts * 1,000,000 plus the next free number within that
  -- millisecond, so that ids run in time order and "newest first" is FTS5's
  -- own rowid order: a query stops after the newest matches it needs
  -- instead of sorting every match (one word can be in a fifth of them).
  CREATE TABLE message_search_keys (
    id INTEGER PRIMARY KEY,
    conv TEXT NOT NULL,
    seq INTEGER NOT NULL,
    UNIQUE (conv, seq)
  );
  CREATE VIRTUAL TABLE message_search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
  );
  -- INSERT OR REPLACE fires no delete trigger (recursive_triggers is off), so
  -- the insert trigger drops what an earlier version of the row indexed.
  CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    DELETE FROM message_search
      WHERE rowid = (SELECT id FROM message_search_keys WHERE conv = new.conv AND seq = new.seq);
    DELETE FROM message_search_keys WHERE conv = new.conv AND seq = new.seq;
    INSERT INTO message_search_keys (id, conv, seq)
      SELECT max(new.ts * 1000000, coalesce(max(id) + 1, 0)), new.conv, new.seq FROM message_search_keys
      WHERE id >= new.ts * 1000000 AND id < (new.ts + 1) * 1000000;
    INSERT INTO message_search (rowid, body)
      VALUES ((SELECT id FROM message_search_keys WHERE conv = new.conv AND seq = new.seq), new.body);
  END;
  CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages BEGIN
    DELETE FROM message_search
      WHERE rowid = (SELECT id FROM message_search_keys WHERE conv = old.conv AND seq = old.seq);
    INSERT INTO message_search (rowid, body)
      VALUES ((SELECT id FROM message_search_keys WHERE conv = new.conv AND seq = new.seq), new.body);
  END;
  CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_search
      WHERE rowid = (SELECT id FROM message_search_keys WHERE conv = old.conv AND seq = old.seq);
    DELETE FROM message_search_keys WHERE conv = old.conv AND seq = old.seq;
  END;
  INSERT INTO message_search_keys (id, conv, seq)
    SELECT ts * 1000000 + row_number() OVER (PARTITION BY ts ORDER BY conv, seq) - 1, conv, seq FROM messages;
  INSERT INTO message_search (rowid, body)
    SELECT k.id, m.body FROM message_search_keys k JOIN messages m ON m.conv = k.conv AND m.seq = k.seq;
  `,
  `
  -- The change jobs waiting for a message still in the outbox, by its cid:
  -- settleOutboxJobs gives them its seq with one index lookup per settled
  -- message instead of a walk over the conversation's whole outbox (which
  -- made flushing a long outbox quadratic; docs/benchmarks.md, "a flush
  -- that no longer walks the outbox").
  -- Partial, so that sends (nearly every job) add nothing to it.
  CREATE INDEX outbox_changes_by_target ON outbox (conv, json_extract(payload, '$.targetCid'))
    WHERE kind IN ('edit', 'delete', 'react');
  `,
];

export interface SqliteClientStoreOptions {
  /** The download cache's cap in bytes (FILE_CACHE_BYTES by default). */
  fileCacheBytes?: number;
}

/** One database file per user; the name is a hash so that any id is a safe
 * file name and the directory listing does not reveal who uses the app. */
export function sqliteClientStoreOpener(directory: string, options: SqliteClientStoreOptions = {}): ClientStoreOpener {
  return async (userId) => {
    mkdirSync(directory, { recursive: true });
    const fileName = `user-${createHash('sha256').update(userId).digest('hex').slice(0, 32)}.db`;
    return new SqliteClientStore(path.join(directory, fileName), userId, options);
  };
}

interface ConversationRow {
  id: string;
  kind: StoredConversation['kind'];
  title: string | null;
  members: string;
  created_at: number;
  last_seq: number;
  receipts: string;
  cursor: number;
  read_up_to: number;
  has_more_history: number;
  draft: string;
  last_activity: number;
  chat_state: string;
  pending_chat_state: string | null;
}

interface MessageRow {
  conv: string;
  seq: number;
  cid: string;
  sender: string;
  body: string;
  ts: number;
  reply_to: number | null;
  forwarded: number;
  edited_at: number | null;
  deleted: number;
  reactions: string | null;
  changed_through: number;
  /** JSON: MSG.file. */
  file: string | null;
}

interface OutboxRow {
  cid: string;
  conv: string;
  kind: OutboxJobKind;
  /** JSON: the fields of the job's kind. */
  payload: string;
  created_at: number;
  state: OutboxJobState;
  error: string | null;
}

const MESSAGE_COLUMNS =
  'conv, seq, cid, sender, body, ts, reply_to, forwarded, edited_at, deleted, reactions, changed_through, file';
/** MESSAGE_COLUMNS of `messages m` in the search query's join. */
const SEARCHED_MESSAGE_COLUMNS = MESSAGE_COLUMNS.replace(/\w+/g, 'm.$&');
const OUTBOX_COLUMNS = 'cid, conv, kind, payload, created_at, state, error';
/** The change jobs of a conversation (?) that name a message by cid (?),
 * written as outbox_changes_by_target is so that the index answers it. */
export const CHANGES_TO = `conv = ? AND kind IN ('edit', 'delete', 'react') AND json_extract(payload, '$.targetCid') = ?`;

export class SqliteClientStore implements ClientStore {
  readonly userId: string;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly fileCacheBytes: number;

  /** `location` is a file path, or ':memory:' for a throwaway store. */
  constructor(location: string, userId: string, options: SqliteClientStoreOptions = {}) {
    this.userId = userId;
    this.fileCacheBytes = options.fileCacheBytes ?? FILE_CACHE_BYTES;
    this.db = new DatabaseSync(location);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    migrate(this.db, MIGRATIONS, (version) => {
      return new Error(
        `The local database has schema version ${version}, newer than this app knows (${MIGRATIONS.length}): update the app.`,
      );
    });
  }

  async listConversations(): Promise<StoredConversation[]> {
    return this.rows<ConversationRow>('SELECT * FROM conversations ORDER BY last_activity DESC').map(toConversation);
  }

  async putConversation(c: StoredConversation): Promise<void> {
    this.run(
      `INSERT OR REPLACE INTO conversations
         (id, kind, title, members, created_at, last_seq, receipts, cursor, read_up_to, has_more_history, draft, last_activity,
          chat_state, pending_chat_state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      c.id,
      c.kind,
      c.title,
      JSON.stringify(c.members),
      c.createdAt,
      c.lastSeq,
      JSON.stringify(c.receipts),
      c.cursor,
      c.readUpTo,
      c.hasMoreHistory ? 1 : 0,
      c.draft,
      c.lastActivity,
      JSON.stringify(c.chatState),
      c.pendingChatState === null ? null : JSON.stringify(c.pendingChatState),
    );
  }

  async deleteConversation(id: string): Promise<void> {
    this.transaction(() => {
      this.run('DELETE FROM messages WHERE conv = ?', id);
      this.run('DELETE FROM outbox_files WHERE cid IN (SELECT cid FROM outbox WHERE conv = ?)', id);
      this.run('DELETE FROM outbox WHERE conv = ?', id);
      this.run('DELETE FROM conversations WHERE id = ?', id);
    });
  }

  async putMessages(messages: readonly Message[]): Promise<void> {
    this.transaction(() => this.writeFrame(messages));
  }

  async settleOutboxJobs(cids: readonly string[], messages: readonly Message[]): Promise<void> {
    this.transaction(() => {
      this.writeFrame(messages);
      for (const cid of cids) this.deleteJob(cid);
      for (const m of messages) {
        if (m.kind !== undefined) continue;
        this.run(
          `UPDATE outbox SET payload = json_set(payload, '$.target', ?) WHERE ${CHANGES_TO}`,
          m.seq,
          m.conv,
          m.cid,
        );
      }
    });
  }

  async getMessage(conv: string, seq: number): Promise<Message | undefined> {
    const row = this.row<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv = ? AND seq = ?`, conv, seq);
    return row && toMessage(row);
  }

  async getMessages(conv: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]> {
    const rows = this.rows<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      conv,
      options.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      options.limit,
    );
    return rows.reverse().map(toMessage);
  }

  async getMessagesFrom(conv: string, from: string, range: MessageRange, limit: number): Promise<Message[]> {
    return this.rows<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE conv = ? AND sender = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      conv,
      from,
      range.afterSeq,
      range.throughSeq,
      limit,
    ).map(toMessage);
  }

  async countMessagesAfter(conv: string, afterSeq: number, exceptFrom: string): Promise<number> {
    const row = this.row<{ n: number }>(
      'SELECT COUNT(*) AS n FROM messages WHERE conv = ? AND seq > ? AND sender <> ?',
      conv,
      afterSeq,
      exceptFrom,
    );
    return row?.n ?? 0;
  }

  async oldestSeq(conv: string): Promise<number | null> {
    return this.row<{ seq: number | null }>('SELECT MIN(seq) AS seq FROM messages WHERE conv = ?', conv)?.seq ?? null;
  }

  async searchMessages(query: string, limit: number): Promise<Message[]> {
    const words = queryWords(query);
    if (words.length === 0) return [];
    // Folded words are letters and digits only, so quoting each is enough
    // to keep FTS5's query syntax out; `*` makes each a prefix, and words
    // side by side must all match.
    const match = words.map((word) => `"${word}"*`).join(' ');
    return this.rows<MessageRow>(
      `SELECT ${SEARCHED_MESSAGE_COLUMNS}
       FROM (SELECT rowid FROM message_search WHERE message_search MATCH ? ORDER BY rowid DESC LIMIT ?) s
       JOIN message_search_keys k ON k.id = s.rowid
       JOIN messages m ON m.conv = k.conv AND m.seq = k.seq
       ORDER BY k.id DESC`,
      match,
      limit,
    ).map(toMessage);
  }

  async addToOutbox(job: OutboxJob): Promise<void> {
    this.run(`INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, ...outboxValues(job));
  }

  async updateOutboxJob(job: OutboxJob): Promise<void> {
    const [cid, ...rest] = outboxValues(job);
    this.run('UPDATE outbox SET conv = ?, kind = ?, payload = ?, created_at = ?, state = ?, error = ? WHERE cid = ?', ...rest, cid!);
  }

  async removeFromOutbox(cid: string): Promise<void> {
    this.transaction(() => this.deleteJob(cid));
  }

  async getOutboxJob(cid: string): Promise<OutboxJob | undefined> {
    const row = this.row<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE cid = ?`, cid);
    return row && toOutboxJob(row);
  }

  async listOutbox(conv?: string): Promise<OutboxJob[]> {
    const rows =
      conv === undefined
        ? this.rows<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox ORDER BY position`)
        : this.rows<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conv = ? ORDER BY position`, conv);
    return rows.map(toOutboxJob);
  }

  async newestOutboxMessage(conv: string): Promise<MessageJob | undefined> {
    const row = this.row<OutboxRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conv = ? AND kind IN ('send', 'upload') ORDER BY position DESC LIMIT 1`,
      conv,
    );
    return row && (toOutboxJob(row) as MessageJob);
  }

  async listChangesTo(conv: string, cid: string): Promise<ChangeJob[]> {
    return this.rows<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE ${CHANGES_TO} ORDER BY position`, conv, cid).map(
      (row) => toOutboxJob(row) as ChangeJob,
    );
  }


  async addUploadToOutbox(job: UploadJob, bytes: Uint8Array): Promise<void> {
    this.transaction(() => {
      this.run(`INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, ...outboxValues(job));
      this.run('INSERT OR REPLACE INTO outbox_files (cid, bytes) VALUES (?, ?)', job.cid, bytes);
    });
  }

  async getOutboxFile(cid: string): Promise<Uint8Array | undefined> {
    return this.row<{ bytes: Uint8Array }>('SELECT bytes FROM outbox_files WHERE cid = ?', cid)?.bytes;
  }

  async dropOutboxFile(cid: string): Promise<void> {
    this.run('DELETE FROM outbox_files WHERE cid = ?', cid);
  }

  async putCachedFile(id: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.fileCacheBytes) return;
    this.transaction(() => {
      this.run(
        `INSERT OR REPLACE INTO file_cache (id, bytes, size, used_at)
         VALUES (?, ?, ?, (SELECT COALESCE(MAX(used_at), 0) + 1 FROM file_cache))`,
        id,
        bytes,
        bytes.byteLength,
      );
      let total = this.row<{ total: number }>('SELECT COALESCE(SUM(size), 0) AS total FROM file_cache')!.total;
      while (total > this.fileCacheBytes) {
        const oldest = this.row<{ id: string; size: number }>('SELECT id, size FROM file_cache ORDER BY used_at LIMIT 1')!;
        this.run('DELETE FROM file_cache WHERE id = ?', oldest.id);
        total -= oldest.size;
      }
    });
  }

  async getCachedFile(id: string): Promise<Uint8Array | undefined> {
    const row = this.row<{ bytes: Uint8Array }>('SELECT bytes FROM file_cache WHERE id = ?', id);
    if (row) this.run('UPDATE file_cache SET used_at = (SELECT MAX(used_at) + 1 FROM file_cache) WHERE id = ?', id);
    return row?.bytes;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  /** A job and its bytes, inside the caller's transaction. */
  private deleteJob(cid: string): void {
    this.run('DELETE FROM outbox_files WHERE cid = ?', cid);
    this.run('DELETE FROM outbox WHERE cid = ?', cid);
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run(sql: string, ...params: SQLInputValue[]): void {
    this.statement(sql).run(...params);
  }

  private row<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  private rows<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  /** Writes one frame's messages, folding its changes (fold-changes.ts). */
  private writeFrame(messages: readonly Message[]): void {
    const stored = new Map<string, MessageState>();
    for (const { conv, seq } of [...messages.filter((m) => m.kind === undefined), ...changeTargets(messages)]) {
      const row = this.row<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv = ? AND seq = ?`, conv, seq);
      if (row) stored.set(messageKey(conv, seq), { message: toMessage(row), changedThrough: row.changed_through });
    }
    for (const { message: m, changedThrough } of foldFrame(messages, stored)) {
      this.run(
        `INSERT OR REPLACE INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        m.conv,
        m.seq,
        m.cid,
        m.from,
        m.body,
        m.ts,
        m.replyTo ?? null,
        m.forwarded ? 1 : 0,
        m.editedAt ?? null,
        m.deleted ? 1 : 0,
        m.reactions ? JSON.stringify(m.reactions) : null,
        changedThrough,
        m.file ? JSON.stringify(m.file) : null,
      );
    }
  }

  private transaction(body: () => void): void {
    this.db.exec('BEGIN');
    try {
      body();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

function toConversation(row: ConversationRow): StoredConversation {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    members: JSON.parse(row.members) as StoredConversation['members'],
    createdAt: row.created_at,
    lastSeq: row.last_seq,
    receipts: JSON.parse(row.receipts) as StoredConversation['receipts'],
    cursor: row.cursor,
    readUpTo: row.read_up_to,
    hasMoreHistory: row.has_more_history === 1,
    draft: row.draft,
    lastActivity: row.last_activity,
    chatState: JSON.parse(row.chat_state) as StoredConversation['chatState'],
    pendingChatState:
      row.pending_chat_state === null ? null : (JSON.parse(row.pending_chat_state) as StoredConversation['pendingChatState']),
  };
}

function toMessage(row: MessageRow): Message {
  const message: Message = { conv: row.conv, seq: row.seq, cid: row.cid, from: row.sender, body: row.body, ts: row.ts };
  if (row.reply_to !== null) message.replyTo = row.reply_to;
  if (row.forwarded === 1) message.forwarded = true;
  if (row.edited_at !== null) message.editedAt = row.edited_at;
  if (row.deleted === 1) message.deleted = true;
  if (row.reactions !== null) message.reactions = JSON.parse(row.reactions) as Record<string, string>;
  if (row.file !== null) message.file = JSON.parse(row.file) as Message['file'];
  return message;
}

/** A job's values in OUTBOX_COLUMNS order: the fields every job has go in
 * columns, the rest (the kind's own) in `payload`. */
function outboxValues(job: OutboxJob): SQLInputValue[] {
  const { cid, conv, kind, createdAt, state, error, ...payload } = job;
  return [cid, conv, kind, JSON.stringify(payload), createdAt, state, error ?? null];
}

function toOutboxJob(row: OutboxRow): OutboxJob {
  const job = {
    ...(JSON.parse(row.payload) as object),
    cid: row.cid,
    conv: row.conv,
    kind: row.kind,
    createdAt: row.created_at,
    state: row.state,
  } as OutboxJob;
  if (row.error !== null) job.error = row.error;
  return job;
}
