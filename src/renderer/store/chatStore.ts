// The renderer's one store: what the engine has told it (session, status,
// conversations, typing, presence, loaded messages) and what the user is
// doing (open conversation, filter, reply target, dialog). It is fed by
// DuplexEvents, each an incremental upsert, and its actions call the
// DuplexApi. It never talks to anything else.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AuthResult,
  ChatMessage,
  ConnectionStatus,
  ConversationSummary,
  DuplexApi,
  DuplexEvent,
  PrivacySettings,
  RegisterRequest,
  Session,
  SignInRequest,
  Unsubscribe,
} from '../../shared/api.ts';
import type { AppUpdates, UpdateStatus } from '../../shared/app-updates.ts';
import type { DesktopApi, DesktopEvent, DesktopInfo, DesktopSettings, DesktopSettingsPatch } from '../../shared/desktop-api.ts';
import type { GroupAddPolicy, Presence, User } from '../../shared/protocol/index.ts';
import { MessageWindow } from './messageWindow.ts';
import { selectVisibleConversations } from './selectors.ts';

/** PROTOCOL.md: a typing state not refreshed for 6 s is dropped. The engine
 * does so too; this keeps a lost "stopped typing" event from sticking. */
export const TYPING_EXPIRY_MS = 6_000;
/** Messages per page when opening a conversation or scrolling up. */
export const PAGE_SIZE = 50;
/** The largest page, for opening far above the newest message (many unread,
 * or jumping to an old quoted message). */
const MAX_PAGE_SIZE = 1_000;

/** `group-info` is about the open conversation (a group). */
export type DialogKind = 'new-chat' | 'new-group' | 'settings' | 'group-info';

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
  /** How an update takes effect, or null where the shell offers none. */
  updatesApplyBy: AppUpdates['appliesBy'] | null;
  /** The app's own update, once known; null until then. */
  update: UpdateStatus | null;
  /** The user closed the update bar for this status. */
  updateDismissed: boolean;
  auth: 'loading' | 'signed-out' | 'signed-in';
  session: Session | null;
  status: ConnectionStatus;
  conversations: ReadonlyMap<string, ConversationSummary>;
  /** The first listConversations() has answered (until then an empty list
   * means "not known yet", not "no chats"). */
  conversationsLoaded: boolean;
  filter: string;
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
  unreadMarker: UnreadMarker | null;
  replyTarget: ChatMessage | null;
  dialog: DialogKind | null;
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
  retry(conv: string, cid: string): void;
  deleteUnsent(conv: string, cid: string): void;
  /** Marks the conversation read up to its newest loaded message. */
  markRead(conv: string): void;
  setTyping(conv: string, typing: boolean): void;
  saveDraft(conv: string, text: string): void;
  setReplyTarget(message: ChatMessage | null): void;
  openDialog(dialog: DialogKind): void;
  closeDialog(): void;
  searchUsers(query: string): Promise<User[]>;
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
  updateDesktopSettings(patch: DesktopSettingsPatch): void;
  checkForUpdates(): void;
  downloadUpdate(): void;
  applyUpdate(): void;
  dismissUpdate(): void;
  setConversationMuted(conv: string, muted: boolean): void;
}

export interface ChatState extends ChatData {
  actions: ChatActions;
}

export type ChatStore = StoreApi<ChatState>;

/** Everything that belongs to one signed-in account. */
function accountData(): Omit<
  ChatData,
  'isDesktop' | 'desktopInfo' | 'desktopSettings' | 'updatesApplyBy' | 'update' | 'updateDismissed' | 'auth' | 'session' | 'status'
> {
  return {
    conversations: new Map(),
    conversationsLoaded: false,
    filter: '',
    openId: null,
    windows: new Map(),
    loadingOlder: new Set(),
    typing: new Map(),
    presence: new Map(),
    privacy: null,
    unreadMarker: null,
    replyTarget: null,
    dialog: null,
  };
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  return new Map(map).set(key, value);
}

function withoutEntry<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function logError(error: unknown): void {
  console.error('Duplex:', error);
}

/** For calls whose effects come back as events: a failure is only worth a
 * log line (the UI shows the state the engine reports, not the call). */
function background(task: Promise<unknown>): void {
  task.catch(logError);
}

function unreadMarkerFor(conversation: ConversationSummary, me: string): UnreadMarker | null {
  if (conversation.unread === 0) return null;
  const afterSeq = conversation.receipts[me]?.read ?? conversation.lastSeq - conversation.unread;
  return { conv: conversation.id, afterSeq, count: conversation.unread };
}

/** `desktop` is window.duplexDesktop in the desktop app, null on the web;
 * `updates` is the app's own updates, where the shell has them. */
export function createChatStore(api: DuplexApi, desktop: DesktopApi | null, updates: AppUpdates | null = null): ChatStore {
  return createStore<ChatState>()((set, get, store) => {
    // Events that arrive while a snapshot is being read wait here and are
    // replayed after it. Each event carries the whole new state of what it
    // names, so replaying them in order ends at the newest state whatever
    // the snapshot already saw.
    let queuedEvents: DuplexEvent[] | null = null;
    let snapshotGeneration = 0;
    const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
    /** The seq last passed to markRead, per conversation, so that scrolling
     * at the bottom does not repeat the call before the engine answers. */
    const readRequested = new Map<string, number>();
    const olderLoads = new Map<string, Promise<void>>();

    /** Windows change in place (see MessageWindow); a new state object makes
     * subscribers re-run their selectors, which read window versions. */
    function notifyWindowChange(): void {
      set((state) => ({ windows: state.windows }));
    }

    function receive(event: DuplexEvent): void {
      if (queuedEvents) queuedEvents.push(event);
      else applyEvent(event);
    }

    function applyEvent(event: DuplexEvent): void {
      switch (event.type) {
        case 'session':
          onSession(event.session);
          break;
        case 'status':
          set({ status: event.status });
          break;
        case 'conversation':
          set((state) => ({ conversations: withEntry(state.conversations, event.conversation.id, event.conversation) }));
          break;
        case 'conversation-removed':
          removeConversation(event.id);
          break;
        case 'messages':
          if (get().windows.get(event.conv)?.upsert(event.messages)) notifyWindowChange();
          break;
        case 'message-removed':
          if (get().windows.get(event.conv)?.remove(event.cid)) notifyWindowChange();
          break;
        case 'typing':
          setTypingUsers(event.conv, event.users);
          break;
        case 'presence':
          set((state) => ({ presence: withEntry(state.presence, event.presence.user, event.presence) }));
          break;
        case 'privacy':
          set({ privacy: event.privacy });
          break;
      }
    }

    function onSession(session: Session | null): void {
      const { auth, session: current } = get();
      if (auth !== 'loading' && session?.user.id === current?.user.id) {
        set({ session });
        return;
      }
      background(loadSnapshot(session));
    }

    /** Starts over for this session (or for nobody): clears the previous
     * account's data, then reads status and conversations. */
    async function loadSnapshot(session: Session | null): Promise<void> {
      const generation = ++snapshotGeneration;
      queuedEvents ??= [];
      for (const timer of typingTimers.values()) clearTimeout(timer);
      typingTimers.clear();
      readRequested.clear();
      set({ ...accountData(), auth: session ? 'signed-in' : 'signed-out', session });
      try {
        const [status, conversations, privacy] = await Promise.all([
          api.getStatus(),
          session ? api.listConversations() : Promise.resolve([]),
          session ? api.getPrivacy() : Promise.resolve(null),
        ]);
        if (generation !== snapshotGeneration) return;
        set({
          status,
          conversations: new Map(conversations.map((c) => [c.id, c])),
          conversationsLoaded: true,
          privacy,
        });
        if (session) background(loadPresence(conversations, session.user.id));
      } finally {
        if (generation === snapshotGeneration) {
          const events = queuedEvents ?? [];
          queuedEvents = null;
          for (const event of events) applyEvent(event);
        }
      }
    }

    async function loadPresence(conversations: ConversationSummary[], me: string): Promise<void> {
      const ids = new Set(conversations.flatMap((c) => c.members.map((m) => m.id)));
      ids.delete(me);
      if (ids.size === 0) return;
      const snapshot = await api.getPresence([...ids]);
      // Presence events that came meanwhile are newer than the snapshot.
      set((state) => ({ presence: new Map([...snapshot.map((p) => [p.user, p] as const), ...state.presence]) }));
    }

    function removeConversation(id: string): void {
      set((state) => ({
        conversations: withoutEntry(state.conversations, id),
        windows: withoutEntry(state.windows, id),
        typing: withoutEntry(state.typing, id),
        openId: state.openId === id ? null : state.openId,
        // Group info is about the open conversation, which is gone.
        dialog: state.dialog === 'group-info' && state.openId === id ? null : state.dialog,
        unreadMarker: state.unreadMarker?.conv === id ? null : state.unreadMarker,
      }));
    }

    function setTypingUsers(conv: string, users: readonly string[]): void {
      clearTimeout(typingTimers.get(conv));
      typingTimers.delete(conv);
      if (users.length === 0) {
        set((state) => ({ typing: withoutEntry(state.typing, conv) }));
        return;
      }
      set((state) => ({ typing: withEntry(state.typing, conv, users) }));
      typingTimers.set(
        conv,
        setTimeout(() => setTypingUsers(conv, []), TYPING_EXPIRY_MS),
      );
    }

    function onDesktopEvent(event: DesktopEvent): void {
      switch (event.type) {
        case 'settings':
          set({ desktopSettings: event.settings });
          break;
        case 'open-conversation':
          actions.openConversation(event.conv);
          break;
        case 'open-settings':
          actions.openDialog('settings');
          break;
      }
    }

    /** The desktop app's side: its settings, its events, and the open
     * conversation (whose messages do not notify while the window has
     * focus). */
    function startDesktop(desktopApi: DesktopApi): Unsubscribe {
      background(
        Promise.all([desktopApi.getInfo(), desktopApi.getSettings()]).then(([desktopInfo, desktopSettings]) =>
          // A `settings` event that came meanwhile is newer.
          set((state) => ({ desktopInfo, desktopSettings: state.desktopSettings ?? desktopSettings })),
        ),
      );
      const unsubscribeEvents = desktopApi.onEvent(onDesktopEvent);
      const unsubscribeOpen = store.subscribe((state, previous) => {
        if (state.openId !== previous.openId) background(desktopApi.setOpenConversation(state.openId));
      });
      return () => {
        unsubscribeEvents();
        unsubscribeOpen();
      };
    }

    async function loadFirstPage(conv: string, unread: number): Promise<void> {
      const window = new MessageWindow();
      set((state) => ({ windows: withEntry(state.windows, conv, window) }));
      const limit = Math.min(Math.max(PAGE_SIZE, unread + PAGE_SIZE / 2), MAX_PAGE_SIZE);
      try {
        window.addFirstPage(await api.getMessages(conv, { limit }));
        notifyWindowChange();
      } catch (error) {
        // Forget the window so that opening the conversation again retries.
        set((state) => ({ windows: withoutEntry(state.windows, conv) }));
        throw error;
      }
    }

    async function fetchOlder(conv: string, window: MessageWindow, limit: number): Promise<void> {
      set((state) => ({ loadingOlder: new Set(state.loadingOlder).add(conv) }));
      try {
        const beforeSeq = window.oldestSeq();
        if (window.hasMoreLocal && beforeSeq !== null) {
          window.addOlderPage(await api.getMessages(conv, { beforeSeq, limit }));
          notifyWindowChange();
        } else if (get().conversations.get(conv)?.hasMoreHistory) {
          // What the relay sends back arrives as `messages` events, which
          // join the window since nothing stored lies between.
          await api.loadOlder(conv);
        }
      } finally {
        set((state) => {
          const loadingOlder = new Set(state.loadingOlder);
          loadingOlder.delete(conv);
          return { loadingOlder };
        });
      }
    }

    /** One older-page load per conversation at a time; callers share it.
     * It never rejects: a failure leaves the window as it was, which callers
     * see, and the next scroll tries again. */
    function loadOlder(conv: string, limit: number): Promise<void> {
      const window = get().windows.get(conv);
      const hasOlder = window?.hasMoreLocal || get().conversations.get(conv)?.hasMoreHistory;
      if (!window?.loaded || !hasOlder) return Promise.resolve();
      let load = olderLoads.get(conv);
      if (!load) {
        load = fetchOlder(conv, window, limit)
          .catch(logError)
          .finally(() => olderLoads.delete(conv));
        olderLoads.set(conv, load);
      }
      return load;
    }

    /** The app's own updates: the status now, then every change. */
    function startUpdates(source: AppUpdates): Unsubscribe {
      const show = (update: UpdateStatus): void =>
        set((state) => ({ update, updateDismissed: state.updateDismissed && state.update?.phase === update.phase }));
      const unsubscribe = source.onStatus(show);
      background(source.getStatus().then((update) => set((state) => ({ update: state.update ?? update }))));
      return unsubscribe;
    }

    const actions: ChatActions = {
      start() {
        queuedEvents = [];
        const unsubscribe = api.onEvent(receive);
        background(api.getSession().then(loadSnapshot));
        const stopDesktop = desktop ? startDesktop(desktop) : null;
        const stopUpdates = updates ? startUpdates(updates) : null;
        return () => {
          unsubscribe();
          stopDesktop?.();
          stopUpdates?.();
          for (const timer of typingTimers.values()) clearTimeout(timer);
        };
      },

      async signIn(request) {
        const result = await api.signIn(request);
        if (result.ok) onSession(result.session);
        return result;
      },

      async register(request) {
        const result = await api.register(request);
        if (result.ok) onSession(result.session);
        return result;
      },

      signOut() {
        background(api.signOut().then(() => onSession(null)));
      },

      retryNow() {
        background(api.retryNow());
      },

      setFilter(filter) {
        set({ filter });
      },

      openConversation(id) {
        const { openId, conversations, windows, session, presence } = get();
        if (id === openId) return;
        const conversation = id === null ? undefined : conversations.get(id);
        set((state) => ({
          openId: conversation ? conversation.id : null,
          // Group info belongs to the conversation that was open.
          dialog: state.dialog === 'group-info' ? null : state.dialog,
          replyTarget: null,
          unreadMarker: conversation && session ? unreadMarkerFor(conversation, session.user.id) : null,
        }));
        if (!conversation) return;
        if (!windows.has(conversation.id)) background(loadFirstPage(conversation.id, conversation.unread));
        const peer = conversation.peerId;
        if (peer && !presence.has(peer)) {
          background(
            api.getPresence([peer]).then(([p]) => {
              if (p && !get().presence.has(peer)) set((state) => ({ presence: withEntry(state.presence, peer, p) }));
            }),
          );
        }
      },

      openAdjacentConversation(step) {
        const state = get();
        const visible = selectVisibleConversations(state);
        if (visible.length === 0) return;
        const current = visible.findIndex((c) => c.id === state.openId);
        const next = current < 0 ? (step > 0 ? 0 : visible.length - 1) : current + step;
        const target = visible[Math.min(Math.max(next, 0), visible.length - 1)];
        if (target) actions.openConversation(target.id);
      },

      loadOlderMessages(conv) {
        return loadOlder(conv, PAGE_SIZE);
      },

      async revealMessage(conv, seq) {
        for (;;) {
          const window = get().windows.get(conv);
          if (!window?.loaded) return -1;
          const index = window.indexOfSeq(seq);
          const oldest = window.oldestSeq();
          if (index >= 0 || oldest === null || oldest < seq) return index;
          const versionBefore = window.version;
          const limit = Math.min(Math.max(oldest - seq + PAGE_SIZE / 2, PAGE_SIZE), MAX_PAGE_SIZE);
          await loadOlder(conv, limit);
          if (window.version === versionBefore) return -1;
        }
      },

      async send(conv, body) {
        const replyTarget = get().replyTarget;
        set({ replyTarget: null });
        try {
          // The engine shows the queued message with its `messages` event.
          await api.send(conv, body, replyTarget?.seq ?? undefined);
        } catch (error) {
          set({ replyTarget });
          throw error;
        }
      },

      retry(conv, cid) {
        background(api.retry(conv, cid));
      },

      deleteUnsent(conv, cid) {
        background(api.deleteUnsent(conv, cid));
      },

      markRead(conv) {
        const conversation = get().conversations.get(conv);
        const newest = get().windows.get(conv)?.newestSeq() ?? null;
        if (!conversation || conversation.unread === 0 || newest === null) return;
        if ((readRequested.get(conv) ?? 0) >= newest) return;
        readRequested.set(conv, newest);
        background(api.markRead(conv, newest));
      },

      setTyping(conv, typing) {
        background(api.setTyping(conv, typing));
      },

      saveDraft(conv, text) {
        const conversation = get().conversations.get(conv);
        if (!conversation || conversation.draft === text) return;
        // Shown at once (list preview, reopening the chat) rather than after
        // the engine's conversation event.
        set((state) => ({ conversations: withEntry(state.conversations, conv, { ...conversation, draft: text }) }));
        background(api.setDraft(conv, text));
      },

      setReplyTarget(message) {
        set({ replyTarget: message });
      },

      openDialog(dialog) {
        set({ dialog });
      },

      closeDialog() {
        set({ dialog: null });
      },

      searchUsers(query) {
        return api.searchUsers(query);
      },

      async startDirectChat(userId) {
        const conversation = await api.createDirect(userId);
        set((state) => ({ conversations: withEntry(state.conversations, conversation.id, conversation), dialog: null }));
        actions.openConversation(conversation.id);
      },

      async createGroup(title, memberIds) {
        const conversation = await api.createGroup(title, memberIds);
        set((state) => ({ conversations: withEntry(state.conversations, conversation.id, conversation), dialog: null }));
        actions.openConversation(conversation.id);
      },

      async renameGroup(conv, title) {
        const conversation = await api.rename(conv, title);
        set((state) => ({ conversations: withEntry(state.conversations, conversation.id, conversation) }));
      },

      async addGroupMembers(conv, userIds) {
        const conversation = await api.addMembers(conv, userIds);
        set((state) => ({ conversations: withEntry(state.conversations, conversation.id, conversation) }));
        // The new members' presence, for their chats' headers.
        const me = get().session?.user.id;
        if (me) background(loadPresence([conversation], me));
      },

      async leaveGroup(conv) {
        await api.leave(conv);
        // The engine's `conversation-removed` follows; removing twice is harmless.
        removeConversation(conv);
      },

      async setGroupAdds(policy) {
        set({ privacy: await api.setGroupAdds(policy) });
      },

      async blockUser(userId) {
        set({ privacy: await api.block(userId) });
      },

      async unblockUser(userId) {
        set({ privacy: await api.unblock(userId) });
      },

      updateDesktopSettings(patch) {
        if (desktop) background(desktop.updateSettings(patch).then((desktopSettings) => set({ desktopSettings })));
      },

      checkForUpdates() {
        // Asked for: whatever it finds is shown, even a step dismissed before.
        set({ updateDismissed: false });
        if (updates) background(updates.check());
      },

      downloadUpdate() {
        if (updates) background(updates.download());
      },

      applyUpdate() {
        if (updates) background(updates.apply());
      },

      dismissUpdate() {
        set({ updateDismissed: true });
      },

      setConversationMuted(conv, muted) {
        if (desktop) background(desktop.setConversationMuted(conv, muted).then((desktopSettings) => set({ desktopSettings })));
      },
    };

    return {
      isDesktop: desktop !== null,
      desktopInfo: null,
      desktopSettings: null,
      updatesApplyBy: updates?.appliesBy ?? null,
      update: null,
      updateDismissed: false,
      auth: 'loading',
      session: null,
      status: { state: 'connecting', nextRetryAt: null, lastCloseReason: null, stopped: null },
      ...accountData(),
      actions,
    };
  });
}
