// RelayStore on PostgreSQL (--database-url), for several relay nodes sharing
// one log (docs/scaling.md). Client: node-postgres (`pg`), a pool of
// connections; every query is parameterised ($1, $2… with a values array;
// only constant column lists are spliced into the text). Per-conversation seq
// is assigned under the conversation's row lock (SELECT … FOR UPDATE, taken
// in id order so that two nodes never deadlock), so seq order is commit
// order; each group commit is one transaction. A connection the server drops
// (a restart, pg_terminate_backend) fails the calls on it, which reject, and
// is replaced by a new one on the next call: nothing is retried here, since a
// send that fails is refused `unavailable` and resent by its client under
// the same cid (deduplicated, so never stored twice).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  type ChatState,
  type Conversation,
  DELETED_ACCOUNT_NAME,
  type GroupAddPolicy,
  type Message,
  type ReceiptWatermarks,
  type User,
} from '../../src/shared/protocol/index.ts';
import type { RegistrationMode } from '../config.ts';
import { HEALTH_PROBE } from './network-store.ts';
import { accountErasureDrafts, type MessageKey } from './message-changes.ts';
import { appendBatch, appendErasure } from './postgres-append.ts';
import { migratePostgres, postgresSchemaVersion } from './postgres-migrations.ts';
import { POSTGRES_MIGRATIONS } from './postgres-schema.ts';
import {
  assembleConversations,
  boolOrNull,
  CHAT_STATE_COLUMNS,
  type ChatStateRow,
  CONVERSATION_COLUMNS,
  type ConversationRow,
  FILE_COLUMNS,
  type FileRow,
  MEMBER_COLUMNS,
  type MemberRow,
  MESSAGE_COLUMNS,
  type MessageRow,
  type PublicUserRow,
  replaced,
  searchPattern,
  toChatState,
  toFileRecord,
  toMessage,
  type TokenRow,
  toTokenRecord,
  toUser,
  toUserRecord,
  USER_COLUMNS,
  type UserRecordRow,
  type UserRow,
} from './rows.ts';
import type { StoreRole } from './sqlite.ts';
import type {
  AccountDeletion,
  AppendOutcome,
  ExpiredFile,
  FileRecord,
  HistoryPage,
  MessageDraft,
  FinishedFile,
  NewFile,
  NewUser,
  PrivacySettings,
  ProfileChanges,
  ProfileUpdate,
  RegistrationSetting,
  RelayStore,
  SendJudge,
  SignInDevice,
  SignInsEnded,
  TokenRecord,
  UserRecord,
  UserWithPassword,
} from './types.ts';

export class PostgresStoreError extends Error {
  override name = 'PostgresStoreError';
}

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Shown in pg_stat_activity (default duplex-relay). */
  applicationName?: string;
}

// BIGINT columns (times in ms, seq, sizes, counts) as numbers: every value the
// relay stores stays below 2^53.
const INT8_OID = 20;
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A call waits this long for a connection before failing (an unreachable server). */
const CONNECT_TIMEOUT_MS = 5_000;

const SETTING_REGISTRATION = 'registration';

/** USER_COLUMNS of a query that joins users as `u`. */
const USER_COLUMNS_OF_U = USER_COLUMNS.split(', ')
  .map((column) => `u.${column}`)
  .join(', ');

/** A database URL as it may be logged: without its password. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Opens a pool on `url` as `role` (see StoreRole): the relay migrates the
 * schema (safe when several nodes start at once); an operator command needs
 * the current schema and changes none.
 */
export async function openPostgresStore(
  url: string,
  role: StoreRole = 'relay',
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: options.applicationName ?? 'duplex-relay',
    types: TYPES,
  });
  // An idle connection the server closed: the pool drops it and opens another
  // when needed. Without a listener the error would end the process.
  pool.on('error', () => undefined);
  // The pool hands a connection out with no 'error' listener until the
  // taker adds its own, a promise tick later (#transaction); an error that
  // arrives in the same network read as the connection's first ready signal
  // would end the process. Query and transaction errors still reach callers.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    if (role === 'relay') await migratePostgres(pool, POSTGRES_MIGRATIONS, refuseNewerSchema);
    else await requireCurrentSchema(pool, url);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStore(pool);
}

function refuseNewerSchema(version: number): PostgresStoreError {
  return new PostgresStoreError(
    `database schema version ${version} is newer than this relay (${POSTGRES_MIGRATIONS.length})`,
  );
}

async function requireCurrentSchema(pool: pg.Pool, url: string): Promise<void> {
  const version = await postgresSchemaVersion(pool);
  if (version > POSTGRES_MIGRATIONS.length) throw refuseNewerSchema(version);
  if (version < POSTGRES_MIGRATIONS.length) {
    throw new PostgresStoreError(
      `${redactDatabaseUrl(url)} has schema version ${version}, this version of the relay needs ${POSTGRES_MIGRATIONS.length}: ` +
        'start the relay of this version once to create or upgrade it',
    );
  }
}

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresStore implements RelayStore {
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Resolves when the server answers a trivial query (the relay's health check: dependency-health.ts). */
  async [HEALTH_PROBE](): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  // ---- accounts ----

  async createUser(user: NewUser, now: number): Promise<User | null> {
    const id = randomUUID();
    const { rowCount } = await this.#pool.query(
      `INSERT INTO users (id, username, display_name, display_name_lower, password_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING`,
      [id, user.username, user.displayName, user.displayName.toLowerCase(), user.passwordHash, now],
    );
    return rowCount === 0 ? null : { id, username: user.username, displayName: user.displayName };
  }

  async userByUsername(username: string): Promise<UserWithPassword | undefined> {
    const row = await this.#one<UserRow & { disabled_at: number | null }>(
      `SELECT ${USER_COLUMNS}, password_hash, disabled_at FROM users WHERE username = $1 AND deleted_at IS NULL`,
      [username],
    );
    return row && { ...toUser(row), passwordHash: row.password_hash, disabled: row.disabled_at !== null };
  }

  async updateProfile(userId: string, changes: ProfileChanges): Promise<ProfileUpdate | undefined> {
    return this.#transaction(async (client) => {
      const before = await this.#lockLiveUser(userId, client);
      if (!before) return undefined;
      const photo = changes.photo === undefined ? before.photo_file_id : changes.photo;
      const row = await this.#one<PublicUserRow>(
        `UPDATE users SET display_name = coalesce($1, display_name), display_name_lower = coalesce($2, display_name_lower),
           about = coalesce($3, about), photo_file_id = $4
         WHERE id = $5 RETURNING ${USER_COLUMNS}`,
        [changes.displayName ?? null, changes.displayName?.toLowerCase() ?? null, changes.about ?? null, photo, userId],
        client,
      );
      return row && { user: toUser(row), replacedPhoto: replaced(before.photo_file_id, photo) };
    });
  }

  /**
   * Locks a user's row for the rest of the transaction, unless the account is
   * deleted: a deleted account is no user to change (a frame may still be in
   * flight as its sockets close).
   */
  #lockLiveUser(userId: string, client: pg.PoolClient): Promise<{ photo_file_id: string | null } | undefined> {
    return this.#one('SELECT photo_file_id FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [userId], client);
  }

  async deleteAccount(userId: string, now: number): Promise<AccountDeletion | undefined> {
    return this.#transaction(async (client) => {
      const before = await this.#lockLiveUser(userId, client);
      if (!before) return undefined;
      const contacts = (
        await this.#all<{ user_id: string }>(
          `SELECT DISTINCT other.user_id FROM members mine
           JOIN members other ON other.conv_id = mine.conv_id AND other.user_id <> mine.user_id WHERE mine.user_id = $1`,
          [userId],
          client,
        )
      ).map((row) => row.user_id);
      const memberOf = (
        await this.#all<{ conv_id: string }>('SELECT conv_id FROM members WHERE user_id = $1 ORDER BY conv_id COLLATE "C"', [userId], client)
      ).map((row) => row.conv_id);
      // Where the user's messages and reactions may be: their conversations,
      // and those they left that hold a message of theirs.
      const wroteIn = await this.#all<{ conv_id: string }>(
        'SELECT DISTINCT conv_id FROM messages WHERE sender_id = $1 AND kind IS NULL AND deleted = 0',
        [userId],
        client,
      );
      const outcomes = await appendErasure(
        client,
        [...memberOf, ...wroteIn.map((row) => row.conv_id)],
        async () =>
          accountErasureDrafts(
            userId,
            await this.#all<MessageKey>(
              'SELECT conv_id, seq FROM messages WHERE sender_id = $1 AND kind IS NULL AND deleted = 0 ORDER BY conv_id COLLATE "C", seq',
              [userId],
              client,
            ),
            await this.#all<MessageKey>(
              `SELECT conv_id, seq FROM messages
               WHERE kind IS NULL AND deleted = 0 AND sender_id <> $1 AND reactions IS NOT NULL AND (reactions::jsonb) ? $1
               ORDER BY conv_id COLLATE "C", seq`,
              [userId],
              client,
            ),
          ),
        now,
      );
      const changes: AccountDeletion['changes'] = [];
      const erasable = new Map<string, boolean>();
      for (const outcome of outcomes) {
        if (outcome.kind !== 'stored') continue;
        changes.push({ message: outcome.message, members: outcome.members });
        if (outcome.unreferencedFile !== undefined) erasable.set(outcome.unreferencedFile, true);
      }
      const revokedTokens = (
        await this.#all<{ token_hash: string }>('DELETE FROM tokens WHERE user_id = $1 RETURNING token_hash', [userId], client)
      ).map((row) => row.token_hash);
      await client.query('DELETE FROM members WHERE user_id = $1', [userId]);
      await client.query('DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1', [userId]);
      const row = (await this.#one<PublicUserRow>(
        `UPDATE users SET display_name = $2, display_name_lower = $3, about = '', photo_file_id = NULL, password_hash = '',
           group_adds = 'everyone', last_seen = NULL, disabled_at = NULL, deleted_at = $4
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [userId, DELETED_ACCOUNT_NAME, DELETED_ACCOUNT_NAME.toLowerCase(), now],
        client,
      )) as PublicUserRow;
      const files = await this.#all<ExpiredFile>(
        `SELECT f.id, f.finished_at IS NOT NULL AS finished FROM files f
         WHERE f.uploader_id = $1 AND (f.finished_at IS NULL OR NOT ${inUse('f.id')})`,
        [userId],
        client,
      );
      for (const file of files) erasable.set(file.id, file.finished);
      if (before.photo_file_id !== null) erasable.set(before.photo_file_id, true);
      const conversations: Conversation[] = [];
      for (const id of memberOf) {
        const conversation = await this.#conversation(client, id);
        if (conversation) conversations.push(conversation);
      }
      return {
        user: toUser(row),
        changes,
        revokedTokens,
        conversations,
        contacts,
        files: [...erasable].map(([id, finished]) => ({ id, finished })),
      };
    });
  }

  async releaseUsername(username: string, deletedBefore: number): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE users SET username = '~deleted~' || id WHERE username = $1 AND deleted_at IS NOT NULL AND deleted_at < $2`,
      [username, deletedBefore],
    );
    return rowCount !== null && rowCount > 0;
  }

  async usersByIds(ids: readonly string[]): Promise<User[]> {
    return (await this.#all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::text[])`, [ids])).map(toUser);
  }

  async searchUsers(prefix: string, exceptUserId: string, limit: number): Promise<User[]> {
    const rows = await this.#all<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE id <> $1 AND deleted_at IS NULL AND (username LIKE $2 ESCAPE '\\' OR display_name_lower LIKE $2 ESCAPE '\\')
       ORDER BY username COLLATE "C" LIMIT $3`,
      [exceptUserId, searchPattern(prefix), limit],
    );
    return rows.map(toUser);
  }

  async addToken(tokenHash: string, userId: string, now: number, device?: SignInDevice): Promise<void> {
    await this.#pool.query(
      `INSERT INTO tokens (token_hash, user_id, created_at, last_used_at, device_name, address)
       VALUES ($1, $2, $3, $3, $4, $5)`,
      [tokenHash, userId, now, device?.name ?? '', device?.address ?? ''],
    );
  }

  async tokenOwner(tokenHash: string): Promise<{ user: User; lastUsedAt: number; address: string } | undefined> {
    const row = await this.#one<PublicUserRow & { last_used_at: number; address: string }>(
      `SELECT ${USER_COLUMNS_OF_U}, t.last_used_at, t.address FROM tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = $1`,
      [tokenHash],
    );
    return row && { user: toUser(row), lastUsedAt: row.last_used_at, address: row.address };
  }

  async setTokenAddress(tokenHash: string, address: string): Promise<void> {
    await this.#pool.query('UPDATE tokens SET address = $1 WHERE token_hash = $2', [address, tokenHash]);
  }

  async touchTokens(tokenHashes: readonly string[], now: number, usedBefore: number): Promise<void> {
    if (tokenHashes.length === 0) return;
    await this.#pool.query('UPDATE tokens SET last_used_at = $1 WHERE token_hash = ANY($2::text[]) AND last_used_at < $3', [
      now,
      tokenHashes,
      usedBefore,
    ]);
  }

  async revokeToken(tokenHash: string): Promise<string | undefined> {
    return (await this.#one<{ user_id: string }>('DELETE FROM tokens WHERE token_hash = $1 RETURNING user_id', [tokenHash]))?.user_id;
  }

  async existingTokens(tokenHashes: readonly string[]): Promise<Set<string>> {
    const rows = await this.#all<{ token_hash: string }>('SELECT token_hash FROM tokens WHERE token_hash = ANY($1::text[])', [
      tokenHashes,
    ]);
    return new Set(rows.map((row) => row.token_hash));
  }

  // ---- presence ----

  async setLastSeen(userIds: readonly string[], ts: number): Promise<void> {
    // Not for a deleted account, whose sockets close after it is blanked.
    await this.#pool.query('UPDATE users SET last_seen = $1 WHERE id = ANY($2::text[]) AND deleted_at IS NULL', [ts, userIds]);
  }

  async lastSeen(userIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.#all<{ id: string; last_seen: number }>(
      'SELECT id, last_seen FROM users WHERE id = ANY($1::text[]) AND last_seen IS NOT NULL',
      [userIds],
    );
    return new Map(rows.map((row) => [row.id, row.last_seen]));
  }

  async contactsOf(userId: string, exceptConv?: string): Promise<string[]> {
    const rows = await this.#all<{ user_id: string }>(
      `SELECT DISTINCT other.user_id FROM members mine
       JOIN members other ON other.conv_id = mine.conv_id AND other.user_id <> mine.user_id
       WHERE mine.user_id = $1 AND mine.conv_id IS DISTINCT FROM $2`,
      [userId, exceptConv ?? null],
    );
    return rows.map((row) => row.user_id);
  }

  // ---- conversations ----

  async conversationsOf(userId: string): Promise<Conversation[]> {
    const [rows, members] = await Promise.all([
      this.#all<ConversationRow>(
        `SELECT ${CONVERSATION_COLUMNS} FROM members me JOIN conversations c ON c.id = me.conv_id
         WHERE me.user_id = $1 ORDER BY c.created_at, c.id COLLATE "C"`,
        [userId],
      ),
      this.#all<MemberRow>(
        `SELECT ${MEMBER_COLUMNS} FROM members me
         JOIN members m ON m.conv_id = me.conv_id JOIN users u ON u.id = m.user_id
         WHERE me.user_id = $1 ORDER BY m.conv_id, m.ordinal`,
        [userId],
      ),
    ]);
    return assembleConversations(rows, members);
  }

  async conversation(convId: string): Promise<Conversation | undefined> {
    return this.#conversation(this.#pool, convId);
  }

  async isMember(convId: string, userId: string): Promise<boolean> {
    return (await this.#one('SELECT 1 FROM members WHERE conv_id = $1 AND user_id = $2', [convId, userId])) !== undefined;
  }

  async memberIds(convId: string): Promise<string[]> {
    const rows = await this.#all<{ user_id: string }>('SELECT user_id FROM members WHERE conv_id = $1 ORDER BY ordinal', [convId]);
    return rows.map((row) => row.user_id);
  }

  async openDirect(userId: string, otherId: string, now: number): Promise<{ conversation: Conversation; created: boolean }> {
    const key = [userId, otherId].sort().join(' ');
    return this.#transaction(async (client) => {
      // Two nodes opening the same pair at once: one inserts, the other waits
      // for its commit on the unique key, inserts nothing and reads its row.
      const inserted = await this.#one<{ id: string }>(
        `INSERT INTO conversations (id, kind, title, direct_key, created_at) VALUES ($1, 'direct', NULL, $2, $3)
         ON CONFLICT (direct_key) DO NOTHING RETURNING id`,
        [randomUUID(), key, now],
        client,
      );
      if (!inserted) {
        const existing = await this.#one<{ id: string }>('SELECT id FROM conversations WHERE direct_key = $1', [key], client);
        return { conversation: await this.#requireConversation(client, existing?.id ?? ''), created: false };
      }
      await this.#insertMembers(client, inserted.id, [userId, otherId], 0, now);
      return { conversation: await this.#requireConversation(client, inserted.id), created: true };
    });
  }

  async createGroup(creatorId: string, title: string, otherMemberIds: readonly string[], now: number): Promise<Conversation> {
    return this.#transaction(async (client) => {
      const id = randomUUID();
      await client.query(
        `INSERT INTO conversations (id, kind, title, direct_key, created_at) VALUES ($1, 'group', $2, NULL, $3)`,
        [id, title, now],
      );
      await this.#insertMembers(client, id, [...new Set([creatorId, ...otherMemberIds])], 0, now);
      return this.#requireConversation(client, id);
    });
  }

  async addMembers(
    convId: string,
    userIds: readonly string[],
    now: number,
  ): Promise<{ conversation: Conversation; added: string[] }> {
    return this.#transaction(async (client) => {
      // Locked like an append: no message commits between reading lastSeq and
      // the new members' watermarks starting there.
      const row = await this.#one<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE id = $1 FOR UPDATE', [convId], client);
      if (!row) throw new PostgresStoreError(`conversation ${convId} does not exist`);
      const unique = [...new Set(userIds)];
      const inserted = new Set(await this.#insertMembers(client, convId, unique, row.last_seq, now));
      return { conversation: await this.#requireConversation(client, convId), added: unique.filter((id) => inserted.has(id)) };
    });
  }

  async removeMember(convId: string, userId: string): Promise<Conversation> {
    await this.#pool.query('DELETE FROM members WHERE conv_id = $1 AND user_id = $2', [convId, userId]);
    return this.#requireConversation(this.#pool, convId);
  }

  async setTitle(convId: string, title: string): Promise<Conversation> {
    await this.#pool.query('UPDATE conversations SET title = $1 WHERE id = $2', [title, convId]);
    return this.#requireConversation(this.#pool, convId);
  }

  async setConversationPhoto(convId: string, photo: string | null): Promise<{ conversation: Conversation; replacedPhoto: string | null }> {
    return this.#transaction(async (client) => {
      const before = await this.#one<{ photo_file_id: string | null }>(
        'SELECT photo_file_id FROM conversations WHERE id = $1 FOR UPDATE',
        [convId],
        client,
      );
      await client.query('UPDATE conversations SET photo_file_id = $1 WHERE id = $2', [photo, convId]);
      return {
        conversation: await this.#requireConversation(client, convId),
        replacedPhoto: replaced(before?.photo_file_id ?? null, photo),
      };
    });
  }

  // ---- messages ----

  async appendMessages(drafts: readonly MessageDraft[], judge: SendJudge, now: number): Promise<AppendOutcome[]> {
    if (drafts.length === 0) return [];
    return this.#transaction((client) => appendBatch(client, drafts, judge, now));
  }

  async messagesBy(userId: string, after: { conv: string; seq: number } | null, limit: number): Promise<Message[]> {
    const rows = await this.#all<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE sender_id = $1 AND ($2::text IS NULL OR (conv_id COLLATE "C", seq) > ($2::text COLLATE "C", $3))
       ORDER BY conv_id COLLATE "C", seq LIMIT $4`,
      [userId, after?.conv ?? null, after?.seq ?? 0, limit],
    );
    return rows.map(toMessage);
  }

  async messagesAfter(convId: string, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await this.#all<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [convId, afterSeq, limit],
    );
    return rows.map(toMessage);
  }

  async messagesBefore(convId: string, beforeSeq: number | undefined, limit: number): Promise<HistoryPage> {
    // One row more than asked tells whether older messages exist.
    const rows = await this.#all<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND ($2::bigint IS NULL OR seq < $2)
       ORDER BY seq DESC LIMIT $3`,
      [convId, beforeSeq ?? null, limit + 1],
    );
    return { messages: rows.slice(0, limit).reverse().map(toMessage), more: rows.length > limit };
  }

  // ---- chat state ----

  async setChatState(convId: string, userId: string, change: Partial<ChatState>): Promise<ChatState | undefined> {
    // NULL leaves a column as it is; mutedUntil tells "unmute" (null) from
    // "leave it" (absent) with its own flag.
    const row = await this.#one<ChatStateRow>(
      `UPDATE members SET pinned = coalesce($1::int, pinned), archived = coalesce($2::int, archived),
         muted_until = CASE WHEN $3::boolean THEN $4::bigint ELSE muted_until END
       WHERE conv_id = $5 AND user_id = $6 RETURNING ${CHAT_STATE_COLUMNS}`,
      [boolOrNull(change.pinned), boolOrNull(change.archived), change.mutedUntil !== undefined, change.mutedUntil ?? null, convId, userId],
    );
    return row && toChatState(row);
  }

  async chatStatesOf(userId: string): Promise<Map<string, ChatState>> {
    const rows = await this.#all<ChatStateRow & { conv_id: string }>(`SELECT conv_id, ${CHAT_STATE_COLUMNS} FROM members WHERE user_id = $1`, [
      userId,
    ]);
    return new Map(rows.map((row) => [row.conv_id, toChatState(row)]));
  }

  async chatStatesIn(convId: string): Promise<Map<string, ChatState>> {
    const rows = await this.#all<ChatStateRow & { user_id: string }>(`SELECT user_id, ${CHAT_STATE_COLUMNS} FROM members WHERE conv_id = $1`, [
      convId,
    ]);
    return new Map(rows.map((row) => [row.user_id, toChatState(row)]));
  }

  // ---- files ----

  async createFile(file: NewFile, now: number): Promise<void> {
    await this.#pool.query(
      'INSERT INTO files (id, uploader_id, name, mime, size, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [file.id, file.uploaderId, file.name, file.mime, file.size, now],
    );
  }

  async createFinishedFiles(files: readonly FinishedFile[], now: number): Promise<void> {
    // One statement, so one transaction: the rows as parallel arrays.
    const column = <K extends keyof FinishedFile>(key: K) => files.map((file) => file[key]);
    await this.#pool.query(
      `INSERT INTO files (id, uploader_id, name, mime, size, sha256, created_at, finished_at)
       SELECT id, uploader_id, name, mime, size, sha256, $7, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS f (id, uploader_id, name, mime, size, sha256)`,
      [column('id'), column('uploaderId'), column('name'), column('mime'), column('size'), column('sha256'), now],
    );
  }

  async fileRecord(id: string): Promise<FileRecord | undefined> {
    const row = await this.#one<FileRow>(`SELECT ${FILE_COLUMNS} FROM files WHERE id = $1`, [id]);
    return row && toFileRecord(row);
  }

  async finishFile(id: string, sha256: string, now: number): Promise<void> {
    await this.#pool.query('UPDATE files SET sha256 = $1, finished_at = $2 WHERE id = $3', [sha256, now, id]);
  }

  async mayReadFile(id: string, userId: string): Promise<boolean> {
    const row = await this.#one<{ readable: boolean }>(`SELECT ${readableBy('$2')} AS readable FROM files f WHERE f.id = $1`, [
      id,
      userId,
    ]);
    return row?.readable === true;
  }

  async filesUploadedBy(userId: string): Promise<FileRecord[]> {
    const rows = await this.#all<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM files WHERE uploader_id = $1 AND finished_at IS NOT NULL ORDER BY created_at, id COLLATE "C"`,
      [userId],
    );
    return rows.map(toFileRecord);
  }

  async readableFile(id: string, userId: string): Promise<FileRecord | undefined> {
    const row = await this.#one<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM files f WHERE f.id = $1 AND f.finished_at IS NOT NULL AND ${readableBy('$2')}`,
      [id, userId],
    );
    return row && toFileRecord(row);
  }

  async storageUsedBy(userId: string): Promise<number> {
    const row = await this.#one<{ bytes: number }>('SELECT coalesce(sum(size), 0)::bigint AS bytes FROM files WHERE uploader_id = $1', [
      userId,
    ]);
    return row?.bytes ?? 0;
  }

  async fileTotals(): Promise<{ files: number; bytes: number }> {
    const row = await this.#one<{ files: number; bytes: number }>(
      'SELECT count(*) AS files, coalesce(sum(size), 0)::bigint AS bytes FROM files WHERE finished_at IS NOT NULL',
      [],
    );
    return { files: row?.files ?? 0, bytes: row?.bytes ?? 0 };
  }

  async expiredFiles(createdBefore: number, limit: number): Promise<ExpiredFile[]> {
    return this.#all<ExpiredFile>(
      `SELECT f.id, f.finished_at IS NOT NULL AS finished FROM files f
       WHERE f.created_at < $1 AND (f.finished_at IS NULL OR NOT ${inUse('f.id')})
       ORDER BY f.created_at LIMIT $2`,
      [createdBefore, limit],
    );
  }

  async deleteFile(id: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `DELETE FROM files WHERE id = $1 AND NOT ${inUse('$1')}`,
      [id],
    );
    return rowCount !== null && rowCount > 0;
  }

  // ---- receipts ----

  async advanceReceipt(
    convId: string,
    userId: string,
    marks: Partial<ReceiptWatermarks>,
  ): Promise<{ watermarks: ReceiptWatermarks; changed: boolean } | undefined> {
    return this.#transaction(async (client) => {
      const row = await this.#one<{ delivered: number; read: number; last_seq: number }>(
        `SELECT m.delivered, m.read, c.last_seq FROM members m JOIN conversations c ON c.id = m.conv_id
         WHERE m.conv_id = $1 AND m.user_id = $2 FOR UPDATE OF m`,
        [convId, userId],
        client,
      );
      if (!row) return undefined;
      const read = Math.min(row.last_seq, Math.max(row.read, marks.read ?? 0));
      const delivered = Math.min(row.last_seq, Math.max(row.delivered, marks.delivered ?? 0, read));
      const changed = read !== row.read || delivered !== row.delivered;
      if (changed) {
        await client.query('UPDATE members SET delivered = $1, read = $2 WHERE conv_id = $3 AND user_id = $4', [
          delivered,
          read,
          convId,
          userId,
        ]);
      }
      return { watermarks: { delivered, read }, changed };
    });
  }

  // ---- privacy and caps ----

  async conversationCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.#all<{ user_id: string; count: number }>(
      'SELECT user_id, count(*) AS count FROM members WHERE user_id = ANY($1::text[]) GROUP BY user_id',
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, row.count]));
  }

  async privacyOf(userId: string): Promise<PrivacySettings> {
    const [row, blocked] = await Promise.all([
      this.#one<{ group_adds: GroupAddPolicy }>('SELECT group_adds FROM users WHERE id = $1', [userId]),
      this.#all<PublicUserRow>(
        `SELECT ${USER_COLUMNS_OF_U} FROM blocks b JOIN users u ON u.id = b.blocked_id
         WHERE b.blocker_id = $1 ORDER BY b.created_at, b.ordinal`,
        [userId],
      ),
    ]);
    return { groupAdds: row?.group_adds ?? 'everyone', blocked: blocked.map(toUser) };
  }

  async setGroupAdds(userId: string, policy: GroupAddPolicy): Promise<void> {
    await this.#pool.query('UPDATE users SET group_adds = $1 WHERE id = $2', [policy, userId]);
  }

  async block(blockerId: string, blockedId: string, now: number): Promise<void> {
    await this.#pool.query('INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      blockerId,
      blockedId,
      now,
    ]);
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.#pool.query('DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [blockerId, blockedId]);
  }

  async blockersOf(userId: string, userIds: readonly string[]): Promise<string[]> {
    const rows = await this.#all<{ blocker_id: string }>(
      'SELECT blocker_id FROM blocks WHERE blocked_id = $1 AND blocker_id = ANY($2::text[])',
      [userId, userIds],
    );
    return rows.map((row) => row.blocker_id);
  }

  async refusingGroupAdds(requesterId: string, userIds: readonly string[]): Promise<string[]> {
    const rows = await this.#all<{ id: string }>(
      `SELECT u.id FROM users u WHERE u.id = ANY($2::text[]) AND (
         u.group_adds = 'nobody'
         OR EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = $1)
         OR (u.group_adds = 'contacts' AND NOT EXISTS (
           SELECT 1 FROM conversations c WHERE c.direct_key IN (u.id || ' ' || $1, $1 || ' ' || u.id))))`,
      [requesterId, userIds],
    );
    return rows.map((row) => row.id);
  }

  // ---- operator and the user's devices ----

  async listTokens(userId?: string): Promise<TokenRecord[]> {
    const rows = await this.#all<TokenRow>(
      `SELECT t.token_hash, t.created_at, t.last_used_at, t.device_name, t.address, ${USER_COLUMNS_OF_U}
       FROM tokens t JOIN users u ON u.id = t.user_id
       WHERE $1::text IS NULL OR t.user_id = $1 ORDER BY t.created_at, t.token_hash COLLATE "C"`,
      [userId ?? null],
    );
    return rows.map(toTokenRecord);
  }

  async revokeUserTokens(userId: string): Promise<number> {
    return (await this.#pool.query('DELETE FROM tokens WHERE user_id = $1', [userId])).rowCount ?? 0;
  }

  async revokeAllTokens(): Promise<number> {
    return (await this.#pool.query('DELETE FROM tokens')).rowCount ?? 0;
  }

  async replacePassword(userId: string, passwordHash: string, ended: SignInsEnded): Promise<string[]> {
    return this.#transaction(async (client) => {
      await client.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, userId]);
      if (ended === 'none') return [];
      const rows = await this.#all<{ token_hash: string }>(
        'DELETE FROM tokens WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2 RETURNING token_hash',
        [userId, ended === 'all' ? null : ended.allBut],
        client,
      );
      return rows.map((row) => row.token_hash);
    });
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.#all<UserRecordRow>(
      `SELECT ${USER_COLUMNS}, created_at, disabled_at, last_seen, deleted_at,
         (SELECT count(*) FROM tokens t WHERE t.user_id = users.id) AS sign_ins
       FROM users ORDER BY username COLLATE "C"`,
      [],
    );
    return rows.map(toUserRecord);
  }

  async setUserDisabled(userId: string, disabledAt: number | null): Promise<{ found: boolean; revoked: number }> {
    return this.#transaction(async (client) => {
      const found = ((await client.query('UPDATE users SET disabled_at = $1 WHERE id = $2', [disabledAt, userId])).rowCount ?? 0) > 0;
      const revoked = found && disabledAt !== null ? ((await client.query('DELETE FROM tokens WHERE user_id = $1', [userId])).rowCount ?? 0) : 0;
      return { found, revoked };
    });
  }

  async registrationSetting(): Promise<RegistrationSetting | undefined> {
    const row = await this.#one<{ value: string; updated_at: number }>('SELECT value, updated_at FROM settings WHERE name = $1', [
      SETTING_REGISTRATION,
    ]);
    return row && { mode: row.value as RegistrationMode, setAt: row.updated_at };
  }

  async setRegistration(mode: RegistrationMode, now: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [SETTING_REGISTRATION, mode, now],
    );
  }

  /** Waits for calls in flight, then closes every connection. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  // ---- internals ----

  async #all<Row extends object>(text: string, values: unknown[], db: Queryable = this.#pool): Promise<Row[]> {
    return (await db.query<Row>(text, values)).rows;
  }

  async #one<Row extends object>(text: string, values: unknown[], db: Queryable = this.#pool): Promise<Row | undefined> {
    return (await db.query<Row>(text, values)).rows[0];
  }

  /**
   * Runs `work` in a transaction on one connection of the pool. A failure
   * rolls back; a connection that broke on the way (or whose rollback
   * failed) is destroyed instead of going back to the pool.
   */
  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // Between two queries the client has no listener of its own: a dropped
    // connection would otherwise be an unhandled 'error' event.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken ??= rollbackError as Error;
      });
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** Adds members in the given order, skipping those already in; the ids added. */
  async #insertMembers(client: pg.PoolClient, convId: string, userIds: readonly string[], watermark: number, now: number): Promise<string[]> {
    const rows = await this.#all<{ user_id: string }>(
      `INSERT INTO members (conv_id, user_id, delivered, read, joined_at)
       SELECT $1, n.user_id, $3, $3, $4 FROM unnest($2::text[]) WITH ORDINALITY AS n (user_id, position)
       ORDER BY n.position
       ON CONFLICT (conv_id, user_id) DO NOTHING RETURNING user_id`,
      [convId, userIds, watermark, now],
      client,
    );
    return rows.map((row) => row.user_id);
  }

  async #conversation(db: Queryable, convId: string): Promise<Conversation | undefined> {
    // In turn: on a transaction's connection, one query at a time.
    const rows = await this.#all<ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1`, [convId], db);
    if (rows.length === 0) return undefined;
    const members = await this.#all<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM members m JOIN users u ON u.id = m.user_id WHERE m.conv_id = $1 ORDER BY m.ordinal`,
      [convId],
      db,
    );
    return assembleConversations(rows, members)[0];
  }

  async #requireConversation(db: Queryable, convId: string): Promise<Conversation> {
    const conversation = await this.#conversation(db, convId);
    if (!conversation) throw new PostgresStoreError(`conversation ${convId} does not exist`);
    return conversation;
  }
}

/**
 * SQL for whether a user may read file `f`: its uploader; a member of a
 * conversation holding a message that carries it; anyone sharing a
 * conversation with the user whose photo it is (that user included); a
 * member of the group whose photo it is. The arguments are SQL expressions of
 * this module (a parameter, a column), never values.
 */
function readableBy(userExpression: string): string {
  return `(f.uploader_id = ${userExpression}
    OR EXISTS (SELECT 1 FROM messages m JOIN members mb ON mb.conv_id = m.conv_id AND mb.user_id = ${userExpression} WHERE m.file_id = f.id)
    OR EXISTS (SELECT 1 FROM users u JOIN members theirs ON theirs.user_id = u.id
               JOIN members mine ON mine.conv_id = theirs.conv_id AND mine.user_id = ${userExpression} WHERE u.photo_file_id = f.id)
    OR EXISTS (SELECT 1 FROM conversations c JOIN members mb ON mb.conv_id = c.id AND mb.user_id = ${userExpression}
               WHERE c.photo_file_id = f.id))`;
}

/** SQL for whether file `fileExpression` is in use: carried by a message, or shown as a user's or a group's photo. */
function inUse(fileExpression: string): string {
  return `(EXISTS (SELECT 1 FROM messages m WHERE m.file_id = ${fileExpression})
    OR EXISTS (SELECT 1 FROM users u WHERE u.photo_file_id = ${fileExpression})
    OR EXISTS (SELECT 1 FROM conversations c WHERE c.photo_file_id = ${fileExpression}))`;
}
