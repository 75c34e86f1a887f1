// One signed-in user's engine: their store, their connection, and the parts
// that keep their conversations in step with the relay. Opened on sign-in (or
// at start with a saved account) and closed on sign-out, so nothing of one
// user can outlive their session into another's.
//
// Frames are handled strictly one after another (the `inbound` chain), each
// to the end of its store writes, so that the store sees them in the order
// the relay sent them. The socket's own events (open, close) go through the
// same chain where order matters: `hello` is built from the cursors after
// every earlier frame was handled. What must take effect at once when a
// socket closes (no more sends) is done outside it.
//
// Consecutive `ack` frames that wait together in the chain are handled as
// one run (`ackRun`): their jobs settle in one store transaction and each
// conversation's cursor moves once, instead of a transaction and a cursor
// write per ack. A flush of one conversation receives its acks in bursts of
// the outbox's window, so this is most of its cost saved; the order of
// frames is unchanged, since a run only ever grows while it is the chain's
// last task.
import type {
  ChatMessage,
  ChatStateChange,
  ConnectionState,
  ConnectionStatus,
  ConversationSummary,
  DuplexEvent,
  FileDraft,
  MessageSearchHit,
  GetMessagesOptions,
  MessagePage,
  MessageRef,
  PrivacySettings,
  ProfileChanges,
  StopReason,
} from '../api.ts';
import {
  CLOSE_CODES,
  type Conversation,
  type ConvFrame,
  type ConvsFrame,
  type Device,
  type GroupAddPolicy,
  type Presence,
  PROTOCOL_VERSION,
  type AckFrame,
  type RelayFrame,
  THUMB_PATTERN,
  type User,
  USER_SEARCH_MAX_QUERY_LENGTH,
  type WelcomeFrame,
} from '../protocol/index.ts';
import type { SessionCalls } from '../api-methods.ts';
import { matchRanges, queryWords } from '../search/search-text.ts';
import { type ClientStore, isMessageJob, type SendJob } from '../store/client-store.ts';
import { ChatStates } from './chat-states.ts';
import type { FetchFunction } from './auth-client.ts';
import { Connection, type WebSocketClass } from './connection.ts';
import { FileTransfers } from './file-transfers.ts';
import { Conversations } from './conversations.ts';
import type { Logger } from './log.ts';
import { assertSendableBody, MessageChanges } from './message-changes.ts';
import { Outbox } from './outbox.ts';
import { PartialConversations } from './partial-conversations.ts';
import { PhotoFiles } from './photo-files.ts';
import { PresenceBook } from './presence.ts';
import { Receipts } from './receipts.ts';
import { RelayNodes } from './relay-nodes.ts';
import { Requests, type UnsentRequest } from './requests.ts';
import { MessageSync } from './sync.ts';
import type { EngineTiming } from './timing.ts';
import { Typing } from './typing.ts';
import { outgoingChatMessage, ownMessageWatermarks, storedChatMessage, withPendingChanges } from './views.ts';

/** What the host keeps between runs to stay signed in. */
export interface StoredAccount {
  user: User;
  token: string;
  /** Normalised relay URLs (relay-url.ts), the nodes of one relay; the
   * first is the one signed in through. */
  relayUrls: string[];
}

export interface UserSessionOptions {
  account: StoredAccount;
  store: ClientStore;
  WebSocket: WebSocketClass;
  /** For files and photos, over the relay's files API. */
  fetch: FetchFunction;
  timing: EngineTiming;
  random: () => number;
  log: Logger;
  emit(event: DuplexEvent): void;
  /** The connection status changed; read it with status(). */
  statusChanged(): void;
  /** The relay closed with 4001 or 4002: this session will not reconnect. */
  stopped(reason: StopReason): void;
  /** The user's own profile changed (on this device or another, or while this one was away). */
  profileChanged(user: User): void;
}

/** Where the session stands on an open socket. */
type SessionPhase = 'hello' | 'syncing' | 'online';

/** What a user has until the relay says otherwise (docs/protocol.md, "Privacy"). */
const DEFAULT_PRIVACY: PrivacySettings = { groupAdds: 'everyone', blocked: [] };

/** How to finish a conversation that arrives in parts: from the welcome's listing or live, and the answer it settles. */
interface PartialContext {
  live: boolean;
  answer?: ConvFrame;
}

export class UserSession implements SessionCalls {
  readonly account: StoredAccount;
  /** The relay's nodes and the one in use, for the socket and for HTTP. */
  readonly nodes: RelayNodes;
  private readonly options: UserSessionOptions;
  private readonly me: string;
  private readonly store: ClientStore;
  private readonly conversations: Conversations;
  private readonly requests: Requests;
  private readonly outbox: Outbox;
  private readonly changes: MessageChanges;
  private readonly transfers: FileTransfers;
  private readonly receipts: Receipts;
  private readonly sync: MessageSync;
  private readonly typing: Typing;
  private readonly presence: PresenceBook;
  private readonly chatStates: ChatStates;
  private readonly connection: Connection;
  private readonly photos: PhotoFiles;
  private phase: SessionPhase = 'hello';
  private readonly partial = new PartialConversations<PartialContext>();
  /** Conversations the welcome listed so far, while its pages (`convs`) are coming. */
  private listed = new Set<string>();
  private privacy: PrivacySettings = DEFAULT_PRIVACY;
  /** Whether this session start brought a `privacy` frame; none means the defaults. */
  private privacyHeard = false;
  private stopReason: StopReason | null = null;
  private inbound: Promise<void> = Promise.resolve();
  /** Acks waiting together at the end of the inbound chain, to be handled as one run (see the header). */
  private ackRun: AckFrame[] | null = null;
  /** Counts opened sockets, so a `hello` queued for one that closed is skipped. */
  private socketsOpened = 0;

  static async open(options: UserSessionOptions): Promise<UserSession> {
    const session = new UserSession(options);
    await session.conversations.load();
    await session.outbox.load();
    return session;
  }

  private constructor(options: UserSessionOptions) {
    const { account, store, timing, log, emit } = options;
    this.options = options;
    this.account = account;
    this.me = account.user.id;
    this.store = store;
    this.nodes = new RelayNodes(account.relayUrls, options.fetch);
    const isOnline = () => this.phase === 'online';
    const send = (frame: Parameters<Connection['send']>[0]) => this.connection.send(frame);
    this.conversations = new Conversations(store, this.me, emit, log);
    // Before `welcome` the relay would refuse a request as unauthenticated.
    this.requests = new Requests((frame) => this.phase !== 'hello' && send(frame), timing.requestTimeoutMs);
    this.transfers = new FileTransfers({
      nodes: this.nodes,
      token: account.token,
      chunkBytes: timing.uploadChunkBytes,
    });
    this.outbox = new Outbox({
      store,
      me: this.me,
      send,
      isOnline,
      emit,
      changed: (conv) => this.conversations.changed(conv),
      targetChanged: (job) => this.changes.jobChanged(job),
      membersOf: (conv) => this.conversations.get(conv)?.members ?? [],
      sendRetryBackoff: timing.sendRetryBackoff,
      transfers: this.transfers,
      log,
    });
    this.changes = new MessageChanges({ store, conversations: this.conversations, outbox: this.outbox, me: this.me, emit });
    this.receipts = new Receipts({
      store,
      conversations: this.conversations,
      me: this.me,
      send,
      isOnline,
      emit,
      deliveredDelayMs: timing.deliveredReceiptDelayMs,
    });
    this.sync = new MessageSync({
      store,
      conversations: this.conversations,
      requests: this.requests,
      me: this.me,
      emit,
      write: (messages) => this.outbox.storeRelayMessages(messages),
      incomingStored: (conv) => this.receipts.delivered(conv),
      changesStored: (conv, targets) => this.changes.redrawStored(conv, targets),
      log,
    });
    this.typing = new Typing((frame) => isOnline() && send(frame), emit, timing);
    this.photos = new PhotoFiles(this.nodes, account.token, timing.httpTimeoutMs);
    this.presence = new PresenceBook(emit);
    this.chatStates = new ChatStates({
      conversations: this.conversations,
      requests: this.requests,
      isOnline,
      log,
      retryBackoff: timing.sendRetryBackoff,
    });
    this.connection = new Connection(
      {
        nodes: this.nodes,
        WebSocket: options.WebSocket,
        backoff: timing.reconnectBackoff,
        connectTimeoutMs: timing.connectTimeoutMs,
        pingIntervalMs: timing.pingIntervalMs,
        pongTimeoutMs: timing.pongTimeoutMs,
        random: options.random,
        log,
      },
      {
        onOpen: () => {
          const socket = ++this.socketsOpened;
          this.enqueue(() => this.sayHello(socket));
        },
        onFrame: (frame) => this.received(frame),
        onClose: (code, final) => this.connectionClosed(code, final),
        onStateChange: () => options.statusChanged(),
      },
    );
  }

  start(): void {
    this.connection.start();
  }

  status(): ConnectionStatus {
    const { phase, nextRetryAt, lastCloseReason } = this.connection.state;
    let state: ConnectionState;
    if (phase === 'open') state = this.phase === 'hello' ? 'connecting' : this.phase;
    else state = phase === 'connecting' ? 'connecting' : 'offline';
    return { state, nextRetryAt, lastCloseReason, stopped: this.stopReason, relayUrl: this.nodes.current };
  }

  retryNow(): void {
    this.connection.retryNow();
  }

  wake(): void {
    this.connection.wake();
  }

  /** Stops everything and closes the store once in-progress work is done. */
  async close(): Promise<void> {
    this.connection.stop();
    this.requests.rejectAll();
    this.typing.reset();
    this.outbox.close();
    this.chatStates.close();
    this.receipts.close();
    this.conversations.close();
    await this.inbound;
    await this.store.close();
  }

  // ---- what DuplexApi asks of a signed-in user (api-methods.ts validated the arguments) ----

  listConversations(): Promise<ConversationSummary[]> {
    return this.conversations.list();
  }

  async getMessages(conv: string, options: GetMessagesOptions): Promise<MessagePage> {
    const conversation = this.conversations.get(conv);
    if (!conversation) return { messages: [], hasMoreLocal: false };
    // One more than asked for tells whether older ones are stored.
    const stored = await this.store.getMessages(conv, { beforeSeq: options.beforeSeq, limit: options.limit + 1 });
    const hasMoreLocal = stored.length > options.limit;
    const outbox = await this.store.listOutbox(conv);
    const messages = (hasMoreLocal ? stored.slice(1) : stored).map((m) => storedChatMessage(m, conversation, this.me));
    if (options.beforeSeq === undefined) {
      for (const job of outbox) if (isMessageJob(job)) messages.push(outgoingChatMessage(job, this.me, conversation.members));
    }
    return { messages: messages.map((m) => withPendingChanges(m, outbox, this.me, conversation.members)), hasMoreLocal };
  }

  loadOlder(conv: string): Promise<number> {
    return this.sync.loadOlder(conv);
  }

  createDirect(userId: string): Promise<ConversationSummary> {
    return this.changeConversation({ t: 'create', kind: 'direct', with: userId });
  }

  createGroup(title: string, memberIds: string[]): Promise<ConversationSummary> {
    return this.changeConversation({ t: 'create', kind: 'group', title, members: memberIds });
  }

  addMembers(conv: string, userIds: string[]): Promise<ConversationSummary> {
    return this.changeConversation({ t: 'add', conv, users: userIds });
  }

  rename(conv: string, title: string): Promise<ConversationSummary> {
    return this.changeConversation({ t: 'rename', conv, title });
  }

  async leave(conv: string): Promise<void> {
    await this.requests.request({ t: 'leave', conv }, 'left');
  }

  async searchUsers(query: string): Promise<User[]> {
    if (query.length <= USER_SEARCH_MAX_QUERY_LENGTH) {
      return (await this.requests.request({ t: 'users', q: query }, 'users')).users;
    }
    // The relay refuses a longer query as a bad frame (and closes after too
    // many of those); a display name can still be longer than that in UTF-16
    // units. Ask with the longest prefix it takes and match the rest here.
    let prefix = query.slice(0, USER_SEARCH_MAX_QUERY_LENGTH);
    if (/[\uD800-\uDBFF]$/.test(prefix)) prefix = prefix.slice(0, -1);
    const wanted = query.toLowerCase();
    const { users } = await this.requests.request({ t: 'users', q: prefix }, 'users');
    return users.filter(
      (user) => user.username.toLowerCase().startsWith(wanted) || user.displayName.toLowerCase().startsWith(wanted),
    );
  }

  getPresence(userIds: string[]): Presence[] {
    return this.presence.get(userIds);
  }

  setChatState(conv: string, change: ChatStateChange): Promise<ConversationSummary> {
    return this.chatStates.set(conv, change);
  }

  async searchMessages(query: string, limit: number): Promise<MessageSearchHit[]> {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const found = await this.store.searchMessages(query, limit);
    return found.flatMap((message) => {
      const conversation = this.conversations.get(message.conv);
      if (!conversation) return [];
      return [{ message: storedChatMessage(message, conversation, this.me), highlights: matchRanges(message.body, words) }];
    });
  }

  send(conv: string, body: string, replyTo?: number): Promise<ChatMessage> {
    return this.sendNew(conv, body, replyTo === undefined ? {} : { replyTo });
  }

  async forward(conv: string, fromConv: string, seq: number): Promise<ChatMessage> {
    // A file goes by its id: the relay lets a member of the source
    // conversation send it on (docs/engine.md, "Changes in the outbox").
    const { body, file } = await this.changes.forwardedContent(fromConv, seq);
    return this.sendNew(conv, body, file ? { forwarded: true, file } : { forwarded: true });
  }

  edit(conv: string, message: MessageRef, body: string): Promise<void> {
    return this.changes.edit(conv, message, body);
  }

  deleteForEveryone(conv: string, message: MessageRef): Promise<void> {
    return this.changes.deleteForEveryone(conv, message);
  }

  react(conv: string, message: MessageRef, emoji: string): Promise<void> {
    return this.changes.react(conv, message, emoji);
  }

  private async sendNew(conv: string, body: string, options: Pick<SendJob, 'replyTo' | 'forwarded' | 'file'>): Promise<ChatMessage> {
    const conversation = this.conversations.require(conv);
    // The relay's own rules: a body it would refuse never enters the outbox
    // (and one over the frame size would make it close the socket, 1009, at
    // every resend, for ever). A file's caption may be blank.
    assertSendableBody(body, options.file !== undefined);
    this.typing.stop(conv);
    const message = await this.outbox.send(conv, body, options);
    conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    // What was being typed has just been sent.
    conversation.draft = '';
    await this.conversations.save(conversation);
    this.conversations.changed(conv);
    return message;
  }

  async sendFile(conv: string, draft: FileDraft): Promise<ChatMessage> {
    const conversation = this.conversations.require(conv);
    // A caption follows the body's rules, except that it may be blank.
    assertSendableBody(draft.caption, true);
    if (draft.thumb !== undefined && !THUMB_PATTERN.test(draft.thumb)) {
      throw new RangeError('The thumbnail is not a JPEG or WebP data URL');
    }
    this.typing.stop(conv);
    // A caption of only whitespace is no caption.
    const message = await this.outbox.sendFile(conv, { ...draft, caption: draft.caption.trim() === '' ? '' : draft.caption });
    conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    await this.conversations.save(conversation);
    this.conversations.changed(conv);
    return message;
  }

  /** From the device's cache, or downloaded with the token and cached. */
  async getFile(fileId: string): Promise<Uint8Array> {
    const cached = await this.store.getCachedFile(fileId);
    if (cached) return cached;
    const bytes = await this.transfers.download(fileId);
    await this.store.putCachedFile(fileId, bytes);
    return bytes;
  }

  retry(conv: string, cid: string): Promise<void> {
    return this.outbox.retry(conv, cid);
  }

  deleteUnsent(conv: string, cid: string): Promise<void> {
    return this.outbox.remove(conv, cid);
  }

  markRead(conv: string, seq: number): Promise<void> {
    return this.receipts.markRead(this.conversations.require(conv), seq);
  }

  setTyping(conv: string, typing: boolean): void {
    this.typing.setTyping(conv, typing);
  }

  async setDraft(conv: string, text: string): Promise<void> {
    const conversation = this.conversations.require(conv);
    if (conversation.draft === text) return;
    conversation.draft = text;
    await this.conversations.save(conversation);
    this.conversations.changed(conv);
  }

  getPrivacy(): PrivacySettings {
    return this.privacy;
  }

  /** The answer's frame updates `privacy` before the request settles. */
  async setGroupAdds(policy: GroupAddPolicy): Promise<PrivacySettings> {
    await this.requests.request({ t: 'privacy', groupAdds: policy }, 'privacy');
    return this.privacy;
  }

  async block(userId: string): Promise<PrivacySettings> {
    await this.requests.request({ t: 'block', user: userId }, 'privacy');
    return this.privacy;
  }

  async unblock(userId: string): Promise<PrivacySettings> {
    await this.requests.request({ t: 'unblock', user: userId }, 'privacy');
    return this.privacy;
  }

  async updateProfile(changes: ProfileChanges): Promise<User> {
    return (await this.requests.request({ t: 'profile', ...changes }, 'user')).user;
  }

  /** Uploads the photo (a JPEG the UI cropped and shrank), then makes it the user's; null removes it. */
  async setProfilePhoto(photo: Uint8Array | null): Promise<User> {
    const id = photo === null ? null : await this.photos.upload(photo);
    return (await this.requests.request({ t: 'profile', photo: id }, 'user')).user;
  }

  async setGroupPhoto(conv: string, photo: Uint8Array | null): Promise<ConversationSummary> {
    const id = photo === null ? null : await this.photos.upload(photo);
    return this.changeConversation({ t: 'group_photo', conv, photo: id });
  }

  getPhoto(fileId: string): Promise<string | null> {
    return this.photos.dataUrl(fileId);
  }

  async listDevices(): Promise<Device[]> {
    return (await this.requests.request({ t: 'devices' }, 'devices')).devices;
  }

  async signOutDevice(deviceId: string): Promise<Device[]> {
    return (await this.requests.request({ t: 'sign_out', device: deviceId }, 'devices')).devices;
  }

  async signOutOtherDevices(): Promise<Device[]> {
    return (await this.requests.request({ t: 'sign_out', others: true }, 'devices')).devices;
  }

  /** A request the relay answers with `conv`: by the time it resolves, the
   * conversation is stored (frames are handled before requests settle). */
  private async changeConversation(request: UnsentRequest): Promise<ConversationSummary> {
    const answer = await this.requests.request(request, 'conv');
    return this.conversations.summary(answer.conv.id);
  }

  // ---- the relay's side ----

  private received(frame: RelayFrame): void {
    if (frame.t !== 'ack') {
      this.enqueue(() => this.handle(frame));
      return;
    }
    if (this.ackRun) {
      this.ackRun.push(frame);
      return;
    }
    const run = [frame];
    this.enqueue(() => this.acknowledged(run));
    this.ackRun = run;
  }

  /** A run of acks: the outbox settles their jobs with the stored messages;
   * sync then moves the cursors over them (and drops those of a conversation
   * that is gone). */
  private async acknowledged(run: AckFrame[]): Promise<void> {
    // Started: later acks form the next run.
    if (this.ackRun === run) this.ackRun = null;
    await this.outbox.acknowledged(run.filter((frame) => this.conversations.get(frame.msg.conv)));
    await this.sync.acknowledged(run.map((frame) => frame.msg));
  }

  private enqueue(work: () => Promise<void> | void): void {
    // Any other work ends the run of acks waiting at the end of the chain.
    this.ackRun = null;
    this.inbound = this.inbound.then(work).catch((error: unknown) => {
      this.options.log('error', 'Failed to handle a relay frame', error);
    });
  }

  private async sayHello(socket: number): Promise<void> {
    if (socket !== this.socketsOpened) return;
    const cursors = await this.sync.helloCursors();
    if (socket !== this.socketsOpened) return;
    this.connection.send({ t: 'hello', v: PROTOCOL_VERSION, token: this.account.token, cursors });
  }

  private async handle(frame: Exclude<RelayFrame, AckFrame>): Promise<void> {
    switch (frame.t) {
      case 'welcome':
        await this.welcomed(frame);
        break;
      case 'convs':
        await this.takeListing(frame);
        break;
      case 'members': {
        const whole = this.partial.add(frame);
        if (!whole) break;
        await this.conversationChanged(whole.conversation, whole.context.live);
        if (whole.context.answer) this.requests.settle(whole.context.answer);
        break;
      }
      case 'batch':
        await this.sync.batch(frame);
        break;
      case 'synced':
        this.synced();
        break;
      case 'msg':
        await this.sync.live(frame.msg);
        break;
      case 'history':
        await this.sync.history(frame);
        break;
      case 'nack':
        await this.outbox.nacked(frame);
        break;
      case 'receipt':
        await this.receipts.received(frame);
        break;
      case 'typing':
        this.typing.received(frame);
        break;
      case 'presence':
        this.presence.update(frame);
        break;
      case 'chatstate':
        await this.chatStates.received(frame);
        break;
      case 'privacy':
        this.privacyHeard = true;
        this.privacyChanged({ groupAdds: frame.groupAdds, blocked: frame.blocked });
        break;
      case 'conv':
        if (frame.conv.partial) {
          // Its requester waits until the last part is stored.
          this.partial.start(frame.conv, { live: true, answer: frame });
          return;
        }
        await this.conversationChanged(frame.conv, true);
        break;
      case 'left':
        await this.removeConversation(frame.conv);
        break;
      case 'error':
        if (frame.rid === undefined) this.options.log('warn', `The relay reported ${frame.code}: ${frame.message}`);
        break;
      case 'user':
        await this.conversations.userChanged(frame.user);
        if (frame.user.id === this.me) this.ownProfile(frame.user);
        break;
      case 'users':
      case 'devices':
      case 'pong':
        break;
    }
    // Only now, with the frame's effects stored, may its requester go on.
    this.requests.settle(frame);
  }

  private async welcomed(frame: WelcomeFrame): Promise<void> {
    // Changed on another device while this one was away.
    this.ownProfile(frame.user);
    this.phase = 'syncing';
    this.options.statusChanged();
    this.listed = new Set();
    this.privacyHeard = false;
    await this.takeListing({ ...frame, more: frame.more ?? false });
  }

  /** A page of the welcome's listing: the welcome itself, then `convs` frames while `more`. */
  private async takeListing(page: Pick<ConvsFrame, 'conversations' | 'presence' | 'more'>): Promise<void> {
    for (const presence of page.presence) this.presence.update(presence);
    for (const incoming of page.conversations) {
      this.listed.add(incoming.id);
      if (incoming.partial) this.partial.start(incoming, { live: false });
      else await this.conversationChanged(incoming, false);
    }
    if (page.more) return;
    // The relay lists every conversation the user belongs to: one missing was
    // left (perhaps on another device) or is gone.
    for (const conversation of [...this.conversations.all()]) {
      if (!this.listed.has(conversation.id)) await this.removeConversation(conversation.id);
    }
  }

  private synced(): void {
    if (!this.privacyHeard) this.privacyChanged(DEFAULT_PRIVACY);
    this.phase = 'online';
    this.connection.markHealthy();
    this.outbox.flush();
    this.chatStates.synced();
    this.receipts.synced();
    this.options.statusChanged();
  }

  /** The relay's view of a conversation, from `welcome` or a live `conv`. */
  private async conversationChanged(incoming: Conversation, live: boolean): Promise<void> {
    const known = this.conversations.get(incoming.id);
    const before = known && ownMessageWatermarks(known, this.me);
    const { conversation, isNew } = this.conversations.merge(incoming);
    // Joined just now: everything already in it is history, fetched below
    // and on demand. (One listed in `welcome` gets its newest messages in the
    // session start instead.)
    if (isNew && live) conversation.cursor = incoming.lastSeq;
    await this.conversations.save(conversation);
    this.conversations.changed(conversation.id);
    if (before) await this.receipts.emitStatusChanges(conversation, before);
    if (isNew && live && incoming.lastSeq > 0) {
      this.sync.loadOlder(conversation.id).catch((error: unknown) => {
        this.options.log('info', `Could not fetch the newest messages of ${conversation.id}`, error);
      });
    }
  }

  private ownProfile(user: User): void {
    if (JSON.stringify(user) !== JSON.stringify(this.account.user)) this.options.profileChanged(user);
  }

  private privacyChanged(privacy: PrivacySettings): void {
    if (JSON.stringify(privacy) === JSON.stringify(this.privacy)) return;
    this.privacy = privacy;
    this.options.emit({ type: 'privacy', privacy });
  }

  private async removeConversation(id: string): Promise<void> {
    this.outbox.forgetConversation(id);
    this.sync.forget(id);
    await this.conversations.remove(id);
  }

  private connectionClosed(code: number, final: boolean): void {
    // At once, not in turn: nothing may be sent on the next socket before
    // its `hello`, and nobody should wait for answers that cannot come.
    this.phase = 'hello';
    this.outbox.connectionLost();
    this.chatStates.connectionLost();
    this.receipts.connectionLost();
    this.requests.rejectAll();
    this.typing.reset();
    this.presence.connectionLost();
    // In turn: frames of the closed socket still queued are handled first.
    this.enqueue(() => {
      this.partial.clear();
      return this.sync.connectionLost();
    });
    if (final) {
      this.stopReason = code === CLOSE_CODES.unsupportedVersion ? 'update_needed' : 'signed_out';
      this.options.stopped(this.stopReason);
    }
    this.options.statusChanged();
  }
}

