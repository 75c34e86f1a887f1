// ClientStore: everything the engine keeps on the device, behind one async
// interface so that both SQLite (desktop main process, synchronous
// node:sqlite underneath) and IndexedDB (web client) can implement it. The
// engine writes through it before it shows anything, so a restart loses
// nothing: conversations with their cursors, the messages the relay stored,
// and the outbox of messages the relay has not stored yet.
//
// One store holds one user's data (ClientStoreOpener takes the user id), so
// signing in as someone else can never show the previous user's messages.
// Both implementations pass the one contract suite in test/client-store/.
import type { ConversationKind, Message, ReceiptWatermarks, User } from '../protocol/index.ts';

/** A conversation as the client keeps it: the relay's view plus local state. */
export interface StoredConversation {
  id: string;
  kind: ConversationKind;
  /** The group's title; null for a direct conversation. */
  title: string | null;
  members: User[];
  createdAt: number;
  /** The highest seq the relay is known to have stored in the conversation. */
  lastSeq: number;
  /** Delivered/read watermarks per member, as last reported by the relay. */
  receipts: Record<string, ReceiptWatermarks>;
  /** The `hello` cursor: every message from the oldest stored one up to this
   * seq is stored. Messages above it may be stored too (waiting for a gap to
   * be filled), but are not counted as held. */
  cursor: number;
  /** The user's own read watermark; ahead of `receipts[user].read` until the
   * relay has confirmed it. */
  readUpTo: number;
  /** The relay has older messages than the oldest one stored. */
  hasMoreHistory: boolean;
  /** Text typed but not sent. */
  draft: string;
  /** Time of the newest message, stored or outgoing, or of creation: the
   * conversation list sorts by it. */
  lastActivity: number;
}

/** `queued` waits to be sent (or for its `ack`); `failed` got a final nack. */
export type OutboxState = 'queued' | 'failed';

/** A message the user wrote that the relay has not stored yet. */
export interface OutboxEntry {
  /** Its identity from the moment it is written, and the relay's dedup key. */
  cid: string;
  conv: string;
  body: string;
  replyTo?: number;
  /** Local time of writing. */
  createdAt: number;
  state: OutboxState;
  /** The relay's reason, once `failed`. */
  error?: string;
}

export interface MessageRange {
  /** Exclusive lower bound. */
  afterSeq: number;
  /** Inclusive upper bound. */
  throughSeq: number;
}

export interface ClientStore {
  /** The user whose data this is. */
  readonly userId: string;

  /** Every conversation, most recent activity first. */
  listConversations(): Promise<StoredConversation[]>;
  /** Inserts or replaces a conversation (by id). */
  putConversation(conversation: StoredConversation): Promise<void>;
  /** Deletes a conversation with its messages and outbox entries. */
  deleteConversation(id: string): Promise<void>;

  /** Inserts or replaces messages the relay stored (by conv + seq). In the
   * same transaction, deletes the outbox entry of every one of them that the
   * store's user sent (same cid): a message is outgoing or stored, never both,
   * even across a crash. */
  putMessages(messages: readonly Message[]): Promise<void>;
  /** Up to `limit` messages of a conversation, the newest below `beforeSeq`
   * (or the newest of all), in ascending seq order. */
  getMessages(conv: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]>;
  /** Up to `limit` messages of `from` in a seq range, ascending. */
  getMessagesFrom(conv: string, from: string, range: MessageRange, limit: number): Promise<Message[]>;
  /** How many stored messages above `afterSeq` were not sent by `exceptFrom`. */
  countMessagesAfter(conv: string, afterSeq: number, exceptFrom: string): Promise<number>;
  /** The lowest stored seq of a conversation, or null when none is stored. */
  oldestSeq(conv: string): Promise<number | null>;

  /** Appends an entry; the outbox keeps the order entries were added in. */
  addToOutbox(entry: OutboxEntry): Promise<void>;
  /** Replaces an entry (by cid) in place, keeping its position; nothing
   * happens when there is no such entry. */
  updateOutboxEntry(entry: OutboxEntry): Promise<void>;
  removeFromOutbox(cid: string): Promise<void>;
  getOutboxEntry(cid: string): Promise<OutboxEntry | undefined>;
  /** Outbox entries in the order added, of one conversation when given. */
  listOutbox(conv?: string): Promise<OutboxEntry[]>;
  /** The entry of a conversation added last, if any. */
  lastOutboxEntry(conv: string): Promise<OutboxEntry | undefined>;

  close(): Promise<void>;
}

/** Opens (creating if needed) the store of one user. */
export type ClientStoreOpener = (userId: string) => Promise<ClientStore>;
