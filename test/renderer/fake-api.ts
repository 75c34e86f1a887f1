// An in-memory DuplexApi for the renderer's component tests: conversations,
// messages and users in Maps, events pushed by the test with emit(), and
// every call recorded. It stands in for the engine only so that the UI can be
// tested in jsdom; the real API (the engine over IPC in the desktop app, in
// the page in the web client) is exercised end-to-end by the Playwright
// suites. Every call is checked against the method table
// (src/shared/api-methods.ts) both ways: the renderer's arguments must pass
// the schemas the engine applies, and the fake's answers must match the
// result schemas, so the fake cannot drift from the real API.
import { afterEach, expect } from 'vitest';
import type {
  ChatStateChange,
  AuthResult,
  ChatFile,
  ChatMessage,
  ConnectionStatus,
  ConversationSummary,
  DuplexApi,
  DuplexEvent,
  FileDraft,
  GetMessagesOptions,
  MessagePage,
  MessageRef,
  PrivacySettings,
  Device,
  PasswordChange,
  PasswordChangeResult,
  AccountDeletionResult,
  ProfileChanges,
  RegisterRequest,
  Account,
  SignInRequest,
} from '../../src/shared/api.ts';
import { duplexArgumentSchemas, type DuplexMethod, duplexMethods, parseArguments } from '../../src/shared/api-methods.ts';
import type { DesktopApi, DesktopEvent, DesktopInfo, DesktopSettings, DesktopSettingsPatch } from '../../src/shared/desktop-api.ts';
import type { UpdateStatus } from '../../src/shared/app-updates.ts';
import type { GroupAddPolicy, Presence, User } from '../../src/shared/protocol/index.ts';
import { withFile } from '../../src/shared/engine/views.ts';
import { matchRanges, queryWords, searchWords } from '../../src/shared/search/search-text.ts';

export const alice: User = { id: 'u-alice', username: 'alice', displayName: 'Alice Liddell' };
export const bob: User = { id: 'u-bob', username: 'bob', displayName: 'Bob Marley' };
export const carol: User = { id: 'u-carol', username: 'carol', displayName: 'Carol Danvers' };

export const online: ConnectionStatus = { state: 'online', nextRetryAt: null, lastCloseReason: null, stopped: null, relayUrl: 'https://relay.test' };

let cidCounter = 0;

export function makeMessage(fields: Partial<ChatMessage> & Pick<ChatMessage, 'conv'>): ChatMessage {
  cidCounter++;
  const message: ChatMessage = {
    cid: `cid-${String(cidCounter).padStart(6, '0')}`,
    seq: cidCounter,
    from: bob.id,
    body: `Message ${cidCounter}`,
    ts: Date.UTC(2025, 0, 1, 12, 0) + cidCounter * 60_000,
    mine: false,
    ...fields,
  };
  // With its kind and summary, as the engine's views give a file.
  if (message.file) withFile(message, message.file);
  return message;
}

/** A direct conversation of `me` with `peer`. */
export function makeDirect(me: User, peer: User, fields: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: `d-${peer.id}`,
    kind: 'direct',
    title: peer.displayName,
    peerId: peer.id,
    photo: peer.photo ?? null,
    members: [me, peer],
    lastSeq: 0,
    receipts: {},
    unread: 0,
    lastMessage: null,
    lastActivity: Date.UTC(2025, 0, 1),
    draft: '',
    hasMoreHistory: false,
    chatState: { pinned: false, archived: false, mutedUntil: null },
    ...fields,
  };
}

export function makeGroup(id: string, title: string, members: User[], fields: Partial<ConversationSummary> = {}): ConversationSummary {
  return { ...makeDirect(members[0]!, members[1]!), id, kind: 'group', title, peerId: null, photo: null, members, ...fields };
}

/** Calls or answers off the method table since the last test. The store
 * swallows the rejections of many calls (their effects come back as events),
 * so every test that uses the fake also checks this list after it. */
const offTableCalls: string[] = [];

function offTable(problem: string): Error {
  offTableCalls.push(problem);
  return new Error(problem);
}

/** Takes the off-table problems recorded so far (for a test that causes one on purpose). */
export function takeOffTableCalls(): string[] {
  return offTableCalls.splice(0);
}

afterEach(() => {
  expect(takeOffTableCalls(), 'calls or answers off the DuplexApi method table').toEqual([]);
});

interface Call {
  method: keyof DuplexApi;
  args: unknown[];
}

export class FakeDuplexApi implements DuplexApi {
  account: Account | null = null;
  status: ConnectionStatus = online;
  readonly conversations = new Map<string, ConversationSummary>();
  /** Per conversation, in conversation order. */
  readonly messages = new Map<string, ChatMessage[]>();
  users: User[] = [alice, bob, carol];
  readonly presence = new Map<string, Presence>();
  privacy: PrivacySettings = { groupAdds: 'everyone', blocked: [] };
  /** The answer to the next signIn() or register(); success by default. */
  authResult: AuthResult | null = null;
  readonly calls: Call[] = [];
  /** Methods whose next call rejects (as the engine does when offline). */
  readonly failNext = new Set<keyof DuplexApi>();
  private readonly listeners = new Set<(event: DuplexEvent) => void>();

  constructor() {
    this.checkAgainstTable();
  }

  /** Signed in as `user` from the start. */
  static signedInAs(user: User): FakeDuplexApi {
    const api = new FakeDuplexApi();
    api.account = { user, relayUrl: 'https://relay.test', relayUrls: ['https://relay.test'] };
    return api;
  }

  addConversation(conversation: ConversationSummary, messages: ChatMessage[] = []): void {
    this.conversations.set(conversation.id, conversation);
    this.messages.set(conversation.id, messages);
  }

  emit(event: DuplexEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  callsOf(method: keyof DuplexApi): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private checkAgainstTable(): void {
    const methods = this as unknown as Record<DuplexMethod, (...args: unknown[]) => Promise<unknown>>;
    for (const method of Object.keys(duplexMethods) as DuplexMethod[]) {
      const answer = methods[method];
      methods[method] = async (...args) => {
        try {
          parseArguments(duplexArgumentSchemas, method, args);
        } catch (error) {
          throw offTable(`The renderer called ${method} off the table: ${(error as Error).message}`);
        }
        const result = await answer(...args);
        const checked = duplexMethods[method].result.safeParse(result);
        if (!checked.success) throw offTable(`The fake's ${method} answered off the table: ${checked.error.message}`);
        return result;
      };
    }
  }

  private record(method: keyof DuplexApi, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failNext.delete(method)) throw new Error(`${method} failed`);
  }

  /** Replaces a stored conversation with these fields, as the engine would. */
  private updateConversation(conv: string, fields: Partial<ConversationSummary>): ConversationSummary {
    const conversation = { ...this.conversations.get(conv)!, ...fields };
    this.conversations.set(conv, conversation);
    return conversation;
  }

  private authenticate(method: 'signIn' | 'register', request: SignInRequest | RegisterRequest): Promise<AuthResult> {
    this.record(method, request);
    const user = this.users.find((u) => u.username === request.username) ?? alice;
    const relayUrls = [request.relayUrl ?? 'https://relay.test', ...(request.otherRelayUrls ?? [])];
    const result = this.authResult ?? { ok: true, account: { user, relayUrl: relayUrls[0]!, relayUrls } };
    if (result.ok) this.account = result.account;
    return Promise.resolve(result);
  }

  getAccount = async () => this.account;
  signIn = (request: SignInRequest) => this.authenticate('signIn', request);
  register = (request: RegisterRequest) => this.authenticate('register', request);
  signOut = async () => {
    this.record('signOut');
    this.account = null;
  };
  /** The current password the fake accepts. */
  password = 'correct horse battery';

  changePassword = async (change: PasswordChange): Promise<PasswordChangeResult> => {
    this.record('changePassword', change);
    if (change.currentPassword !== this.password) return { ok: false, code: 'bad_credentials', message: 'the current password is wrong' };
    this.password = change.newPassword;
    if (change.signOutOthers) this.devices = this.devices.filter((device) => device.current);
    return { ok: true };
  };
  /** What downloadMyData answers. */
  myData = new Uint8Array([0x50, 0x4b, 0x05, 0x06]);

  deleteAccount = async (password: string): Promise<AccountDeletionResult> => {
    this.record('deleteAccount', password);
    if (password !== this.password) return { ok: false, code: 'bad_credentials', message: 'the password is wrong' };
    // As the engine does: this device is signed out.
    this.account = null;
    this.emit({ type: 'account', account: null });
    return { ok: true };
  };
  downloadMyData = async (): Promise<Uint8Array> => {
    this.record('downloadMyData');
    return this.myData;
  };
  getStatus = async () => this.status;
  retryNow = async () => this.record('retryNow');
  listConversations = async () => [...this.conversations.values()];

  getMessages = async (conv: string, options: GetMessagesOptions): Promise<MessagePage> => {
    this.record('getMessages', conv, options);
    const all = this.messages.get(conv) ?? [];
    const { beforeSeq } = options;
    const candidates = beforeSeq === undefined ? all : all.filter((m) => m.seq !== null && m.seq < beforeSeq);
    const page = candidates.slice(Math.max(0, candidates.length - options.limit));
    return { messages: page, hasMoreLocal: candidates.length > page.length };
  };

  loadOlder = async (conv: string) => {
    this.record('loadOlder', conv);
    return 0;
  };

  createDirect = async (userId: string) => {
    this.record('createDirect', userId);
    const peer = this.users.find((u) => u.id === userId)!;
    const conversation = makeDirect(this.account!.user, peer);
    this.addConversation(conversation);
    return conversation;
  };

  createGroup = async (title: string, memberIds: string[]) => {
    this.record('createGroup', title, memberIds);
    const members = [this.account!.user, ...this.users.filter((u) => memberIds.includes(u.id))];
    const conversation = makeGroup(`g-${title}`, title, members);
    this.addConversation(conversation);
    return conversation;
  };

  addMembers = async (conv: string, userIds: string[]) => {
    this.record('addMembers', conv, userIds);
    const members = this.conversations.get(conv)!.members;
    const added = this.users.filter((u) => userIds.includes(u.id) && !members.some((m) => m.id === u.id));
    return this.updateConversation(conv, { members: [...members, ...added] });
  };

  /** Like the engine: the conversation goes, with a `conversation-removed`. */
  leave = async (conv: string) => {
    this.record('leave', conv);
    this.conversations.delete(conv);
    this.messages.delete(conv);
    this.emit({ type: 'conversation-removed', id: conv });
  };

  rename = async (conv: string, title: string) => {
    this.record('rename', conv, title);
    return this.updateConversation(conv, { title });
  };

  searchUsers = async (query: string) => {
    this.record('searchUsers', query);
    const prefix = query.toLowerCase();
    return this.users.filter(
      (u) => u.id !== this.account?.user.id && (u.username.startsWith(prefix) || u.displayName.toLowerCase().startsWith(prefix)),
    );
  };

  /** Like the engine, with the same matching rules (search-text.ts). */
  searchMessages = async (query: string, limit: number) => {
    this.record('searchMessages', query, limit);
    const words = queryWords(query);
    if (words.length === 0) return [];
    const hits = [...this.messages.values()]
      .flat()
      .filter((m) => m.seq !== null && words.every((word) => searchWords(m.body).some((w) => w.startsWith(word))))
      .sort((a, b) => b.ts - a.ts)
      .slice(0, limit);
    return hits.map((message) => ({ message, highlights: matchRanges(message.body, words) }));
  };

  getPresence = async (userIds: string[]) => {
    this.record('getPresence', userIds);
    return userIds.flatMap((id) => {
      const presence = this.presence.get(id);
      return presence ? [presence] : [];
    });
  };

  send = async (conv: string, body: string, replyTo?: number) => {
    this.record('send', conv, body, replyTo);
    const message = makeMessage({ conv, seq: null, from: this.account!.user.id, body, mine: true, status: 'queued', replyTo, ts: Date.now() });
    this.messages.get(conv)?.push(message);
    // Like the engine: the queued message is shown through its event.
    this.emit({ type: 'messages', conv, messages: [message] });
    return message;
  };

  /** Like the engine: the new state is shown at once, also as a `conversation` event. */
  setChatState = async (conv: string, change: ChatStateChange) => {
    this.record('setChatState', conv, change);
    const conversation = this.updateConversation(conv, {
      chatState: { ...this.conversations.get(conv)!.chatState, ...change },
    });
    this.emit({ type: 'conversation', conversation });
    return conversation;
  };

  // Changes apply at once, as the engine shows them (views.ts, withPendingChanges).
  edit = async (conv: string, ref: MessageRef, body: string) => {
    this.record('edit', conv, ref, body);
    this.changeMessage(conv, ref.cid, (m) => ({ ...m, body, editedAt: Date.now() }));
  };

  deleteForEveryone = async (conv: string, ref: MessageRef) => {
    this.record('deleteForEveryone', conv, ref);
    this.changeMessage(conv, ref.cid, (m) => ({ conv: m.conv, cid: m.cid, seq: m.seq, from: m.from, ts: m.ts, mine: m.mine, status: m.status, body: '', deleted: true }) as ChatMessage);
  };

  react = async (conv: string, ref: MessageRef, emoji: string) => {
    this.record('react', conv, ref, emoji);
    const me = this.account!.user.id;
    this.changeMessage(conv, ref.cid, (m) => {
      const reactions = { ...m.reactions };
      if (emoji === '') delete reactions[me];
      else reactions[me] = emoji;
      const { reactions: _old, ...rest } = m;
      return Object.keys(reactions).length > 0 ? { ...rest, reactions } : rest;
    });
  };

  forward = async (conv: string, fromConv: string, seq: number) => {
    this.record('forward', conv, fromConv, seq);
    const source = this.messages.get(fromConv)?.find((m) => m.seq === seq);
    const message = makeMessage({ conv, seq: null, from: this.account!.user.id, body: source?.body ?? '', mine: true, status: 'queued', forwarded: true, ts: Date.now(), file: source?.file });
    this.messages.get(conv)?.push(message);
    this.emit({ type: 'messages', conv, messages: [message] });
    return message;
  };

  /** Like the engine: queued at once with the file's facts, no id yet. */
  sendFile = async (conv: string, draft: FileDraft) => {
    this.record('sendFile', conv, draft);
    const { bytes, caption, replyTo, ...facts } = draft;
    const file: ChatFile = { ...facts, size: bytes.byteLength };
    const message = makeMessage({ conv, seq: null, from: this.account!.user.id, body: caption, mine: true, status: 'queued', replyTo, ts: Date.now(), file });
    this.messages.get(conv)?.push(message);
    this.emit({ type: 'messages', conv, messages: [message] });
    return message;
  };

  private changeMessage(conv: string, cid: string, change: (message: ChatMessage) => ChatMessage): void {
    const list = this.messages.get(conv) ?? [];
    const index = list.findIndex((m) => m.cid === cid);
    if (index < 0) throw new RangeError('That message is not on this device');
    list[index] = change(list[index]!);
    this.emit({ type: 'messages', conv, messages: [list[index]!] });
  }

  /** Files the test put here by id. */
  readonly files = new Map<string, Uint8Array>();

  getFile = async (fileId: string) => {
    this.record('getFile', fileId);
    const bytes = this.files.get(fileId);
    if (!bytes) throw new Error('This file is no longer available');
    return bytes;
  };

  retry = async (conv: string, cid: string) => this.record('retry', conv, cid);
  deleteUnsent = async (conv: string, cid: string) => this.record('deleteUnsent', conv, cid);
  markRead = async (conv: string, seq: number) => this.record('markRead', conv, seq);
  setTyping = async (conv: string, typing: boolean) => this.record('setTyping', conv, typing);
  setDraft = async (conv: string, text: string) => this.record('setDraft', conv, text);

  getPrivacy = async () => this.privacy;

  /** Like the engine: the new state also arrives as a `privacy` event. */
  private changePrivacy(privacy: PrivacySettings): PrivacySettings {
    this.privacy = privacy;
    this.emit({ type: 'privacy', privacy });
    return privacy;
  }

  setGroupAdds = async (policy: GroupAddPolicy) => {
    this.record('setGroupAdds', policy);
    return this.changePrivacy({ ...this.privacy, groupAdds: policy });
  };

  block = async (userId: string) => {
    this.record('block', userId);
    const user = this.users.find((u) => u.id === userId)!;
    return this.changePrivacy({ ...this.privacy, blocked: [...this.privacy.blocked.filter((u) => u.id !== userId), user] });
  };

  unblock = async (userId: string) => {
    this.record('unblock', userId);
    return this.changePrivacy({ ...this.privacy, blocked: this.privacy.blocked.filter((u) => u.id !== userId) });
  };

  /** Like the engine: the answer, then an `account` event with the new profile. */
  updateProfile = async (changes: ProfileChanges) => {
    this.record('updateProfile', changes);
    const current = this.account!.user;
    const user: User = { ...current, displayName: changes.displayName ?? current.displayName };
    const about = changes.about ?? current.about;
    if (about) user.about = about;
    else delete user.about;
    this.account = { ...this.account!, user };
    this.emit({ type: 'account', account: this.account });
    return user;
  };

  /** Photos by file id, as data: URLs. */
  photos = new Map<string, string>();

  setProfilePhoto = async (photo: Uint8Array | null) => {
    this.record('setProfilePhoto', photo);
    const id = photo === null ? undefined : `photo${String(this.photos.size).padStart(19, '0')}`;
    if (id) this.photos.set(id, 'data:image/jpeg;base64,/9j/2Q==');
    const { photo: _, ...rest } = this.account!.user;
    const user: User = id ? { ...rest, photo: id } : rest;
    this.account = { ...this.account!, user };
    this.emit({ type: 'account', account: this.account });
    return user;
  };

  setGroupPhoto = async (conv: string, photo: Uint8Array | null) => {
    this.record('setGroupPhoto', conv, photo);
    return this.conversations.get(conv)!;
  };

  getPhoto = async (fileId: string) => this.photos.get(fileId) ?? null;

  /** The signed-in user's devices, this one first. */
  devices: Device[] = [
    { id: 'aaaaaaaaaaaaaaaa', name: 'Chromium on Linux', createdAt: 1, lastActiveAt: 2, address: '127.0.0.1', current: true },
    { id: 'bbbbbbbbbbbbbbbb', name: 'Duplex on Linux', createdAt: 3, lastActiveAt: 4, address: '10.0.0.2', current: false },
  ];

  listDevices = async () => this.devices;

  signOutDevice = async (deviceId: string) => {
    this.record('signOutDevice', deviceId);
    this.devices = this.devices.filter((device) => device.id !== deviceId);
    return this.devices;
  };

  signOutOtherDevices = async () => {
    this.record('signOutOtherDevices');
    this.devices = this.devices.filter((device) => device.current);
    return this.devices;
  };

  onEvent = (listener: (event: DuplexEvent) => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** The desktop app's extras (window.duplexDesktop), in memory. */
export class FakeDesktopApi implements DesktopApi {
  info: DesktopInfo = { platform: 'linux', trayAvailable: true, tokenStorage: 'encrypted', version: '1.2.3' };
  settings: DesktopSettings = {
    closeToTray: false,
    startAtLogin: false,
    notificationsMuted: false,
    hideMessageText: false,
    autoDownloadUpdates: true,
    relayUrls: [],
  };
  updateStatus: UpdateStatus = { phase: 'idle', version: null, percent: null, message: null, required: false };
  /** The update requests the renderer made, in order. */
  readonly updateRequests: string[] = [];
  /** Every conversation the renderer reported as open, in order. */
  readonly openConversations: Array<string | null> = [];
  private readonly listeners = new Set<(event: DesktopEvent) => void>();

  emit(event: DesktopEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  getInfo = async () => this.info;
  getSettings = async () => this.settings;
  updateSettings = async (patch: DesktopSettingsPatch) => (this.settings = { ...this.settings, ...patch });
  setOpenConversation = async (conv: string | null) => {
    this.openConversations.push(conv);
  };
  getUpdateStatus = async () => this.updateStatus;
  checkForUpdates = async () => {
    this.updateRequests.push('check');
  };
  downloadUpdate = async () => {
    this.updateRequests.push('download');
  };
  restartToUpdate = async () => {
    this.updateRequests.push('restart');
  };
  readonly savedFiles: Array<[string, string]> = [];
  saveFile = async (fileId: string, name: string) => {
    this.savedFiles.push([fileId, name]);
  };
  /** The names saveMyData was asked to offer. */
  savedMyData: string[] = [];
  saveMyData = async (name: string) => {
    this.savedMyData.push(name);
  };
  onEvent = (listener: (event: DesktopEvent) => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
