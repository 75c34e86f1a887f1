// ClientStore: everything the engine keeps on the device, behind one async
// interface so that both SQLite (desktop main process, synchronous
// node:sqlite underneath) and IndexedDB (web client) can implement it. The
// engine writes through it before it shows anything, so a restart loses
// nothing: conversations with their cursors, the messages the relay stored,
// and the outbox of jobs (messages to send, and later edits, reactions...)
// the relay has not taken yet.
//
// One store holds one user's data (ClientStoreOpener takes the user id), so
// signing in as someone else can never show the previous user's messages.
// Both implementations pass the one contract suite in test/client-store/.
import type { ChatFile } from '../api.ts';
import type { ChatState, ConversationKind, Message, ReceiptWatermarks, User } from '../protocol/index.ts';

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
  /** The user's pin, archive and mute as shown: the relay's last word with
   * `pendingChatState` laid over it (docs/engine.md, "Chat state"). */
  chatState: ChatState;
  /** Fields the user changed on this device that the relay has not
   * confirmed yet, sent again after every `synced` until it has; null when
   * there are none. */
  pendingChatState: Partial<ChatState> | null;
  /** A group's photo (a file id). Not written by every store: each session
   * start's `welcome` brings it again (members' photos are kept with the
   * members). */
  photo?: string;
}

/** `queued` waits to be sent (or for its answer); `failed` got a final refusal. */
export type OutboxJobState = 'queued' | 'failed';

/** What every outbox job has, whatever it asks of the relay. */
interface OutboxJobBase {
  /** Its identity from the moment it is written, and the relay's dedup key. */
  cid: string;
  conv: string;
  /** Local time of writing. */
  createdAt: number;
  state: OutboxJobState;
  /** The relay's reason, once `failed`. */
  error?: string;
}

/** A new message the relay has not stored yet. */
export interface SendJob extends OutboxJobBase {
  kind: 'send';
  body: string;
  replyTo?: number;
  forwarded?: true;
  /** A file already on the relay that the user can read (a forwarded file
   * message): sent by its id, nothing to upload. */
  file?: NonNullable<Message['file']>;
}

/** A change to an earlier message (docs/engine.md, "Changes in the outbox").
 * `targetCid` names the message from the start; `target`, its seq, is known
 * once the relay has stored it: a change to a message still in the outbox
 * waits behind it in the same queue, and settling the message fills in the
 * seq of every change that targets it (settleOutboxJobs). */
interface ChangeJobBase extends OutboxJobBase {
  targetCid: string;
  target?: number;
}

export interface EditJob extends ChangeJobBase {
  kind: 'edit';
  body: string;
}

export interface DeleteJob extends ChangeJobBase {
  kind: 'delete';
}

export interface ReactJob extends ChangeJobBase {
  kind: 'react';
  /** One emoji, or "" to remove the user's reaction. */
  body: string;
}

export type ChangeJob = EditJob | DeleteJob | ReactJob;

/** What the sender says of a file before the relay has it: the relay's
 * record adds nothing but the id (docs/files.md, "The apps' side"). */
export type OutgoingFile = Omit<ChatFile, 'id'>;

/** A message with a file: upload the bytes (tus), then send the message.
 * The bytes are kept beside the job (addUploadToOutbox) until the upload is
 * finished, so a restart resumes it. */
export interface UploadJob extends OutboxJobBase {
  kind: 'upload';
  /** The caption; may be empty. */
  body: string;
  replyTo?: number;
  file: OutgoingFile;
  /** The tus upload URL once the relay created it: a resumed upload asks it
   * for its offset and goes on from there. */
  uploadUrl?: string;
  /** The relay's file id once every byte arrived: only the send remains. */
  fileId?: string;
}

/** Something the user did that the relay has not taken yet, persisted until
 * it has: one kind per operation (`send`, `upload` then send, and
 * the changes), each with its own fields (the stores keep a job's own fields
 * without knowing them). */
export type OutboxJob = SendJob | UploadJob | ChangeJob;
export type OutboxJobKind = OutboxJob['kind'];
/** A job that is a message of its own (shown as one), not a change to one. */
export type MessageJob = SendJob | UploadJob;

export function isMessageJob(job: OutboxJob): job is MessageJob {
  return job.kind === 'send' || job.kind === 'upload';
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

  /** Writes messages of one relay frame, in one transaction: an ordinary
   * message is inserted or replaced (by conv + seq) as the relay serves it,
   * in its current state; a change (`kind` set) is folded into its target
   * (foldChange) when the target is stored and not already newer than the
   * change, and is not stored itself (docs/engine.md, "Changes to
   * messages"). */
  putMessages(messages: readonly Message[]): Promise<void>;
  /** The outbox settling its jobs: in one transaction, writes the messages
   * the relay stored for them (as putMessages), deletes the jobs with these
   * cids, and gives every change job that targets one of these messages by
   * cid its seq; so a message is outgoing or stored, never both, even across
   * a crash. Cids without a job are ignored. */
  settleOutboxJobs(cids: readonly string[], messages: readonly Message[]): Promise<void>;
  /** One stored message, in its current state. */
  getMessage(conv: string, seq: number): Promise<Message | undefined>;
  /** Up to `limit` messages of a conversation, the newest below `beforeSeq`
   * (or the newest of all), in ascending seq order. */
  getMessages(conv: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]>;
  /** Up to `limit` messages of `from` in a seq range, ascending. */
  getMessagesFrom(conv: string, from: string, range: MessageRange, limit: number): Promise<Message[]>;
  /** How many stored messages above `afterSeq` were not sent by `exceptFrom`. */
  countMessagesAfter(conv: string, afterSeq: number, exceptFrom: string): Promise<number>;
  /** The lowest stored seq of a conversation, or null when none is stored. */
  oldestSeq(conv: string): Promise<number | null>;
  /** Stored messages of every conversation that match the query (each of
   * its words begins a word of the body, ignoring case and accents:
   * src/shared/search/search-text.ts), newest first by ts (messages of the
   * same millisecond in no promised order), at most `limit`. A query without words matches nothing. The index behind
   * it follows every write to the messages, including those made before it
   * existed (docs/engine.md, "Search"). */
  searchMessages(query: string, limit: number): Promise<Message[]>;

  /** Appends a job; the outbox keeps the order jobs were added in. */
  addToOutbox(job: OutboxJob): Promise<void>;
  /** Replaces a job (by cid) in place, keeping its position; nothing
   * happens when there is no such job. */
  updateOutboxJob(job: OutboxJob): Promise<void>;
  removeFromOutbox(cid: string): Promise<void>;
  getOutboxJob(cid: string): Promise<OutboxJob | undefined>;
  /** Outbox jobs in the order added, of one conversation when given. */
  listOutbox(conv?: string): Promise<OutboxJob[]>;
  /** The last message job (send or upload, queued or failed) added to a
   * conversation's outbox: what its summary shows, read without the rest of
   * the outbox, which may hold thousands while a flush goes. */
  newestOutboxMessage(conv: string): Promise<MessageJob | undefined>;
  /** The change jobs that name one message by cid (`targetCid`), in the
   * order added, without reading the rest of the outbox. */
  listChangesTo(conv: string, cid: string): Promise<ChangeJob[]>;

  /** Appends an upload job together with its file's bytes, in one
   * transaction. The bytes go when the job goes (removed, settled, its
   * conversation deleted) or earlier with dropOutboxFile. */
  addUploadToOutbox(job: UploadJob, bytes: Uint8Array): Promise<void>;
  /** The bytes of an upload job's file, while kept. */
  getOutboxFile(cid: string): Promise<Uint8Array | undefined>;
  /** Frees an upload job's bytes (the relay has them all). */
  dropOutboxFile(cid: string): Promise<void>;

  /** Keeps a downloaded file (by the relay's file id) in the device's cache,
   * which evicts the least recently used files beyond its size cap; a file
   * larger than the cap is not kept. */
  putCachedFile(id: string, bytes: Uint8Array): Promise<void>;
  /** A cached file, counted as used now; undefined when not cached. */
  getCachedFile(id: string): Promise<Uint8Array | undefined>;

  close(): Promise<void>;
}

/** The download cache's default cap: about a few hundred photos. */
export const FILE_CACHE_BYTES = 256 * 1024 * 1024;

/** Opens (creating if needed) the store of one user. */
export type ClientStoreOpener = (userId: string) => Promise<ClientStore>;
