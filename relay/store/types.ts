// The relay's persistence contract. Every method is asynchronous so that a
// networked implementation (PostgreSQL) or another thread (store-thread.ts,
// which forwards every method by name, arguments structured-cloned, so they
// must be data, or functions it can find by name) can sit behind it; the embedded SQLite
// one answers at once. Implementations own ordering and transactions (seq
// assignment, deduplication, atomic group commits); policy (what a valid body
// is, rate limits) stays in the relay and reaches the store as a SendJudge.
// Both implementations must pass test/relay/store-contract.ts.
import type {
  ChatState,
  Conversation,
  FileRef,
  GroupAddPolicy,
  Message,
  MessageChangeKind,
  NackCode,
  PrivacySettings,
  ReceiptWatermarks,
  User,
} from '../../src/shared/protocol/index.ts';

export type { PrivacySettings };
import type { RegistrationMode } from '../config.ts';

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
}

/** A profile change (docs/protocol.md, "Profiles"): absent fields stay as they are. */
export interface ProfileChanges {
  displayName?: string;
  /** "" clears it. */
  about?: string;
  /** A file id; null removes the photo. */
  photo?: string | null;
}

export interface ProfileUpdate {
  user: User;
  /** The photo the change replaced or removed, for the relay to erase. */
  replacedPhoto: string | null;
}

export interface UserWithPassword extends User {
  passwordHash: string;
  /** Set by the operator (duplex-relay user disable): the user cannot sign in. */
  disabled: boolean;
}

/** A user as the operator's `duplex-relay user list` shows them. */
export interface UserRecord {
  user: User;
  createdAt: number;
  /** When the operator disabled the account; null while enabled. */
  disabledAt: number | null;
  lastSeen: number | null;
  /** Sign-ins (tokens) the user has. */
  signIns: number;
  /** When the user deleted their account (or the operator did); null for a live one. */
  deletedAt: number | null;
}

/**
 * What deleting an account did (RelayStore.deleteAccount), for the relay to
 * announce and to erase (docs/operations.md, "Deleting an account").
 */
export interface AccountDeletion {
  /** The user as everyone sees them now: DELETED_ACCOUNT_NAME, no about, no photo. */
  user: User;
  /**
   * The changes stored for it, in order: a delete of each of the user's
   * messages, and the take-back ("" react) of each reaction they had on a
   * message; each with its conversation's members at commit.
   */
  changes: Array<{ message: Message; members: string[] }>;
  /** The user's sign-ins, all deleted: the sockets opened with them close. */
  revokedTokens: string[];
  /** The conversations the user was a member of, as they are without them. */
  conversations: Conversation[];
  /** The users who shared a conversation with them. */
  contacts: string[];
  /**
   * Files for the relay to erase (FileService.eraseAll): the user's photo,
   * their uploads that nothing carries any more (unfinished ones too), and
   * files the deletes left without a message, as a delete for everyone does.
   */
  files: ExpiredFile[];
}

/** A send that passed the shape checks, waiting to be stored. */
export interface MessageDraft {
  sender: string;
  cid: string;
  conv: string;
  body: string;
  replyTo?: number;
  /** Checked by the store in the transaction: finished, and readable by the sender. */
  file?: FileRef;
  /** Ordinary messages only (the judge refuses it on changes). */
  forwarded?: true;
  /**
   * A change to the message `target` of the same conversation. The store
   * checks the target in the transaction (docs/relay.md, "Changes to
   * messages"): an ordinary message, not deleted (else `invalid`), the
   * sender's own for edit and delete (else `forbidden`), an edit within
   * EDIT_WINDOW_MS (else `invalid`). `target` without `kind` is ignored.
   */
  kind?: MessageChangeKind;
  target?: number;
  /** Set by the relay when the send rate limit refused it as the batch formed
   * (group-commit.ts); for the judge, which answers `rate_limited` after its
   * content checks. The store passes it on untouched. */
  overLimit?: true;
}

/** An upload as the relay records it (docs/files.md). */
export interface NewFile {
  id: string;
  uploaderId: string;
  /** The upload's name and media type, from its metadata. */
  name: string;
  mime: string;
  /** Upload-Length: the size the finished file will have. */
  size: number;
}

/** A new upload with its content's hex SHA-256: every byte is in. */
export interface FinishedFile extends NewFile {
  sha256: string;
}

export interface FileRecord extends NewFile {
  createdAt: number;
  /** Hex SHA-256 of the content; null until finished. */
  sha256: string | null;
  finishedAt: number | null;
}

/** A file the sweep may remove: an unfinished upload, or a finished file no message carries. */
export interface ExpiredFile {
  id: string;
  finished: boolean;
}

export interface Refusal {
  code: NackCode;
  message: string;
}

/** What the store tells the judge about a draft's conversation and target. */
export interface JudgeContext {
  /** The conversation's last seq at that point of the batch. */
  lastSeq: number;
  /** For a change: whether its target carries a file (an edit may then blank the caption). */
  targetHasFile?: boolean;
}

/**
 * The relay's content policy for one send, called inside the transaction for
 * every draft that is neither a duplicate nor from a non-member (nor, for a
 * change, one with a bad target). Returns why the draft is refused, or null
 * to store it. Must be synchronous and must not touch the store.
 */
export type SendJudge = (draft: MessageDraft, context: JudgeContext) => Refusal | null;

export type AppendOutcome =
  /**
   * Stored now; `members` are the conversation's members at commit time.
   * `unreferencedFile`: a delete took away the last message carrying this
   * file; the caller erases it (FileService.eraseUnreferenced).
   */
  | { kind: 'stored'; message: Message; members: string[]; unreferencedFile?: string }
  /** The sender had already used this cid: the message stored then. */
  | { kind: 'duplicate'; message: Message }
  | { kind: 'refused'; refusal: Refusal };

/** A page of a conversation's log, as a `history` answer carries it. */
export interface HistoryPage {
  /** Ascending by seq. */
  messages: Message[];
  /** Whether the conversation has messages older than the first of `messages`. */
  more: boolean;
}

/** Where a sign-in comes from (docs/protocol.md, "Devices"). */
export interface SignInDevice {
  /** The name the app gave at sign-in ("Duplex on Linux"); '' when it gave none. */
  name: string;
  /** The client address it signed in, or last connected, from. */
  address: string;
}

/** A sign-in: one token, which may be behind several open sockets. */
export interface TokenRecord extends SignInDevice {
  tokenHash: string;
  user: User;
  createdAt: number;
  /** When a session last started with it or was open on it (updated about hourly: token-expiry.ts). */
  lastUsedAt: number;
}

/**
 * Which of a user's sign-ins a new password ends: all (an operator's reset),
 * none, or all but one (the device that changed it, when its user signs the
 * others out).
 */
export type SignInsEnded = 'all' | 'none' | { allBut: string };

/** The registration mode an operator stored (duplex-relay registration open|close). */
export interface RegistrationSetting {
  mode: RegistrationMode;
  setAt: number;
}

export interface RelayStore {
  // ---- accounts ----
  /** Null when the username is taken. */
  createUser(user: NewUser, now: number): Promise<User | null>;
  /** The user of a username, undefined when there is none or the account was deleted. */
  userByUsername(username: string): Promise<UserWithPassword | undefined>;
  /**
   * Deletes an account, in one transaction (docs/operations.md, "Deleting an
   * account"): every message of the user (in conversations they left too)
   * deleted for everyone as a delete change would (body, earlier edits' bodies,
   * file), their reactions taken back, their sign-ins, memberships (their chat
   * state with them) and blocks (both ways) removed, their profile blanked and
   * their password hash erased. The user's row stays, marked deleted, so that
   * the log keeps its senders and the username stays taken until
   * releaseUsername. Undefined when there is no such live user.
   */
  deleteAccount(userId: string, now: number): Promise<AccountDeletion | undefined>;
  /**
   * Frees a username held by an account deleted before `deletedBefore` (its
   * quarantine over): the deleted user's row gets a name no one can choose.
   * Whether it freed one.
   */
  releaseUsername(username: string, deletedBefore: number): Promise<boolean>;
  /** Changes the user's profile; the user as it is afterwards, undefined when there is no such user (or it was deleted). */
  updateProfile(userId: string, changes: ProfileChanges): Promise<ProfileUpdate | undefined>;
  /** The users among `ids` that exist, in no particular order. */
  usersByIds(ids: readonly string[]): Promise<User[]>;
  /**
   * Users whose username or display name starts with `prefix`, ignoring case,
   * except `exceptUserId`, ordered by username.
   */
  searchUsers(prefix: string, exceptUserId: string, limit: number): Promise<User[]>;
  /** A new sign-in, counted as used `now`; without `device`, unnamed and from an unknown address. */
  addToken(tokenHash: string, userId: string, now: number, device?: SignInDevice): Promise<void>;
  /** The user a token belongs to, when it was last used and from where; undefined for an unknown (or revoked) token. */
  tokenOwner(tokenHash: string): Promise<{ user: User; lastUsedAt: number; address: string } | undefined>;
  /** Records the address a sign-in connected from (a laptop moves between networks). */
  setTokenAddress(tokenHash: string, address: string): Promise<void>;
  /**
   * Marks the tokens used at `now`, those of them last used before
   * `usedBefore` only: callers pass a granularity, so that a busy token is
   * written once in a while, not at every use.
   */
  touchTokens(tokenHashes: readonly string[], now: number, usedBefore: number): Promise<void>;
  /** Deletes the token; returns the id of the user it belonged to, if it existed. */
  revokeToken(tokenHash: string): Promise<string | undefined>;
  /** Those of `tokenHashes` that are still valid (not revoked). */
  existingTokens(tokenHashes: readonly string[]): Promise<Set<string>>;

  // ---- presence ----
  /** Deleted accounts (deleteAccount) are left without one. */
  setLastSeen(userIds: readonly string[], ts: number): Promise<void>;
  /** lastSeen of those of `userIds` that have one. */
  lastSeen(userIds: readonly string[]): Promise<Map<string, number>>;
  /** Users sharing at least one conversation with `userId` (other than `exceptConv`), without `userId`. */
  contactsOf(userId: string, exceptConv?: string): Promise<string[]>;

  // ---- conversations ----
  /** Conversations `userId` is a member of, oldest first. */
  conversationsOf(userId: string): Promise<Conversation[]>;
  conversation(convId: string): Promise<Conversation | undefined>;
  isMember(convId: string, userId: string): Promise<boolean>;
  memberIds(convId: string): Promise<string[]>;
  /** The direct conversation of two users, created when it does not exist yet. */
  openDirect(userId: string, otherId: string, now: number): Promise<{ conversation: Conversation; created: boolean }>;
  createGroup(creatorId: string, title: string, otherMemberIds: readonly string[], now: number): Promise<Conversation>;
  /**
   * Adds users to a conversation; those already in it are skipped. New members'
   * receipt watermarks start at the conversation's lastSeq.
   */
  addMembers(convId: string, userIds: readonly string[], now: number): Promise<{ conversation: Conversation; added: string[] }>;
  removeMember(convId: string, userId: string): Promise<Conversation>;
  setTitle(convId: string, title: string): Promise<Conversation>;
  /** Sets (a file id) or removes (null) a conversation's photo; the photo it replaced, for the relay to erase. */
  setConversationPhoto(convId: string, photo: string | null): Promise<{ conversation: Conversation; replacedPhoto: string | null }>;

  // ---- messages ----
  /**
   * Stores a batch of sends in one transaction, in order: for each draft,
   * deduplication on (sender, cid), then membership (refused `not_found`), then
   * in a direct conversation whether the other member blocked the sender
   * (refused `forbidden`), then a change's target (see MessageDraft), then
   * `judge`; accepted drafts get the next seq of their conversation, and a
   * change updates its target's current state in the same transaction (a
   * delete erases the target's body, file and earlier edits' bodies).
   * Messages are always served in their current state. Either the
   * whole batch commits or the call rejects and nothing is stored.
   */
  appendMessages(drafts: readonly MessageDraft[], judge: SendJudge, now: number): Promise<AppendOutcome[]>;
  /**
   * Up to `limit` messages `userId` sent (changes included), in their
   * current state, ordered by conversation then seq, after `after` in that
   * order (from the start when null): the account's export pages through them.
   */
  messagesBy(userId: string, after: { conv: string; seq: number } | null, limit: number): Promise<Message[]>;
  /** Up to `limit` messages with seq > `afterSeq`, ascending. */
  messagesAfter(convId: string, afterSeq: number, limit: number): Promise<Message[]>;
  /** The up to `limit` messages just below `beforeSeq` (the newest when absent). */
  messagesBefore(convId: string, beforeSeq: number | undefined, limit: number): Promise<HistoryPage>;

  // ---- files ----
  createFile(file: NewFile, now: number): Promise<void>;
  /**
   * Records uploads that arrived whole with their creation request, created
   * and finished at `now`, in one transaction (docs/files.md): several
   * finished together cost one commit.
   */
  createFinishedFiles(files: readonly FinishedFile[], now: number): Promise<void>;
  fileRecord(id: string): Promise<FileRecord | undefined>;
  finishFile(id: string, sha256: string, now: number): Promise<void>;
  /**
   * Whether `userId` may download it: its uploader, a member of a conversation
   * holding a message (not deleted) that carries it, anyone sharing a
   * conversation with the user whose photo it is, or a member of the group
   * whose photo it is.
   */
  mayReadFile(id: string, userId: string): Promise<boolean>;
  /** The finished files `userId` uploaded, oldest first. */
  filesUploadedBy(userId: string): Promise<FileRecord[]>;
  /** The record of a finished file that `userId` may read (as mayReadFile); undefined otherwise: one call for a download. */
  readableFile(id: string, userId: string): Promise<FileRecord | undefined>;
  /** Bytes of every file `userId` uploaded, unfinished ones at their declared size. */
  storageUsedBy(userId: string): Promise<number>;
  /** Finished files and their bytes. */
  fileTotals(): Promise<{ files: number; bytes: number }>;
  /** Up to `limit` files created before `createdBefore` that are unfinished, or that no message (not deleted) carries and no user or conversation shows as its photo. */
  expiredFiles(createdBefore: number, limit: number): Promise<ExpiredFile[]>;
  /** Deletes the record unless a message carries the file or it is a photo; whether it did. */
  deleteFile(id: string): Promise<boolean>;

  // ---- receipts ----
  /**
   * Moves a member's watermarks forward (never back; read implies delivered;
   * both clamped to lastSeq). Undefined when `userId` is not a member.
   */
  advanceReceipt(
    convId: string,
    userId: string,
    marks: Partial<ReceiptWatermarks>,
  ): Promise<{ watermarks: ReceiptWatermarks; changed: boolean } | undefined>;

  // ---- chat state (docs/protocol.md, "Chat state") ----
  /**
   * Changes the fields of `change` that are set (the others stay) of a
   * member's own state of a conversation, and returns the whole state;
   * undefined, changing nothing, when `userId` is not a member. The state
   * lives as long as the membership: a member who leaves and is added again
   * starts from DEFAULT_CHAT_STATE.
   */
  setChatState(convId: string, userId: string, change: Partial<ChatState>): Promise<ChatState | undefined>;
  /** The user's state of every conversation they are a member of, by conversation id. */
  chatStatesOf(userId: string): Promise<Map<string, ChatState>>;
  /** Every member's state of one conversation, by user id (empty when it does not exist). */
  chatStatesIn(convId: string): Promise<Map<string, ChatState>>;

  // ---- privacy and caps ----
  /** How many conversations each of `userIds` is in; users in none are absent. */
  conversationCounts(userIds: readonly string[]): Promise<Map<string, number>>;
  privacyOf(userId: string): Promise<PrivacySettings>;
  setGroupAdds(userId: string, policy: GroupAddPolicy): Promise<void>;
  /** Blocking twice is the same as once. */
  block(blockerId: string, blockedId: string, now: number): Promise<void>;
  unblock(blockerId: string, blockedId: string): Promise<void>;
  /** Those of `userIds` who have blocked `userId`. */
  blockersOf(userId: string, userIds: readonly string[]): Promise<string[]>;
  /**
   * Those of `userIds` who do not let `requesterId` add them to a group: they
   * blocked the requester, allow nobody, or allow only users they share a
   * direct conversation with and the requester is not one.
   */
  refusingGroupAdds(requesterId: string, userIds: readonly string[]): Promise<string[]>;

  // ---- operator (duplex-relay sub-commands) and the user's devices ----
  /** Sign-ins, oldest first; only those of `userId` when given. */
  listTokens(userId?: string): Promise<TokenRecord[]>;
  /** Deletes every token of the user; returns how many there were. */
  revokeUserTokens(userId: string): Promise<number>;
  /** Deletes every token; returns how many there were. */
  revokeAllTokens(): Promise<number>;
  /**
   * Sets a new password hash and deletes the user's tokens that `ended` names,
   * in one transaction, so that no sign-in meant to end outlives the change.
   * Returns the hashes of the tokens deleted.
   */
  replacePassword(userId: string, passwordHash: string, ended: SignInsEnded): Promise<string[]>;
  /** Every user, by username. */
  listUsers(): Promise<UserRecord[]>;
  /**
   * Disables (`now`) or enables (null) a user's account. Disabling also
   * deletes every token of the user, in the same transaction; returns how
   * many. False for `found` when there is no such user.
   */
  setUserDisabled(userId: string, disabledAt: number | null): Promise<{ found: boolean; revoked: number }>;
  registrationSetting(): Promise<RegistrationSetting | undefined>;
  setRegistration(mode: RegistrationMode, now: number): Promise<void>;

  close(): Promise<void>;
}
