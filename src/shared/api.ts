// DuplexApi: everything the UI may ask of the app, and every event it renders.
//
// The renderer talks to `window.duplex: DuplexApi` and nothing else. In the
// desktop app the preload implements it over IPC (so every argument, result
// and event here is plain serialisable data: no functions, classes, Maps or
// Dates); in the web client src/web implements it in the page over the same
// engine. Both implement exactly this type.
//
// Events are incremental (one conversation, or a few messages, at a time) so
// that a conversation with 100,000 messages is never copied per event; the UI
// pages messages in with getMessages().
import type {
  ChatState,
  Conversation,
  ConversationKind,
  Device,
  GroupAddPolicy,
  Presence,
  PrivacySettings,
  User,
} from './protocol/index.ts';
import type { Mention } from './mentions.ts';
import type { TextRange } from './search/search-text.ts';

export type { Mention, TextRange };

export type ConnectionState = 'offline' | 'connecting' | 'syncing' | 'online';

/** Why the engine stopped for good (it will not reconnect by itself). */
export type StopReason = 'signed_out' | 'update_needed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** When the next connection attempt is due (ms since epoch), while offline. */
  nextRetryAt: number | null;
  /** A human-readable reason for the last close or failure, if any. */
  lastCloseReason: string | null;
  /** Set when the engine has stopped and will not retry on its own. */
  stopped: StopReason | null;
  /** The relay node in use: the socket's, or the one its next attempt goes
   * to (of the account's relayUrls); null while signed out. */
  relayUrl: string | null;
}

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** The file a message carries (docs/files.md, "The apps' side"). */
/** How a file is shown: an image in place, a voice note that plays, or a document to download. */
export type FileKind = 'photo' | 'voice' | 'document';

export interface ChatFile {
  /** The relay's file id; absent while the file is still being uploaded. */
  id?: string;
  name: string;
  mime: string;
  size: number;
  width?: number;
  height?: number;
  durationMs?: number;
  /** A small `data:image/jpeg` preview made on the sender's device. */
  thumb?: string;
}

/** A file the user sends: its bytes, what the device found out about it
 * (dimensions, duration, thumbnail), and a caption. Photos arrive here
 * already downscaled and re-encoded by the renderer; documents unchanged. */
export interface FileDraft {
  name: string;
  mime: string;
  bytes: Uint8Array;
  caption: string;
  width?: number;
  height?: number;
  durationMs?: number;
  thumb?: string;
  replyTo?: number;
}

export interface ChatMessage {
  conv: string;
  /** Client-generated id; the message's identity from the moment it is typed. */
  cid: string;
  /** Assigned by the relay; null while the message waits in the outbox. */
  seq: number | null;
  from: string;
  body: string;
  /** Relay time once stored; local time of writing before that. */
  ts: number;
  replyTo?: number;
  /** Forwarded from another conversation. */
  forwarded?: true;
  /** When it was last edited (relay time; local time while the edit waits
   * in the outbox). */
  editedAt?: number;
  /** Deleted for everyone: the body is "" and nothing else of it remains. */
  deleted?: true;
  /** user id → that user's one reaction; absent while there are none. */
  reactions?: Record<string, string>;
  mine: boolean;
  /** Only on the user's own messages. */
  status?: MessageStatus;
  /** Why a message is `failed` (the relay's nack message). */
  error?: string;
  /** The file it carries, if any; `body` is then its caption. */
  file?: ChatFile;
  /** With `file`: how it is shown (a photo, a voice note or a document). */
  fileKind?: FileKind;
  /** With `file`: the one line that stands for the message where its file
   * cannot be shown (the chat list): "📷 Photo", "🎤 Voice message" or
   * "📄 NAME", then the caption (src/shared/file-summary.ts). */
  summary?: string;
  /** The members its body mentions (`@username`), in order; absent when none. */
  mentions?: Mention[];
}

/** Names a message for a change: its cid, and its seq once stored (a
 * message still in the outbox is changed by cid; docs/engine.md, "Changes in
 * the outbox"). */
export interface MessageRef {
  cid: string;
  seq: number | null;
}

export interface ReactionPreview {
  /** Who reacted, and with what. */
  from: string;
  emoji: string;
  /** The text reacted to. */
  body: string;
  /** The reaction's own seq. */
  seq: number;
}

export interface ConversationSummary {
  id: string;
  kind: ConversationKind;
  /** Display title: the group's title, or the other member's display name. */
  title: string;
  /** For a direct conversation, the other member's user id. */
  peerId: string | null;
  /** The photo's file id (getPhoto): a group's own, a direct chat's other member's; null for none. */
  photo: string | null;
  members: User[];
  lastSeq: number;
  receipts: Conversation['receipts'];
  unread: number;
  lastMessage: ChatMessage | null;
  /** The newest reaction given in this run, while no message came after it:
   * the chat list says "Alice reacted 👍 to …" as WhatsApp does. Not kept
   * across restarts. */
  lastReaction?: ReactionPreview;
  /** Time of the last message, or of creation; the list sorts by it. */
  lastActivity: number;
  draft: string;
  /** Older messages exist on the relay that are not stored locally. */
  hasMoreHistory: boolean;
  /** The user's pin, archive and mute, on every device. Muted while
   * `mutedUntil` is in the future. */
  chatState: ChatState;
}

/** The protocol's chat state type (docs/protocol.md, "Chat state"). */
export type { ChatState };

/** A change to a chat state: the fields given change, the others stay;
 * `mutedUntil` null unmutes, MUTED_FOREVER mutes always. */
export type ChatStateChange = Partial<ChatState>;

/** Who is signed in, and through which relay: the account as the UI sees
 * it. (The engine's StoredAccount adds the token; a relay "session" is an
 * authenticated socket; UserSession is the engine's part for one user.) */
export interface Account {
  user: User;
  /** The relay URL signed in through (relayUrls[0]). */
  relayUrl: string;
  /** Every URL of the relay (its nodes: docs/scaling.md, "Clients"), normalised. */
  relayUrls: string[];
}

export interface SignInRequest {
  /** Required in the desktop app; the web client uses its own origin. */
  relayUrl?: string;
  /** More nodes of the same relay (same database, so the same accounts),
   * tried after relayUrl and moved to when the one in use fails. */
  otherRelayUrls?: string[];
  username: string;
  password: string;
}

export interface RegisterRequest extends SignInRequest {
  displayName?: string;
}

export type AuthErrorCode =
  | 'bad_credentials'
  | 'taken'
  | 'invalid'
  | 'registration_closed'
  | 'rate_limited'
  /** The relay is too busy checking passwords right now (503); not this user's fault. */
  | 'busy'
  /** The operator disabled the account (duplex-relay user disable). */
  | 'account_disabled'
  /** The sign-in is no longer valid (a password change from a device signed out meanwhile). */
  | 'unauthorized'
  | 'unreachable'
  | 'internal';

export type AuthFailure = { ok: false; code: AuthErrorCode; message: string };

/** Sign-in and registration answer with a result, not a rejection, because
 * the UI shows these errors and rejections lose their fields across IPC. */
export type AuthResult = { ok: true; account: Account } | AuthFailure;

/** A password change answers likewise: the form shows each failure
 * (`bad_credentials` for a wrong current password). */
export type PasswordChangeResult = { ok: true } | AuthFailure;

/** Deleting the account answers likewise (`bad_credentials` for a wrong password). */
export type AccountDeletionResult = { ok: true } | AuthFailure;

/** A change to the user's own profile: absent fields stay as they are. */
export interface ProfileChanges {
  displayName?: string;
  /** "" clears it. */
  about?: string;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  /** Also sign out every other device. */
  signOutOthers: boolean;
}

export interface MessagePage {
  /** Ascending by position in the conversation (stored ones by seq, then the
   * outbox in the order written). */
  messages: ChatMessage[];
  /** More older messages are stored locally before the first one. */
  hasMoreLocal: boolean;
}

/** Blocked users and who may add the user to groups: the protocol's type. */
export type { PrivacySettings };

/** One of the user's sign-ins, as the relay lists them: the protocol's type. */
export type { Device };
/** A message that matches a search, with the words to highlight. */
export interface MessageSearchHit {
  message: ChatMessage;
  /** The words of the body that the query matched, in order. */
  highlights: TextRange[];
}

export interface GetMessagesOptions {
  /** Return messages strictly older than this seq; absent: the newest. */
  beforeSeq?: number;
  limit: number;
}

export type DuplexEvent =
  | { type: 'account'; account: Account | null }
  | { type: 'status'; status: ConnectionStatus }
  /** A conversation was added or changed (upsert by id). */
  | { type: 'conversation'; conversation: ConversationSummary }
  | { type: 'conversation-removed'; id: string }
  /** Messages were added or changed (upsert by conv + cid). */
  | { type: 'messages'; conv: string; messages: ChatMessage[] }
  | { type: 'message-removed'; conv: string; cid: string }
  /** The user ids typing in a conversation now (empty when nobody is). */
  | { type: 'typing'; conv: string; users: string[] }
  | { type: 'presence'; presence: Presence }
  /** The user's privacy settings changed (here or on another device). */
  | { type: 'privacy'; privacy: PrivacySettings }
  /** How much of a queued message's file the relay has. */
  | { type: 'upload-progress'; conv: string; cid: string; sent: number; total: number };

export type Unsubscribe = () => void;

export interface DuplexApi {
  // ---- account ----
  getAccount(): Promise<Account | null>;
  signIn(request: SignInRequest): Promise<AuthResult>;
  register(request: RegisterRequest): Promise<AuthResult>;
  signOut(): Promise<void>;
  /** Needs the relay; the current password proves it is the user. */
  changePassword(change: PasswordChange): Promise<PasswordChangeResult>;
  /** Erases the account on the relay, the password proving it is the user
   * (docs/protocol.md, "Deleting an account"); once it is done, this device
   * is signed out like the user's others. */
  deleteAccount(password: string): Promise<AccountDeletionResult>;
  /** Everything the relay holds about the user, as a ZIP (docs/protocol.md,
   * "Your data"); rejects when the relay cannot be reached or refuses. */
  downloadMyData(): Promise<Uint8Array>;

  // ---- connection ----
  getStatus(): Promise<ConnectionStatus>;
  /** Reconnect now instead of waiting for the backoff timer. */
  retryNow(): Promise<void>;

  // ---- conversations ----
  listConversations(): Promise<ConversationSummary[]>;
  getMessages(conv: string, options: GetMessagesOptions): Promise<MessagePage>;
  /** Asks the relay for older messages than the oldest stored; resolves with
   * how many arrived (they also arrive as `messages` events). */
  loadOlder(conv: string): Promise<number>;
  createDirect(userId: string): Promise<ConversationSummary>;
  createGroup(title: string, memberIds: string[]): Promise<ConversationSummary>;
  addMembers(conv: string, userIds: string[]): Promise<ConversationSummary>;
  leave(conv: string): Promise<void>;
  rename(conv: string, title: string): Promise<ConversationSummary>;
  searchUsers(query: string): Promise<User[]>;
  getPresence(userIds: string[]): Promise<Presence[]>;
  /** Searches every message stored on this device (docs/engine.md,
   * "Search"): those whose words begin with each word of the query,
   * ignoring case and accents, newest first, at most `limit`. */
  searchMessages(query: string, limit: number): Promise<MessageSearchHit[]>;

  /** Pins, archives or mutes a conversation for this user on every device.
   * Shown at once; kept on the device and sent to the relay until it
   * confirms, so a change made offline is not lost. */
  setChatState(conv: string, change: ChatStateChange): Promise<ConversationSummary>;

  // ---- messages ----
  /** Writes the message to the outbox first and resolves with it (`queued`). */
  send(conv: string, body: string, replyTo?: number): Promise<ChatMessage>;
  /** Changes to messages (docs/engine.md, "Changes to messages"): each is
   * written to the outbox and shown at once, and goes out behind everything
   * written before it in the conversation. They reject when the change is
   * not allowed (another user's message, past the edit window, deleted, a
   * body or reaction the relay would refuse). */
  edit(conv: string, message: MessageRef, body: string): Promise<void>;
  deleteForEveryone(conv: string, message: MessageRef): Promise<void>;
  /** One emoji, or "" to take the user's reaction back. */
  react(conv: string, message: MessageRef, emoji: string): Promise<void>;
  /** Sends a copy of a stored message of `fromConv` to `conv`, marked
   * forwarded; resolves with it (`queued`). */
  forward(conv: string, fromConv: string, seq: number): Promise<ChatMessage>;
  /** Writes a message with a file to the outbox (with the file's bytes) and
   * resolves with it (`queued`); the file is uploaded, then the message
   * sent, in order with the conversation's other messages. */
  sendFile(conv: string, draft: FileDraft): Promise<ChatMessage>;
  /** A file's bytes by its relay id: from the device's cache, or downloaded
   * with the user's token (and then cached). */
  getFile(fileId: string): Promise<Uint8Array>;
  /** Puts a `failed` message back in the outbox. */
  retry(conv: string, cid: string): Promise<void>;
  /** Deletes a message that the relay has not stored (`queued` or `failed`). */
  deleteUnsent(conv: string, cid: string): Promise<void>;
  /** The user has seen the conversation up to this seq (sends `read`). */
  markRead(conv: string, seq: number): Promise<void>;
  /** Called on every keystroke; the engine throttles what goes on the wire. */
  setTyping(conv: string, typing: boolean): Promise<void>;
  setDraft(conv: string, text: string): Promise<void>;

  // ---- privacy ----
  /** As last heard from the relay (the defaults until the first session start). */
  getPrivacy(): Promise<PrivacySettings>;
  /** These three need the relay and reject when it refuses or is unreachable. */
  setGroupAdds(policy: GroupAddPolicy): Promise<PrivacySettings>;
  block(userId: string): Promise<PrivacySettings>;
  unblock(userId: string): Promise<PrivacySettings>;

  // ---- profile ----
  /** Needs the relay; resolves with the user as they are now (an `account` event follows). */
  updateProfile(changes: ProfileChanges): Promise<User>;

  /** A JPEG the UI cropped square and shrank (at most 1 MiB); null removes the photo. Resolves with the user. */
  setProfilePhoto(photo: Uint8Array | null): Promise<User>;
  /** Likewise for a group the user is a member of. */
  setGroupPhoto(conv: string, photo: Uint8Array | null): Promise<ConversationSummary>;
  /** A photo (a user's `photo`, a summary's `photo`) as a data: URL for an img; null when it cannot be read. */
  getPhoto(fileId: string): Promise<string | null>;

  // ---- devices (these need the relay and reject when it refuses or is unreachable) ----
  /** The user's sign-ins, oldest first, this one marked `current`. */
  listDevices(): Promise<Device[]>;
  /** Signs another device out (its token revoked, its sockets closed); resolves with the devices left. */
  signOutDevice(deviceId: string): Promise<Device[]>;
  /** Signs out every device but this one; resolves with the devices left. */
  signOutOtherDevices(): Promise<Device[]>;

  // ---- events ----
  onEvent(listener: (event: DuplexEvent) => void): Unsubscribe;
}
