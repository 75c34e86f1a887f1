// Rows as both stores read them (the SQLite and PostgreSQL schemas name their
// columns alike: postgres-schema.ts), and how they become protocol objects.
import type { ChatState, Conversation, Message, MessageChangeKind, MessageFile, User } from '../../src/shared/protocol/index.ts';
import type { FileRecord, TokenRecord, UserRecord } from './types.ts';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  about: string;
  photo_file_id: string | null;
  password_hash: string;
}

export type PublicUserRow = Omit<UserRow, 'password_hash'>;

export interface TokenRow extends PublicUserRow {
  token_hash: string;
  created_at: number;
  last_used_at: number;
  device_name: string;
  address: string;
}

/** A user as the operator's list reads them. */
export interface UserRecordRow extends PublicUserRow {
  created_at: number;
  disabled_at: number | null;
  last_seen: number | null;
  sign_ins: number;
  deleted_at: number | null;
}

export interface ConversationRow {
  id: string;
  kind: 'direct' | 'group';
  title: string | null;
  last_seq: number;
  created_at: number;
  photo_file_id: string | null;
}

export interface MemberRow {
  conv_id: string;
  user_id: string;
  username: string;
  display_name: string;
  about: string;
  photo_file_id: string | null;
  delivered: number;
  read: number;
}

export interface MessageRow {
  conv_id: string;
  seq: number;
  sender_id: string;
  cid: string;
  body: string;
  reply_to: number | null;
  ts: number;
  /** MSG.file as JSON. */
  file: string | null;
  kind: MessageChangeKind | null;
  target: number | null;
  forwarded: number;
  edited_at: number | null;
  deleted: number;
  /** JSON object USER_ID → emoji; NULL when there are none. */
  reactions: string | null;
}

/** A member's own chat state (docs/protocol.md, "Chat state"), kept on the membership. */
export interface ChatStateRow {
  pinned: number;
  archived: number;
  muted_until: number | null;
}

export interface FileRow {
  id: string;
  uploader_id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string | null;
  created_at: number;
  finished_at: number | null;
}

export const USER_COLUMNS = 'id, username, display_name, about, photo_file_id';
export const MESSAGE_COLUMNS = 'conv_id, seq, sender_id, cid, body, reply_to, ts, file, kind, target, forwarded, edited_at, deleted, reactions';
export const INSERTED_COLUMNS = 'conv_id, seq, sender_id, cid, body, reply_to, ts, file, file_id, kind, target, forwarded';
export const CONVERSATION_COLUMNS = 'c.id, c.kind, c.title, c.last_seq, c.created_at, c.photo_file_id';
export const MEMBER_COLUMNS = 'm.conv_id, m.user_id, u.username, u.display_name, u.about, u.photo_file_id, m.delivered, m.read';
export const CHAT_STATE_COLUMNS = 'pinned, archived, muted_until';
export const FILE_COLUMNS = 'id, uploader_id, name, mime, size, sha256, created_at, finished_at';

/** Conversations from their rows and their members' rows (in joining order). */
export function assembleConversations(rows: ConversationRow[], memberRows: MemberRow[]): Conversation[] {
  const byId = new Map<string, Conversation>();
  for (const row of rows) {
    byId.set(row.id, {
      id: row.id,
      kind: row.kind,
      title: row.title,
      members: [],
      lastSeq: row.last_seq,
      receipts: {},
      createdAt: row.created_at,
      ...(row.photo_file_id !== null && { photo: row.photo_file_id }),
    });
  }
  for (const row of memberRows) {
    const conversation = byId.get(row.conv_id);
    if (!conversation) continue;
    conversation.members.push(
      toUser({ id: row.user_id, username: row.username, display_name: row.display_name, about: row.about, photo_file_id: row.photo_file_id }),
    );
    conversation.receipts[row.user_id] = { delivered: row.delivered, read: row.read };
  }
  return [...byId.values()];
}

export function toChatState(row: ChatStateRow): ChatState {
  return { pinned: row.pinned === 1, archived: row.archived === 1, mutedUntil: row.muted_until };
}

/** A boolean as its column holds it (0 or 1), NULL for "leave it as it is". */
export function boolOrNull(value: boolean | undefined): number | null {
  return value === undefined ? null : value ? 1 : 0;
}

export function toUser(row: PublicUserRow): User {
  const user: User = { id: row.id, username: row.username, displayName: row.display_name };
  if (row.about) user.about = row.about;
  if (row.photo_file_id !== null) user.photo = row.photo_file_id;
  return user;
}

export function toTokenRecord(row: TokenRow): TokenRecord {
  return {
    tokenHash: row.token_hash,
    user: toUser(row),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    name: row.device_name,
    address: row.address,
  };
}

export function toUserRecord(row: UserRecordRow): UserRecord {
  return { user: toUser(row), createdAt: row.created_at, disabledAt: row.disabled_at, lastSeen: row.last_seen, signIns: row.sign_ins, deletedAt: row.deleted_at };
}

/** The photo a change replaced, if it replaced one with another or with none. */
export function replaced(before: string | null, after: string | null): string | null {
  return before !== null && before !== after ? before : null;
}

export function toMessage(row: MessageRow): Message {
  const message: Message = { conv: row.conv_id, seq: row.seq, cid: row.cid, from: row.sender_id, body: row.body, ts: row.ts };
  if (row.reply_to !== null) message.replyTo = row.reply_to;
  if (row.file !== null) message.file = JSON.parse(row.file) as MessageFile;
  if (row.kind !== null && row.target !== null) {
    message.kind = row.kind;
    message.target = row.target;
  }
  if (row.forwarded) message.forwarded = true;
  if (row.edited_at !== null) message.editedAt = row.edited_at;
  if (row.deleted) message.deleted = true;
  if (row.reactions !== null) message.reactions = JSON.parse(row.reactions) as Record<string, string>;
  return message;
}

export function toFileRecord(row: FileRow): FileRecord {
  return {
    id: row.id,
    uploaderId: row.uploader_id,
    name: row.name,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** A dedup key for a sender's cid; unambiguous since user ids (UUIDs) contain no space. */
export function senderCidKey(sender: string, cid: string): string {
  return `${sender} ${cid}`;
}

/** Escapes LIKE's wildcards (with `ESCAPE '\'`) so that a search prefix matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** The LIKE pattern of a user search: the prefix, lowered as display_name_lower is. */
export function searchPattern(prefix: string): string {
  return `${escapeLike(prefix.toLowerCase())}%`;
}
