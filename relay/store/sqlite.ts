// RelayStore on node:sqlite, the default embedded store: one file, WAL journal,
// synchronous=FULL (an acknowledged message survives a power cut, not only a
// crash), foreign keys on. The relay owns the database (owner-lock.ts: a
// second relay on the same data directory fails at start instead of serving
// a diverging fan-out), while operator commands may open it beside the relay:
// WAL lets them read without blocking it, and their few writes wait for the
// relay's transactions through the busy timeout. The API is synchronous
// underneath; group commit (see group-commit.ts) keeps the number of fsyncs
// low.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type {
  ChatState,
  Conversation,
  FileRef,
  GroupAddPolicy,
  Message,
  MessageChangeKind,
  MessageFile,
  ReceiptWatermarks,
  User,
} from '../../src/shared/protocol/index.ts';
import { DELETED_ACCOUNT_NAME } from '../../src/shared/protocol/index.ts';
import { migrate, schemaVersion } from '../../src/shared/sqlite/migrations.ts';
import type { RegistrationMode } from '../config.ts';
import { OwnerLock, ownerLockFile } from './owner-lock.ts';
import { privateDirectory, privateFile, tightenIfPresent } from './private-files.ts';
import { writeBackup, type BackupSummary } from './sqlite-backup.ts';
import { MIGRATIONS } from './sqlite-schema.ts';
import {
  acceptErasure,
  accountErasureDrafts,
  changeRefusal,
  type MessageKey,
  reactionsAfter,
  type TargetRow,
} from './message-changes.ts';
import {
  assembleConversations,
  boolOrNull,
  CHAT_STATE_COLUMNS,
  type ChatStateRow,
  CONVERSATION_COLUMNS,
  type ConversationRow,
  FILE_COLUMNS,
  type FileRow,
  INSERTED_COLUMNS,
  MEMBER_COLUMNS,
  type MemberRow,
  MESSAGE_COLUMNS,
  type MessageRow,
  type PublicUserRow,
  replaced,
  searchPattern,
  senderCidKey,
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
import type {
  AccountDeletion,
  AppendOutcome,
  ExpiredFile,
  FileRecord,
  FinishedFile,
  NewFile,
  MessageDraft,
  HistoryPage,
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

/** A conversation during one appendMessages batch. */
interface BatchConversation {
  /** Including the messages this batch appended so far. */
  lastSeq: number;
  /** In joining order, as memberIds returns them. */
  members: string[];
  /** Whether the batch appended to it, so that its stored last_seq must follow. */
  appended: boolean;
  /** Members whose sends the other member of a direct conversation blocked. */
  blockedSenders: string[];
}

export class SqliteStoreError extends Error {
  override name = 'SqliteStoreError';
}

/**
 * Who opens the database:
 * - `relay`: the process that serves it. It takes the owner lock (a second
 *   relay is refused), creates the file when needed and migrates its schema.
 * - `operator`: a short command beside a running or stopped relay. No lock,
 *   no creation, no migration: the database must exist and have this
 *   version's schema, so that a command never changes the schema under a
 *   relay of another version.
 */
export type StoreRole = 'relay' | 'operator';

// The relay's thread waits at most this long for an operator command's write
// (those take milliseconds); a command waits longer for a busy relay.
const BUSY_TIMEOUT_MS: Record<StoreRole, number> = { relay: 1_000, operator: 10_000 };

const SETTING_REGISTRATION = 'registration';

/** The database file of a data directory. */
export function databaseFileIn(dataDir: string): string {
  return path.join(dataDir, 'relay.db');
}

/** Opens the database file as `role` (see StoreRole). */
export function openSqliteStore(file: string, role: StoreRole = 'relay'): SqliteStore {
  const onDisk = file !== ':memory:';
  if (onDisk && role === 'operator' && !existsSync(file)) {
    throw new SqliteStoreError(`no database at ${file}: check --data (a relay creates it when it first starts)`);
  }
  let lock: OwnerLock | undefined;
  if (onDisk && role === 'relay') {
    privateDirectory(path.dirname(file));
    // Before SQLite creates any of them (private-files.ts).
    for (const own of [file, ownerLockFile(file)]) privateFile(own);
    for (const sidecar of [`${file}-wal`, `${file}-shm`]) tightenIfPresent(sidecar);
    lock = OwnerLock.tryAcquire(file);
    if (!lock) throw new SqliteStoreError(`${file} is locked: is another relay running on this data directory?`);
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: BUSY_TIMEOUT_MS[role] });
    // secure_delete: SQLite overwrites deleted content with zeros, so that an
    // erased message leaves nothing in free pages (docs/operations.md, "Erasure").
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON');
    if (role === 'relay') migrate(db, MIGRATIONS, refuseNewerSchema);
    else requireCurrentSchema(db, file);
  } catch (error) {
    db?.close();
    lock?.release();
    throw error;
  }
  return new SqliteStore(db, file, role, lock);
}

function refuseNewerSchema(version: number): SqliteStoreError {
  return new SqliteStoreError(`database schema version ${version} is newer than this relay (${MIGRATIONS.length})`);
}

function requireCurrentSchema(db: DatabaseSync, file: string): void {
  const version = schemaVersion(db);
  if (version > MIGRATIONS.length) throw refuseNewerSchema(version);
  if (version < MIGRATIONS.length) {
    throw new SqliteStoreError(
      `${file} has schema version ${version}, this version of the relay needs ${MIGRATIONS.length}: ` +
        'start the relay of this version once to upgrade it',
    );
  }
}


export class SqliteStore implements RelayStore {
  readonly #db: DatabaseSync;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #file: string;
  readonly #role: StoreRole;
  readonly #lock: OwnerLock | undefined;
  /**
   * Something was erased (a delete, a file record) and the write-ahead log
   * may still hold it: checkpointed and truncated after the next batch of
   * sends, and at close (docs/operations.md, "Erasure").
   */
  #erasurePending = false;

  constructor(db: DatabaseSync, file: string, role: StoreRole, lock: OwnerLock | undefined) {
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#file = file;
    this.#role = role;
    this.#lock = lock;
  }

  /** The database file. */
  get file(): string {
    return this.#file;
  }

  // ---- accounts ----

  async createUser(user: NewUser, now: number): Promise<User | null> {
    const id = randomUUID();
    const { changes } = this.#sql.insertUser.run(
      id,
      user.username,
      user.displayName,
      user.displayName.toLowerCase(),
      user.passwordHash,
      now,
    );
    return changes === 0 ? null : { id, username: user.username, displayName: user.displayName };
  }

  async userByUsername(username: string): Promise<UserWithPassword | undefined> {
    const row = this.#sql.userByUsername.get(username) as (UserRow & { disabled_at: number | null }) | undefined;
    return row && { ...toUser(row), passwordHash: row.password_hash, disabled: row.disabled_at !== null };
  }

  async usersByIds(ids: readonly string[]): Promise<User[]> {
    return (this.#sql.usersByIds.all(JSON.stringify(ids)) as unknown as UserRow[]).map(toUser);
  }

  async searchUsers(prefix: string, exceptUserId: string, limit: number): Promise<User[]> {
    const pattern = searchPattern(prefix);
    return (this.#sql.searchUsers.all(exceptUserId, pattern, pattern, limit) as unknown as UserRow[]).map(toUser);
  }

  async updateProfile(userId: string, changes: ProfileChanges): Promise<ProfileUpdate | undefined> {
    return this.#transaction(() => {
      // A deleted account is no user to change (a frame may still be in flight as its sockets close).
      const before = this.#sql.liveUserPhoto.get(userId) as { photo_file_id: string | null } | undefined;
      if (!before) return undefined;
      const photo = changes.photo === undefined ? before.photo_file_id : changes.photo;
      const row = this.#sql.updateProfile.get(
        changes.displayName ?? null,
        changes.displayName?.toLowerCase() ?? null,
        changes.about ?? null,
        photo,
        userId,
      ) as unknown as UserRow;
      return { user: toUser(row), replacedPhoto: replaced(before.photo_file_id, photo) };
    });
  }

  async deleteAccount(userId: string, now: number): Promise<AccountDeletion | undefined> {
    const deletion = this.#transaction((): AccountDeletion | undefined => {
      const before = this.#sql.liveUserPhoto.get(userId) as { photo_file_id: string | null } | undefined;
      if (!before) return undefined;
      const contacts = (this.#sql.contactsOf.all(userId, null) as unknown as { user_id: string }[]).map((row) => row.user_id);
      const convIds = (this.#sql.memberConvIds.all(userId) as unknown as { conv_id: string }[]).map((row) => row.conv_id);
      const drafts = accountErasureDrafts(
        userId,
        this.#sql.liveMessagesOf.all(userId) as unknown as MessageKey[],
        this.#sql.reactedToBy.all(userId) as unknown as MessageKey[],
      );
      // The changes go in as a delete for everyone would, membership aside:
      // the user's messages in conversations they left are erased too.
      const conversations = new Map<string, BatchConversation | undefined>();
      const storedBefore = new Map<string, Message>();
      const changes: AccountDeletion['changes'] = [];
      const leftWithoutMessage = new Set<string>();
      for (const draft of drafts) {
        const conv = this.#batchConversation(conversations, draft.conv) ?? this.#memberlessConversation(conversations, draft.conv);
        const outcome = this.#appendChange(draft, draft.kind, conv, acceptErasure, now, storedBefore);
        if (outcome.kind !== 'stored') continue;
        changes.push({ message: outcome.message, members: outcome.members });
        if (outcome.unreferencedFile !== undefined) leftWithoutMessage.add(outcome.unreferencedFile);
      }
      for (const [convId, conv] of conversations) {
        if (conv?.appended) this.#sql.setLastSeq.run(conv.lastSeq, convId);
      }
      const revokedTokens = (this.#sql.deleteUserTokensBut.all(userId, null) as unknown as { token_hash: string }[]).map(
        (row) => row.token_hash,
      );
      this.#sql.deleteMembershipsOf.run(userId);
      this.#sql.deleteBlocksOf.run(userId);
      const user = toUser(
        this.#sql.blankDeletedUser.get(userId, DELETED_ACCOUNT_NAME, DELETED_ACCOUNT_NAME.toLowerCase(), now) as unknown as UserRow,
      );
      const files = this.#sql.filesLeftBy.all(userId) as unknown as { id: string; finished: number }[];
      const erasable = new Map(files.map((row) => [row.id, row.finished === 1]));
      if (before.photo_file_id !== null) erasable.set(before.photo_file_id, true);
      for (const id of leftWithoutMessage) erasable.set(id, true);
      this.#erasurePending = true;
      return {
        user,
        changes,
        revokedTokens,
        conversations: convIds.flatMap((id) => this.#conversation(id) ?? []),
        contacts,
        files: [...erasable].map(([id, finished]) => ({ id, finished })),
      };
    });
    if (this.#erasurePending) this.#checkpointErasures(false);
    return deletion;
  }

  async releaseUsername(username: string, deletedBefore: number): Promise<boolean> {
    return this.#sql.releaseUsername.run(username, deletedBefore).changes > 0;
  }

  async addToken(tokenHash: string, userId: string, now: number, device?: SignInDevice): Promise<void> {
    this.#sql.insertToken.run(tokenHash, userId, now, device?.name ?? '', device?.address ?? '');
  }

  async tokenOwner(tokenHash: string): Promise<{ user: User; lastUsedAt: number; address: string } | undefined> {
    const row = this.#sql.tokenOwner.get(tokenHash) as (UserRow & { last_used_at: number; address: string }) | undefined;
    return row && { user: toUser(row), lastUsedAt: row.last_used_at, address: row.address };
  }

  async setTokenAddress(tokenHash: string, address: string): Promise<void> {
    this.#sql.setTokenAddress.run(address, tokenHash);
  }

  async touchTokens(tokenHashes: readonly string[], now: number, usedBefore: number): Promise<void> {
    if (tokenHashes.length > 0) this.#sql.touchTokens.run(now, JSON.stringify(tokenHashes), usedBefore);
  }

  async revokeToken(tokenHash: string): Promise<string | undefined> {
    const row = this.#sql.deleteToken.get(tokenHash) as { user_id: string } | undefined;
    return row?.user_id;
  }

  async existingTokens(tokenHashes: readonly string[]): Promise<Set<string>> {
    const rows = this.#sql.existingTokens.all(JSON.stringify(tokenHashes)) as unknown as { token_hash: string }[];
    return new Set(rows.map((row) => row.token_hash));
  }

  // ---- presence ----

  async setLastSeen(userIds: readonly string[], ts: number): Promise<void> {
    this.#sql.setLastSeen.run(ts, JSON.stringify(userIds));
  }

  async lastSeen(userIds: readonly string[]): Promise<Map<string, number>> {
    const rows = this.#sql.lastSeen.all(JSON.stringify(userIds)) as unknown as { id: string; last_seen: number }[];
    return new Map(rows.map((row) => [row.id, row.last_seen]));
  }

  async contactsOf(userId: string, exceptConv?: string): Promise<string[]> {
    const rows = this.#sql.contactsOf.all(userId, exceptConv ?? null) as unknown as { user_id: string }[];
    return rows.map((row) => row.user_id);
  }

  // ---- conversations ----

  async conversationsOf(userId: string): Promise<Conversation[]> {
    return assembleConversations(
      this.#sql.conversationsOf.all(userId) as unknown as ConversationRow[],
      this.#sql.membersOfConversationsOf.all(userId) as unknown as MemberRow[],
    );
  }

  async conversation(convId: string): Promise<Conversation | undefined> {
    return this.#conversation(convId);
  }

  async isMember(convId: string, userId: string): Promise<boolean> {
    return this.#sql.membership.get(convId, userId) !== undefined;
  }

  async memberIds(convId: string): Promise<string[]> {
    return this.#memberIds(convId);
  }

  async openDirect(userId: string, otherId: string, now: number): Promise<{ conversation: Conversation; created: boolean }> {
    const key = [userId, otherId].sort().join(' ');
    return this.#transaction(() => {
      const existing = this.#sql.directByKey.get(key) as { id: string } | undefined;
      if (existing) return { conversation: this.#requireConversation(existing.id), created: false };
      const id = randomUUID();
      this.#sql.insertConversation.run(id, 'direct', null, key, now);
      this.#sql.insertMember.run(id, userId, 0, 0, now);
      this.#sql.insertMember.run(id, otherId, 0, 0, now);
      return { conversation: this.#requireConversation(id), created: true };
    });
  }

  async createGroup(creatorId: string, title: string, otherMemberIds: readonly string[], now: number): Promise<Conversation> {
    return this.#transaction(() => {
      const id = randomUUID();
      this.#sql.insertConversation.run(id, 'group', title, null, now);
      for (const userId of new Set([creatorId, ...otherMemberIds])) this.#sql.insertMember.run(id, userId, 0, 0, now);
      return this.#requireConversation(id);
    });
  }

  async addMembers(
    convId: string,
    userIds: readonly string[],
    now: number,
  ): Promise<{ conversation: Conversation; added: string[] }> {
    return this.#transaction(() => {
      const { last_seq: lastSeq } = this.#sql.lastSeq.get(convId) as { last_seq: number };
      const added = [...new Set(userIds)].filter(
        (userId) => this.#sql.insertMember.run(convId, userId, lastSeq, lastSeq, now).changes > 0,
      );
      return { conversation: this.#requireConversation(convId), added };
    });
  }

  async removeMember(convId: string, userId: string): Promise<Conversation> {
    this.#sql.deleteMember.run(convId, userId);
    return this.#requireConversation(convId);
  }

  async setConversationPhoto(convId: string, photo: string | null): Promise<{ conversation: Conversation; replacedPhoto: string | null }> {
    return this.#transaction(() => {
      const before = this.#sql.conversationPhoto.get(convId) as { photo_file_id: string | null } | undefined;
      this.#sql.setConversationPhoto.run(photo, convId);
      return { conversation: this.#requireConversation(convId), replacedPhoto: replaced(before?.photo_file_id ?? null, photo) };
    });
  }

  async setTitle(convId: string, title: string): Promise<Conversation> {
    this.#sql.setTitle.run(title, convId);
    return this.#requireConversation(convId);
  }

  // ---- messages ----

  async appendMessages(drafts: readonly MessageDraft[], judge: SendJudge, now: number): Promise<AppendOutcome[]> {
    const outcomes = this.#transaction(() => {
      // The batch works on what it reads once per conversation (last seq,
      // members) and writes each conversation's last seq once at the end: the
      // transaction holds the write lock, so nothing else changes them meanwhile,
      // and the judge may not touch the store.
      const storedBefore = this.#storedMessages(drafts);
      const conversations = new Map<string, BatchConversation | undefined>();
      const outcomes = drafts.map((draft): AppendOutcome => {
        const key = senderCidKey(draft.sender, draft.cid);
        const stored = storedBefore.get(key);
        // A copy, so that no two outcomes share a Message its caller might change.
        if (stored) return { kind: 'duplicate', message: { ...stored } };
        const conv = this.#batchConversation(conversations, draft.conv);
        if (!conv?.members.includes(draft.sender)) {
          return { kind: 'refused', refusal: { code: 'not_found', message: 'no such conversation' } };
        }
        if (conv.blockedSenders.includes(draft.sender)) {
          return { kind: 'refused', refusal: { code: 'forbidden', message: 'this user does not accept your messages' } };
        }
        if (draft.kind !== undefined) return this.#appendChange(draft, draft.kind, conv, judge, now, storedBefore);
        const file = draft.file && this.#messageFile(draft.file, draft.sender);
        if (file === null) {
          return { kind: 'refused', refusal: { code: 'invalid', message: 'no such file, unfinished, or not readable by the sender' } };
        }
        const refusal = judge(draft, { lastSeq: conv.lastSeq });
        if (refusal) return { kind: 'refused', refusal };
        const seq = ++conv.lastSeq;
        conv.appended = true;
        const fileJson = file && JSON.stringify(file);
        this.#sql.insertMessage.run(
          draft.conv,
          seq,
          draft.sender,
          draft.cid,
          draft.body,
          draft.replyTo ?? null,
          now,
          fileJson ?? null,
          file?.id ?? null,
          null,
          null,
          draft.forwarded ? 1 : 0,
        );
        const message: Message = { conv: draft.conv, seq, cid: draft.cid, from: draft.sender, body: draft.body, ts: now };
        if (draft.replyTo !== undefined) message.replyTo = draft.replyTo;
        if (file) message.file = file;
        if (draft.forwarded) message.forwarded = true;
        // A later draft of this batch with the same (sender, cid) is its duplicate.
        storedBefore.set(key, message);
        return { kind: 'stored', message, members: conv.members };
      });
      for (const [convId, conv] of conversations) {
        if (conv?.appended) this.#sql.setLastSeq.run(conv.lastSeq, convId);
      }
      return outcomes;
    });
    if (this.#erasurePending) this.#checkpointErasures(false);
    return outcomes;
  }

  async messagesBy(userId: string, after: { conv: string; seq: number } | null, limit: number): Promise<Message[]> {
    const rows = this.#sql.messagesBy.all(userId, after?.conv ?? null, after?.seq ?? 0, limit) as unknown as MessageRow[];
    return rows.map(toMessage);
  }

  async messagesAfter(convId: string, afterSeq: number, limit: number): Promise<Message[]> {
    return (this.#sql.messagesAfter.all(convId, afterSeq, limit) as unknown as MessageRow[]).map(toMessage);
  }

  async messagesBefore(convId: string, beforeSeq: number | undefined, limit: number): Promise<HistoryPage> {
    // One row more than asked tells whether older messages exist.
    const rows = this.#sql.messagesBefore.all(convId, beforeSeq ?? null, limit + 1) as unknown as MessageRow[];
    const more = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toMessage), more };
  }

  // ---- chat state ----

  async setChatState(convId: string, userId: string, change: Partial<ChatState>): Promise<ChatState | undefined> {
    // NULL leaves a column as it is; mutedUntil tells "unmute" (null) from
    // "leave it" (absent) with its own flag.
    const row = this.#sql.setChatState.get(
      boolOrNull(change.pinned),
      boolOrNull(change.archived),
      change.mutedUntil === undefined ? 0 : 1,
      change.mutedUntil ?? null,
      convId,
      userId,
    ) as ChatStateRow | undefined;
    return row && toChatState(row);
  }

  async chatStatesOf(userId: string): Promise<Map<string, ChatState>> {
    const rows = this.#sql.chatStatesOf.all(userId) as unknown as (ChatStateRow & { conv_id: string })[];
    return new Map(rows.map((row) => [row.conv_id, toChatState(row)]));
  }

  async chatStatesIn(convId: string): Promise<Map<string, ChatState>> {
    const rows = this.#sql.chatStatesIn.all(convId) as unknown as (ChatStateRow & { user_id: string })[];
    return new Map(rows.map((row) => [row.user_id, toChatState(row)]));
  }

  // ---- privacy and caps ----

  async conversationCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    const rows = this.#sql.conversationCounts.all(JSON.stringify(userIds)) as unknown as { user_id: string; count: number }[];
    return new Map(rows.map((row) => [row.user_id, row.count]));
  }

  async privacyOf(userId: string): Promise<PrivacySettings> {
    const row = this.#sql.groupAdds.get(userId) as { group_adds: GroupAddPolicy } | undefined;
    const blocked = (this.#sql.blockedBy.all(userId) as unknown as PublicUserRow[]).map(toUser);
    return { groupAdds: row?.group_adds ?? 'everyone', blocked };
  }

  async setGroupAdds(userId: string, policy: GroupAddPolicy): Promise<void> {
    this.#sql.setGroupAdds.run(policy, userId);
  }

  async block(blockerId: string, blockedId: string, now: number): Promise<void> {
    this.#sql.insertBlock.run(blockerId, blockedId, now);
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    this.#sql.deleteBlock.run(blockerId, blockedId);
  }

  async blockersOf(userId: string, userIds: readonly string[]): Promise<string[]> {
    const rows = this.#sql.blockersOf.all(userId, JSON.stringify(userIds)) as unknown as { blocker_id: string }[];
    return rows.map((row) => row.blocker_id);
  }

  async refusingGroupAdds(requesterId: string, userIds: readonly string[]): Promise<string[]> {
    const rows = this.#sql.refusingGroupAdds.all(requesterId, JSON.stringify(userIds)) as unknown as { id: string }[];
    return rows.map((row) => row.id);
  }

  // ---- files ----

  async createFile(file: NewFile, now: number): Promise<void> {
    this.#sql.insertFile.run(file.id, file.uploaderId, file.name, file.mime, file.size, now);
  }

  async createFinishedFiles(files: readonly FinishedFile[], now: number): Promise<void> {
    this.#transaction(() => {
      for (const file of files) this.#sql.insertFinishedFile.run(file.id, file.uploaderId, file.name, file.mime, file.size, file.sha256, now, now);
    });
  }

  async fileRecord(id: string): Promise<FileRecord | undefined> {
    const row = this.#sql.file.get(id) as FileRow | undefined;
    return row && toFileRecord(row);
  }

  async finishFile(id: string, sha256: string, now: number): Promise<void> {
    this.#sql.finishFile.run(sha256, now, id);
  }

  async mayReadFile(id: string, userId: string): Promise<boolean> {
    return this.#sql.mayReadFile.get(id, userId) !== undefined;
  }

  async filesUploadedBy(userId: string): Promise<FileRecord[]> {
    return (this.#sql.filesUploadedBy.all(userId) as unknown as FileRow[]).map(toFileRecord);
  }

  async readableFile(id: string, userId: string): Promise<FileRecord | undefined> {
    const row = this.#sql.file.get(id) as FileRow | undefined;
    if (!row || row.finished_at === null || this.#sql.mayReadFile.get(id, userId) === undefined) return undefined;
    return toFileRecord(row);
  }

  async storageUsedBy(userId: string): Promise<number> {
    return (this.#sql.storageUsedBy.get(userId) as { bytes: number }).bytes;
  }

  async fileTotals(): Promise<{ files: number; bytes: number }> {
    return this.#sql.fileTotals.get() as { files: number; bytes: number };
  }

  async expiredFiles(createdBefore: number, limit: number): Promise<ExpiredFile[]> {
    const rows = this.#sql.expiredFiles.all(createdBefore, limit) as unknown as { id: string; finished: number }[];
    return rows.map((row) => ({ id: row.id, finished: row.finished === 1 }));
  }

  async deleteFile(id: string): Promise<boolean> {
    const deleted = this.#sql.deleteUnreferencedFile.run(id).changes > 0;
    // The record (its name among others) must not linger in the WAL either.
    if (deleted) this.#erasurePending = true;
    return deleted;
  }

  // ---- receipts ----

  async advanceReceipt(
    convId: string,
    userId: string,
    marks: Partial<ReceiptWatermarks>,
  ): Promise<{ watermarks: ReceiptWatermarks; changed: boolean } | undefined> {
    return this.#transaction(() => {
      const row = this.#sql.receiptOfMember.get(convId, userId) as
        | { delivered: number; read: number; last_seq: number }
        | undefined;
      if (!row) return undefined;
      const read = Math.min(row.last_seq, Math.max(row.read, marks.read ?? 0));
      const delivered = Math.min(row.last_seq, Math.max(row.delivered, marks.delivered ?? 0, read));
      const changed = read !== row.read || delivered !== row.delivered;
      if (changed) this.#sql.setReceipt.run(delivered, read, convId, userId);
      return { watermarks: { delivered, read }, changed };
    });
  }

  // ---- operator ----

  async listTokens(userId?: string): Promise<TokenRecord[]> {
    return (this.#sql.listTokens.all(userId ?? null) as unknown as TokenRow[]).map(toTokenRecord);
  }

  async revokeUserTokens(userId: string): Promise<number> {
    return Number(this.#sql.deleteUserTokens.run(userId).changes);
  }

  async revokeAllTokens(): Promise<number> {
    return Number(this.#sql.deleteAllTokens.run().changes);
  }

  async replacePassword(userId: string, passwordHash: string, ended: SignInsEnded): Promise<string[]> {
    return this.#transaction(() => {
      this.#sql.setPasswordHash.run(passwordHash, userId);
      if (ended === 'none') return [];
      const kept = ended === 'all' ? null : ended.allBut;
      const rows = this.#sql.deleteUserTokensBut.all(userId, kept) as unknown as { token_hash: string }[];
      return rows.map((row) => row.token_hash);
    });
  }

  async listUsers(): Promise<UserRecord[]> {
    return (this.#sql.listUsers.all() as unknown as UserRecordRow[]).map(toUserRecord);
  }

  async setUserDisabled(userId: string, disabledAt: number | null): Promise<{ found: boolean; revoked: number }> {
    return this.#transaction(() => {
      const found = this.#sql.setDisabledAt.run(disabledAt, userId).changes > 0;
      const revoked = found && disabledAt !== null ? Number(this.#sql.deleteUserTokens.run(userId).changes) : 0;
      return { found, revoked };
    });
  }

  async registrationSetting(): Promise<RegistrationSetting | undefined> {
    const row = this.#sql.setting.get(SETTING_REGISTRATION) as { value: string; updated_at: number } | undefined;
    return row && { mode: row.value as RegistrationMode, setAt: row.updated_at };
  }

  async setRegistration(mode: RegistrationMode, now: number): Promise<void> {
    this.#sql.setSetting.run(SETTING_REGISTRATION, mode, now);
  }

  /** Writes a verified, consistent copy of the database to `target` while others keep writing (sqlite-backup.ts). */
  backupTo(target: string): BackupSummary {
    return writeBackup(this.#db, target);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) {
      // Only the relay refreshes the query planner's statistics: from an
      // operator command, the ANALYZE this may run would hold the write lock
      // while the relay waits to store messages.
      if (this.#role === 'relay') {
        this.#db.exec('PRAGMA optimize');
        // Leaves no write-ahead log behind, so that nothing erased survives
        // in it (SQLite removes the WAL on the last close too, but not while
        // an operator command still has the database open).
        this.#checkpointErasures(true);
      }
      this.#db.close();
    }
    this.#lock?.release();
  }

  // ---- internals ----

  /**
   * Stores a change (MessageDraft.kind) after checking its target, and
   * updates the target's current state. Runs inside appendMessages'
   * transaction, after deduplication, membership and blocks.
   */
  #appendChange(
    draft: MessageDraft,
    kind: MessageChangeKind,
    conv: BatchConversation,
    judge: SendJudge,
    now: number,
    storedBefore: Map<string, Message>,
  ): AppendOutcome {
    const target = draft.target === undefined ? undefined : (this.#sql.targetOf.get(draft.conv, draft.target) as TargetRow | undefined);
    const refusal =
      changeRefusal(draft, kind, target, now) ?? judge(draft, { lastSeq: conv.lastSeq, targetHasFile: target?.file_id != null });
    if (refusal) return { kind: 'refused', refusal };
    const targetSeq = draft.target as number;
    const seq = ++conv.lastSeq;
    conv.appended = true;
    // A delete carries no text of its own, whatever the draft held.
    const body = kind === 'delete' ? '' : draft.body;
    this.#sql.insertMessage.run(draft.conv, seq, draft.sender, draft.cid, body, null, now, null, null, kind, targetSeq, 0);
    let unreferencedFile: string | undefined;
    if (kind === 'edit') this.#sql.editMessage.run(body, now, draft.conv, targetSeq);
    else if (kind === 'react') {
      this.#sql.setReactions.run(reactionsAfter(target?.reactions ?? null, draft.sender, body), draft.conv, targetSeq);
    } else {
      this.#sql.eraseMessage.run(draft.conv, targetSeq);
      this.#sql.eraseEdits.run(draft.conv, targetSeq);
      this.#erasurePending = true;
      const fileId = target?.file_id;
      if (fileId && this.#sql.fileCarried.get(fileId) === undefined) unreferencedFile = fileId;
    }
    // Messages this batch already returned as duplicates' answers now have another state.
    for (const [key, cached] of storedBefore) {
      if (cached.conv === draft.conv && (cached.seq === targetSeq || cached.target === targetSeq)) {
        storedBefore.set(key, toMessage(this.#sql.messageAt.get(draft.conv, cached.seq) as unknown as MessageRow));
      }
    }
    const message: Message = { conv: draft.conv, seq, cid: draft.cid, from: draft.sender, body, ts: now, kind, target: targetSeq };
    storedBefore.set(senderCidKey(draft.sender, draft.cid), message);
    return { kind: 'stored', message, members: conv.members, ...(unreferencedFile && { unreferencedFile }) };
  }

  /**
   * Copies the write-ahead log into the database and truncates it; kept
   * pending while a reader (an operator command: a backup can read for
   * minutes) holds it back. Without `wait` it gives up at once instead of
   * waiting the busy timeout, which would stall every socket: the next batch
   * of sends tries again.
   */
  #checkpointErasures(wait: boolean): void {
    if (!wait) this.#db.exec('PRAGMA busy_timeout = 0');
    try {
      const result = this.#sql.checkpoint.get() as { busy: number };
      this.#erasurePending = result.busy !== 0;
    } finally {
      if (!wait) this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS[this.#role]}`);
    }
  }

  #transaction<T>(work: () => T): T {
    this.#sql.begin.run();
    try {
      const result = work();
      this.#sql.commit.run();
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#sql.rollback.run();
      throw error;
    }
  }

  /** The messages already stored under the drafts' (sender, cid) pairs, by senderCidKey: one query per batch. */
  #storedMessages(drafts: readonly MessageDraft[]): Map<string, Message> {
    const pairs = JSON.stringify(drafts.map((draft) => [draft.sender, draft.cid]));
    const rows = this.#sql.messagesBySenderCids.all(pairs) as unknown as MessageRow[];
    return new Map(rows.map((row) => [senderCidKey(row.sender_id, row.cid), toMessage(row)]));
  }

  /** MSG.file for a send's file, or null when the file is unknown, unfinished or not readable by the sender. */
  #messageFile(ref: FileRef, senderId: string): MessageFile | null {
    const row = this.#sql.file.get(ref.id) as FileRow | undefined;
    if (!row || row.finished_at === null || this.#sql.mayReadFile.get(ref.id, senderId) === undefined) return null;
    return { ...ref, name: row.name, mime: row.mime, size: row.size };
  }

  /** The conversation as this batch sees it, read on its first draft; undefined when it has no members (or does not exist). */
  #batchConversation(
    conversations: Map<string, BatchConversation | undefined>,
    convId: string,
  ): BatchConversation | undefined {
    if (conversations.has(convId)) return conversations.get(convId);
    const rows = this.#sql.lastSeqAndMembers.all(convId) as unknown as [lastSeq: number, userId: string][];
    const conv = rows[0] && {
      lastSeq: rows[0][0],
      members: rows.map((row) => row[1]),
      appended: false,
      blockedSenders: (this.#sql.blockedInDirect.all(convId) as unknown as { blocked_id: string }[]).map((row) => row.blocked_id),
    };
    conversations.set(convId, conv);
    return conv;
  }

  /** A conversation nobody is a member of any more, for an account's erasure: its log stays. */
  #memberlessConversation(conversations: Map<string, BatchConversation | undefined>, convId: string): BatchConversation {
    const { last_seq: lastSeq } = this.#sql.lastSeq.get(convId) as { last_seq: number };
    const conv: BatchConversation = { lastSeq, members: [], appended: false, blockedSenders: [] };
    conversations.set(convId, conv);
    return conv;
  }

  #conversation(convId: string): Conversation | undefined {
    const row = this.#sql.conversation.get(convId) as ConversationRow | undefined;
    if (!row) return undefined;
    return assembleConversations([row], this.#sql.membersOf.all(convId) as unknown as MemberRow[])[0];
  }

  #requireConversation(convId: string): Conversation {
    const conversation = this.#conversation(convId);
    if (!conversation) throw new SqliteStoreError(`conversation ${convId} does not exist`);
    return conversation;
  }

  #memberIds(convId: string): string[] {
    return (this.#sql.memberIds.all(convId) as unknown as { user_id: string }[]).map((row) => row.user_id);
  }
}

function prepareStatements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => db.prepare(sql);
  const idsIn = 'IN (SELECT value FROM json_each(?))';
  return {
    // Prepared like the rest: every send batch runs them.
    begin: prepare('BEGIN IMMEDIATE'),
    commit: prepare('COMMIT'),
    rollback: prepare('ROLLBACK'),
    insertUser: prepare(
      `INSERT INTO users (id, username, display_name, display_name_lower, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
    ),
    userByUsername: prepare(
      `SELECT ${USER_COLUMNS}, password_hash, disabled_at FROM users WHERE username = ? AND deleted_at IS NULL`,
    ),
    listUsers: prepare(
      `SELECT ${USER_COLUMNS}, created_at, disabled_at, last_seen, deleted_at,
         (SELECT count(*) FROM tokens t WHERE t.user_id = users.id) AS sign_ins
       FROM users ORDER BY username`,
    ),
    setDisabledAt: prepare('UPDATE users SET disabled_at = ? WHERE id = ?'),
    usersByIds: prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id ${idsIn}`),
    updateProfile: prepare(
      `UPDATE users SET display_name = coalesce(?1, display_name), display_name_lower = coalesce(?2, display_name_lower),
         about = coalesce(?3, about), photo_file_id = ?4
       WHERE id = ?5 RETURNING ${USER_COLUMNS}`,
    ),
    conversationPhoto: prepare('SELECT photo_file_id FROM conversations WHERE id = ?'),
    setConversationPhoto: prepare('UPDATE conversations SET photo_file_id = ? WHERE id = ?'),
    searchUsers: prepare(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE id != ? AND deleted_at IS NULL AND (username LIKE ? ESCAPE '\\' OR display_name_lower LIKE ? ESCAPE '\\')
       ORDER BY username LIMIT ?`,
    ),
    liveUserPhoto: prepare('SELECT photo_file_id FROM users WHERE id = ? AND deleted_at IS NULL'),
    memberConvIds: prepare('SELECT conv_id FROM members WHERE user_id = ? ORDER BY conv_id'),
    liveMessagesOf: prepare(
      'SELECT conv_id, seq FROM messages WHERE sender_id = ? AND kind IS NULL AND deleted = 0 ORDER BY conv_id, seq',
    ),
    // Messages of others carrying a reaction of the user: JSON object USER_ID → emoji.
    reactedToBy: prepare(
      `SELECT conv_id, seq FROM messages
       WHERE kind IS NULL AND deleted = 0 AND sender_id != ?1 AND reactions IS NOT NULL
         AND EXISTS (SELECT 1 FROM json_each(reactions) WHERE key = ?1)
       ORDER BY conv_id, seq`,
    ),
    deleteMembershipsOf: prepare('DELETE FROM members WHERE user_id = ?'),
    deleteBlocksOf: prepare('DELETE FROM blocks WHERE blocker_id = ?1 OR blocked_id = ?1'),
    blankDeletedUser: prepare(
      `UPDATE users SET display_name = ?2, display_name_lower = ?3, about = '', photo_file_id = NULL, password_hash = '',
         group_adds = 'everyone', last_seen = NULL, disabled_at = NULL, deleted_at = ?4
       WHERE id = ?1 RETURNING ${USER_COLUMNS}`,
    ),
    filesLeftBy: prepare(
      `SELECT f.id, f.finished_at IS NOT NULL AS finished FROM files f
       WHERE f.uploader_id = ? AND (f.finished_at IS NULL OR ${unused('f.id')})`,
    ),
    // A name USERNAME_PATTERN never matches, so nobody can choose it.
    releaseUsername: prepare(
      `UPDATE users SET username = '~deleted~' || id WHERE username = ? AND deleted_at IS NOT NULL AND deleted_at < ?`,
    ),
    insertToken: prepare(
      `INSERT INTO tokens (token_hash, user_id, created_at, last_used_at, device_name, address)
       VALUES (?1, ?2, ?3, ?3, ?4, ?5)`,
    ),
    tokenOwner: prepare(
      `SELECT u.id, u.username, u.display_name, u.about, u.photo_file_id, t.last_used_at, t.address
       FROM tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ?`,
    ),
    setTokenAddress: prepare('UPDATE tokens SET address = ? WHERE token_hash = ?'),
    touchTokens: prepare(
      'UPDATE tokens SET last_used_at = ?1 WHERE token_hash IN (SELECT value FROM json_each(?2)) AND last_used_at < ?3',
    ),
    deleteToken: prepare('DELETE FROM tokens WHERE token_hash = ? RETURNING user_id'),
    existingTokens: prepare(`SELECT token_hash FROM tokens WHERE token_hash ${idsIn}`),
    listTokens: prepare(
      `SELECT t.token_hash, t.created_at, t.last_used_at, t.device_name, t.address, u.id, u.username, u.display_name, u.about, u.photo_file_id
       FROM tokens t JOIN users u ON u.id = t.user_id
       WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.created_at, t.token_hash`,
    ),
    deleteUserTokens: prepare('DELETE FROM tokens WHERE user_id = ?'),
    deleteUserTokensBut: prepare('DELETE FROM tokens WHERE user_id = ?1 AND token_hash IS NOT ?2 RETURNING token_hash'),
    deleteAllTokens: prepare('DELETE FROM tokens'),
    setPasswordHash: prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    setting: prepare('SELECT value, updated_at FROM settings WHERE name = ?'),
    setSetting: prepare(
      `INSERT INTO settings (name, value, updated_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (name) DO UPDATE SET value = ?2, updated_at = ?3`,
    ),
    // Not for a deleted account, whose sockets close after it is blanked.
    setLastSeen: prepare(`UPDATE users SET last_seen = ? WHERE id ${idsIn} AND deleted_at IS NULL`),
    lastSeen: prepare(`SELECT id, last_seen FROM users WHERE id ${idsIn} AND last_seen IS NOT NULL`),
    contactsOf: prepare(
      `SELECT DISTINCT other.user_id FROM members mine
       JOIN members other ON other.conv_id = mine.conv_id AND other.user_id != mine.user_id
       WHERE mine.user_id = ?1 AND mine.conv_id IS NOT ?2`,
    ),
    conversationsOf: prepare(
      `SELECT ${CONVERSATION_COLUMNS} FROM members me JOIN conversations c ON c.id = me.conv_id
       WHERE me.user_id = ? ORDER BY c.created_at, c.id`,
    ),
    membersOfConversationsOf: prepare(
      `SELECT ${MEMBER_COLUMNS} FROM members me
       JOIN members m ON m.conv_id = me.conv_id JOIN users u ON u.id = m.user_id
       WHERE me.user_id = ? ORDER BY m.conv_id, m.rowid`,
    ),
    conversation: prepare(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?`),
    membersOf: prepare(
      `SELECT ${MEMBER_COLUMNS} FROM members m JOIN users u ON u.id = m.user_id WHERE m.conv_id = ? ORDER BY m.rowid`,
    ),
    membership: prepare('SELECT 1 FROM members WHERE conv_id = ? AND user_id = ?'),
    memberIds: prepare('SELECT user_id FROM members WHERE conv_id = ? ORDER BY rowid'),
    directByKey: prepare('SELECT id FROM conversations WHERE direct_key = ?'),
    insertConversation: prepare(
      'INSERT INTO conversations (id, kind, title, direct_key, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    insertMember: prepare(
      `INSERT INTO members (conv_id, user_id, delivered, read, joined_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (conv_id, user_id) DO NOTHING`,
    ),
    deleteMember: prepare('DELETE FROM members WHERE conv_id = ? AND user_id = ?'),
    setTitle: prepare('UPDATE conversations SET title = ? WHERE id = ?'),
    lastSeq: prepare('SELECT last_seq FROM conversations WHERE id = ?'),
    // Rows as arrays: a third cheaper than objects, and every send batch runs it once per conversation.
    lastSeqAndMembers: returningArrays(
      prepare(
        `SELECT c.last_seq, m.user_id FROM members m JOIN conversations c ON c.id = m.conv_id
         WHERE m.conv_id = ? ORDER BY m.rowid`,
      ),
    ),
    setLastSeq: prepare('UPDATE conversations SET last_seq = ? WHERE id = ?'),
    // The pairs are a JSON array of [sender, cid]; each is one lookup in messages_sender_cid.
    messagesBySenderCids: prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM json_each(?) pair
       JOIN messages ON sender_id = pair.value ->> 0 AND cid = pair.value ->> 1`,
    ),
    insertMessage: prepare(`INSERT INTO messages (${INSERTED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    messageAt: prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = ? AND seq = ?`),
    targetOf: prepare('SELECT sender_id, ts, kind, deleted, file_id, reactions FROM messages WHERE conv_id = ? AND seq = ?'),
    editMessage: prepare('UPDATE messages SET body = ?, edited_at = ? WHERE conv_id = ? AND seq = ?'),
    setReactions: prepare('UPDATE messages SET reactions = ? WHERE conv_id = ? AND seq = ?'),
    // Only the fact that the message existed and was deleted remains (docs/relay.md, "Changes to messages").
    eraseMessage: prepare(
      `UPDATE messages SET body = '', file = NULL, file_id = NULL, reply_to = NULL, forwarded = 0, edited_at = NULL,
         reactions = NULL, deleted = 1
       WHERE conv_id = ? AND seq = ?`,
    ),
    eraseEdits: prepare(`UPDATE messages SET body = '' WHERE conv_id = ? AND target = ? AND kind = 'edit'`),
    fileCarried: prepare('SELECT 1 FROM messages WHERE file_id = ? LIMIT 1'),
    checkpoint: prepare('PRAGMA wal_checkpoint(TRUNCATE)'),
    messagesBy: prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ?1 AND (?2 IS NULL OR (conv_id, seq) > (?2, ?3))
       ORDER BY conv_id, seq LIMIT ?4`,
    ),
    messagesAfter: prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    messagesBefore: prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = ?1 AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3`,
    ),
    receiptOfMember: prepare(
      `SELECT m.delivered, m.read, c.last_seq FROM members m JOIN conversations c ON c.id = m.conv_id
       WHERE m.conv_id = ? AND m.user_id = ?`,
    ),
    setReceipt: prepare('UPDATE members SET delivered = ?, read = ? WHERE conv_id = ? AND user_id = ?'),
    conversationCounts: prepare(
      `SELECT user_id, COUNT(*) AS count FROM members WHERE user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id`,
    ),
    setChatState: prepare(
      `UPDATE members SET pinned = coalesce(?1, pinned), archived = coalesce(?2, archived),
         muted_until = CASE WHEN ?3 THEN ?4 ELSE muted_until END
       WHERE conv_id = ?5 AND user_id = ?6 RETURNING ${CHAT_STATE_COLUMNS}`,
    ),
    chatStatesOf: prepare(`SELECT conv_id, ${CHAT_STATE_COLUMNS} FROM members WHERE user_id = ?`),
    chatStatesIn: prepare(`SELECT user_id, ${CHAT_STATE_COLUMNS} FROM members WHERE conv_id = ?`),
    groupAdds: prepare('SELECT group_adds FROM users WHERE id = ?'),
    setGroupAdds: prepare('UPDATE users SET group_adds = ? WHERE id = ?'),
    blockedBy: prepare(
      `SELECT ${USER_COLUMNS} FROM blocks b JOIN users ON users.id = b.blocked_id
       WHERE b.blocker_id = ? ORDER BY b.created_at, b.rowid`,
    ),
    insertBlock: prepare(
      'INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    deleteBlock: prepare('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?'),
    blockersOf: prepare(`SELECT blocker_id FROM blocks WHERE blocked_id = ? AND blocker_id ${idsIn}`),
    // In a direct conversation: the member the other one blocked, if any.
    blockedInDirect: prepare(
      `SELECT b.blocked_id FROM conversations c
       JOIN members blocker ON blocker.conv_id = c.id
       JOIN blocks b ON b.blocker_id = blocker.user_id
       JOIN members blocked ON blocked.conv_id = c.id AND blocked.user_id = b.blocked_id
       WHERE c.id = ? AND c.kind = 'direct'`,
    ),
    refusingGroupAdds: prepare(
      `SELECT u.id FROM users u WHERE u.id IN (SELECT value FROM json_each(?2)) AND (
         u.group_adds = 'nobody'
         OR EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = ?1)
         OR (u.group_adds = 'contacts' AND NOT EXISTS (
           SELECT 1 FROM conversations c
           WHERE c.direct_key = CASE WHEN u.id < ?1 THEN u.id || ' ' || ?1 ELSE ?1 || ' ' || u.id END)))`,
    ),
    insertFile: prepare('INSERT INTO files (id, uploader_id, name, mime, size, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    insertFinishedFile: prepare(
      'INSERT INTO files (id, uploader_id, name, mime, size, sha256, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    file: prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE id = ?`),
    finishFile: prepare('UPDATE files SET sha256 = ?, finished_at = ? WHERE id = ?'),
    // The uploader; a member of a conversation holding a message that carries
    // it; anyone sharing a conversation with the user whose photo it is (the
    // user included); a member of the group whose photo it is.
    mayReadFile: prepare(
      `SELECT 1 FROM files f WHERE f.id = ?1 AND (f.uploader_id = ?2
         OR EXISTS (SELECT 1 FROM messages m JOIN members mb ON mb.conv_id = m.conv_id AND mb.user_id = ?2 WHERE m.file_id = ?1)
         OR EXISTS (SELECT 1 FROM users u JOIN members theirs ON theirs.user_id = u.id
                    JOIN members mine ON mine.conv_id = theirs.conv_id AND mine.user_id = ?2 WHERE u.photo_file_id = ?1)
         OR EXISTS (SELECT 1 FROM conversations c JOIN members mb ON mb.conv_id = c.id AND mb.user_id = ?2
                    WHERE c.photo_file_id = ?1))`,
    ),
    filesUploadedBy: prepare(
      `SELECT ${FILE_COLUMNS} FROM files WHERE uploader_id = ? AND finished_at IS NOT NULL ORDER BY created_at, id`,
    ),
    storageUsedBy: prepare('SELECT coalesce(sum(size), 0) AS bytes FROM files WHERE uploader_id = ?'),
    fileTotals: prepare(
      'SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM files WHERE finished_at IS NOT NULL',
    ),
    expiredFiles: prepare(
      `SELECT f.id, f.finished_at IS NOT NULL AS finished FROM files f
       WHERE f.created_at < ? AND (f.finished_at IS NULL OR ${unused('f.id')})
       ORDER BY f.created_at LIMIT ?`,
    ),
    deleteUnreferencedFile: prepare(`DELETE FROM files WHERE id = ?1 AND ${unused('?1')}`),
  };
}

/** SQL true when no message carries the file and it is nobody's photo, nor a group's. */
function unused(fileId: string): string {
  return `(NOT EXISTS (SELECT 1 FROM messages m WHERE m.file_id = ${fileId})
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.photo_file_id = ${fileId})
    AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.photo_file_id = ${fileId}))`;
}

function returningArrays(statement: StatementSync): StatementSync {
  statement.setReturnArrays(true);
  return statement;
}
