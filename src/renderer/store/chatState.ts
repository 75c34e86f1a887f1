// The renderer's state: its shape (ChatData), the actions it offers
// (ChatActions), and the small helpers its parts share. The store
// (chatStore.ts) is built from slices over this state (messagesSlice.ts,
// desktopSlice.ts), and every engine event goes through the pure
// applyEvent.ts.
import type { StoreApi } from 'zustand/vanilla';
import type {
  AuthResult,
  ChatFile,
  ChatMessage,
  ChatStateChange,
  ConnectionStatus,
  ConversationSummary,
  FileDraft,
  Device,
  PasswordChange,
  PasswordChangeResult,
  AccountDeletionResult,
  MessageSearchHit,
  PrivacySettings,
  ProfileChanges,
  RegisterRequest,
  Account,
  SignInRequest,
  Unsubscribe,
} from '../../shared/api.ts';
import type { AppUpdates, UpdateStatus } from '../../shared/app-updates.ts';
import type { DesktopInfo, DesktopSettings, DesktopSettingsPatch } from '../../shared/desktop-api.ts';
import type { WebNotificationSettings, WebNotificationState } from '../../shared/web-api.ts';
import type { GroupAddPolicy, Presence, User } from '../../shared/protocol/index.ts';
import type { MessageWindow } from './messageWindow.ts';

/** Messages per page when opening a conversation or scrolling up. */
export const PAGE_SIZE = 50;
/** The largest page, for opening far above the newest message (many unread,
 * or jumping to an old quoted message). */
export const MAX_PAGE_SIZE = 1_000;
/** Message search results shown at most. */
export const MESSAGE_RESULTS_LIMIT = 50;

/** `group-info` is about the open conversation (a group). */
export type DialogKind = 'new-chat' | 'new-group' | 'settings' | 'group-info' | 'forward';

/** Where the "unread messages" divider goes, fixed when the conversation is
 * opened so that reading the messages does not make it jump. */
export interface UnreadMarker {
  conv: string;
  /** The divider precedes the first message from others after this seq. */
  afterSeq: number;
  count: number;
}

export interface ChatData {
  /** In the desktop app (which has window.duplexDesktop), as opposed to the
   * web client. */
  isDesktop: boolean;
  /** The desktop app's extras, once read; null in the web client. */
  desktopInfo: DesktopInfo | null;
  desktopSettings: DesktopSettings | null;
  /** The web client's notifications, once read; null in the desktop app. */
  webNotifications: WebNotificationState | null;
  /** How an update takes effect, or null where the shell offers none. */
  updatesApplyBy: AppUpdates['appliesBy'] | null;
  /** The app's own update, once known; null until then. */
  update: UpdateStatus | null;
  /** The user closed the update bar for this status. */
  updateDismissed: boolean;
  auth: 'loading' | 'signed-out' | 'signed-in';
  account: Account | null;
  status: ConnectionStatus;
  conversations: ReadonlyMap<string, ConversationSummary>;
  /** The first listConversations() has answered (until then an empty list
   * means "not known yet", not "no chats"). */
  conversationsLoaded: boolean;
  filter: string;
  /** The list shows the archived chats instead of the others. */
  archivedShown: boolean;
  openId: string | null;
  /** Loaded messages of the conversations opened so far. */
  windows: ReadonlyMap<string, MessageWindow>;
  /** Conversations whose older messages are being fetched. */
  loadingOlder: ReadonlySet<string>;
  /** User ids typing, per conversation. */
  typing: ReadonlyMap<string, readonly string[]>;
  presence: ReadonlyMap<string, Presence>;
  /** Blocked users and who may add the user to groups; null until read. */
  privacy: PrivacySettings | null;
  /** How far each queued file's upload got, by message cid. */
  uploads: ReadonlyMap<string, UploadProgress>;
  /** Photos loaded so far, by file id, as data: URLs; null for one that cannot be read. */
  photos: ReadonlyMap<string, string | null>;
  unreadMarker: UnreadMarker | null;
  replyTarget: ChatMessage | null;
  /** The user's own message shown in the composer for editing. */
  editTarget: ChatMessage | null;
  /** The message the `forward` dialog sends on. */
  forwardSource: ChatMessage | null;
  dialog: DialogKind | null;
  /** A message to scroll to and highlight once its conversation shows
   * (chosen from the search results); taken by the message list. */
  jumpTarget: { conv: string; seq: number } | null;
}

export interface UploadProgress {
  sent: number;
  total: number;
}

export interface ChatActions {
  /** Subscribes to engine events and reads the first snapshot. */
  start(): Unsubscribe;
  signIn(request: SignInRequest): Promise<AuthResult>;
  register(request: RegisterRequest): Promise<AuthResult>;
  signOut(): void;
  retryNow(): void;
  setFilter(filter: string): void;
  openConversation(id: string | null): void;
  /** Opens the next (+1) or previous (-1) conversation of the visible list. */
  openAdjacentConversation(step: 1 | -1): void;
  loadOlderMessages(conv: string): Promise<void>;
  /** Loads older pages until the message with this seq is in the window;
   * resolves with its index, or -1 when it cannot be found. */
  revealMessage(conv: string, seq: number): Promise<number>;
  send(conv: string, body: string): Promise<void>;
  /** Sends a prepared file (files/prepareFile.ts) with a caption, as a reply
   * when one is chosen. Rejects when not even queued. */
  sendFile(conv: string, draft: Omit<FileDraft, 'replyTo'>): Promise<void>;
  /** A file's bytes by relay id (the engine's cache, or downloaded). */
  getFile(fileId: string): Promise<Uint8Array>;
  /** Saves a message's file where the user says: the desktop app's native
   * save dialog, or a browser download. */
  saveFile(file: ChatFile): Promise<void>;
  retry(conv: string, cid: string): void;
  deleteUnsent(conv: string, cid: string): void;
  /** Marks the conversation read up to its newest loaded message. */
  markRead(conv: string): void;
  setTyping(conv: string, typing: boolean): void;
  saveDraft(conv: string, text: string): void;
  setReplyTarget(message: ChatMessage | null): void;
  /** Changes to messages (messageChangesSlice.ts); they reject when refused. */
  setEditTarget(message: ChatMessage | null): void;
  saveEdit(conv: string, body: string): Promise<void>;
  /** Reacts with `emoji`, or takes the reaction back when it is the user's. */
  toggleReaction(conv: string, message: ChatMessage, emoji: string): Promise<void>;
  deleteForEveryone(conv: string, message: ChatMessage): Promise<void>;
  openForward(message: ChatMessage): void;
  forwardTo(conv: string): Promise<void>;
  openDialog(dialog: DialogKind): void;
  closeDialog(): void;
  searchUsers(query: string): Promise<User[]>;
  /** Searches the messages stored on this device. */
  searchMessages(query: string): Promise<MessageSearchHit[]>;
  /** Opens the conversation scrolled to this message, highlighted. */
  jumpToMessage(conv: string, seq: number): void;
  /** The jump waiting for this conversation, if any; it is cleared. */
  takeJumpTarget(conv: string): number | null;
  startDirectChat(userId: string): Promise<void>;
  createGroup(title: string, memberIds: string[]): Promise<void>;
  /** Group info: these reject when the call fails, for the dialog to say so. */
  renameGroup(conv: string, title: string): Promise<void>;
  addGroupMembers(conv: string, userIds: string[]): Promise<void>;
  /** Leaves the group, which then disappears from the list (and the pane). */
  leaveGroup(conv: string): Promise<void>;
  /** Privacy: these reject when the relay refuses or cannot be reached, for the UI to say so. */
  setGroupAdds(policy: GroupAddPolicy): Promise<void>;
  blockUser(userId: string): Promise<void>;
  unblockUser(userId: string): Promise<void>;
  /** Loads a photo into `photos` once; a failure (offline) is tried again by the next call. */
  loadPhoto(fileId: string): void;
  /** A JPEG made by cropPhoto, or null to remove the photo; rejects like updateProfile. */
  setProfilePhoto(photo: Uint8Array | null): Promise<void>;
  setGroupPhoto(conv: string, photo: Uint8Array | null): Promise<void>;
  /** Rejects when the relay refuses or cannot be reached; the new profile arrives as an `account` event. */
  updateProfile(changes: ProfileChanges): Promise<void>;
  /** Answers with a result, like signIn, for the form to show each failure. */
  changePassword(change: PasswordChange): Promise<PasswordChangeResult>;
  /** Devices: these need the relay and reject when it refuses or cannot be reached. */
  listDevices(): Promise<Device[]>;
  signOutDevice(deviceId: string): Promise<Device[]>;
  signOutOtherDevices(): Promise<Device[]>;
  /** Saves the user's data export: the native save dialog on the desktop, a download on the web; rejects when it cannot be had. */
  downloadMyData(): Promise<void>;
  /** Answers with a result, like changePassword; once done, an `account` event signs this device out. */
  deleteAccount(password: string): Promise<AccountDeletionResult>;
  updateDesktopSettings(patch: DesktopSettingsPatch): void;
  checkForUpdates(): void;
  downloadUpdate(): void;
  applyUpdate(): void;
  dismissUpdate(): void;
  /** Pins, archives or mutes a chat on every device of the user; rejects
   * when the engine refuses (a mute that has already ended). */
  setChatState(conv: string, change: ChatStateChange): Promise<void>;
  /** Shows the archived chats (true) or the others. */
  showArchived(shown: boolean): void;
  /** Web client: asks the browser's permission, then turns notifications on. */
  enableWebNotifications(): void;
  updateWebNotifications(patch: Partial<WebNotificationSettings>): void;
}

export interface ChatState extends ChatData {
  actions: ChatActions;
}

export type ChatStore = StoreApi<ChatState>;

/** Everything that belongs to one signed-in account. */
export function accountData(): Omit<
  ChatData,
  'isDesktop' | 'desktopInfo' | 'desktopSettings' | 'webNotifications' | 'updatesApplyBy' | 'update' | 'updateDismissed' | 'auth' | 'account' | 'status'
> {
  return {
    conversations: new Map(),
    conversationsLoaded: false,
    filter: '',
    archivedShown: false,
    openId: null,
    windows: new Map(),
    loadingOlder: new Set(),
    typing: new Map(),
    uploads: new Map(),
    presence: new Map(),
    privacy: null,
    photos: new Map(),
    unreadMarker: null,
    replyTarget: null,
    editTarget: null,
    forwardSource: null,
    dialog: null,
    jumpTarget: null,
  };
}

export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  return new Map(map).set(key, value);
}

export function withoutEntry<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

export function logError(error: unknown): void {
  console.error('Duplex:', error);
}

/** For calls whose effects come back as events: a failure is only worth a
 * log line (the UI shows the state the engine reports, not the call). */
export function background(task: Promise<unknown>): void {
  task.catch(logError);
}

export function unreadMarkerFor(conversation: ConversationSummary, me: string): UnreadMarker | null {
  if (conversation.unread === 0) return null;
  const afterSeq = conversation.receipts[me]?.read ?? conversation.lastSeq - conversation.unread;
  return { conv: conversation.id, afterSeq, count: conversation.unread };
}

