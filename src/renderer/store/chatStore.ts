// The renderer's one store: what the engine has told it (account, status,
// conversations, typing, presence, loaded messages) and what the user is
// doing (open conversation, filter, reply target, dialog). It is fed by
// DuplexEvents, each an incremental update applied by the pure applyEvent(),
// and its actions call the DuplexApi. It never talks to anything else.
//
// Built from slices: the messages (messagesSlice.ts: bounded windows, paging,
// message actions), changes to messages (messageChangesSlice.ts: edit,
// react, delete for everyone, forward), presence (presenceSlice.ts), privacy
// (privacySlice.ts), pin/archive/mute (chatListSlice.ts), files (filesSlice.ts),
// the account's own settings (accountSlice.ts),
// the desktop app's extras (desktopSlice.ts) and the app's own updates
// (updatesSlice.ts); the account, its snapshot, conversations and dialogs
// are here. The state's types are in chatState.ts.
import { createStore } from 'zustand/vanilla';
import type { Account, DuplexApi, DuplexEvent } from '../../shared/api.ts';
import type { AppUpdates } from '../../shared/app-updates.ts';
import type { DesktopApi } from '../../shared/desktop-api.ts';
import type { WebApi } from '../../shared/web-api.ts';
import { applyEvent, withoutConversation } from './applyEvent.ts';
import {
  accountData,
  background,
  type ChatActions,
  type ChatState,
  type ChatStore,
  MESSAGE_RESULTS_LIMIT,
  unreadMarkerFor,
  withEntry,
} from './chatState.ts';
import { chatListSlice } from './chatListSlice.ts';
import { desktopSlice } from './desktopSlice.ts';
import { messageChangesSlice } from './messageChangesSlice.ts';
import { filesSlice } from './filesSlice.ts';
import { messagesSlice } from './messagesSlice.ts';
import { presenceSlice } from './presenceSlice.ts';
import { privacySlice } from './privacySlice.ts';
import { accountSlice } from './accountSlice.ts';
import { updatesSlice } from './updatesSlice.ts';
import { webSlice } from './webSlice.ts';
import { selectVisibleConversations } from './selectors.ts';

/** `desktop` is window.duplexDesktop in the desktop app, null on the web;
 * `updates` is the app's own updates, where the shell has them; `web` is
 * window.duplexWeb in the web client. */
export function createChatStore(
  api: DuplexApi,
  desktop: DesktopApi | null,
  updates: AppUpdates | null = null,
  web: WebApi | null = null,
): ChatStore {
  return createStore<ChatState>()((set, get, store) => {
    // Events that arrive while a snapshot is being read wait here and are
    // replayed after it. Each event carries the whole new state of what it
    // names, so replaying them in order ends at the newest state whatever
    // the snapshot already saw.
    let queuedEvents: DuplexEvent[] | null = null;
    let snapshotGeneration = 0;
    const messages = messagesSlice(api, set, get);
    const changes = messageChangesSlice(api, set, get);
    const presencePart = presenceSlice(api, set, get);
    const privacyPart = privacySlice(api, set);
    const chatListPart = chatListSlice(api, set);
    const filesPart = filesSlice(api, desktop, get, set);
    const accountPart = accountSlice(api, desktop, set, get);
    const desktopPart = desktopSlice(desktop, store);
    const updatesPart = updatesSlice(updates, set);
    const webPart = webSlice(web, store);

    function receive(event: DuplexEvent): void {
      if (queuedEvents) queuedEvents.push(event);
      else apply(event);
    }

    function apply(event: DuplexEvent): void {
      if (event.type === 'account') {
        onAccount(event.account);
        return;
      }
      const changes = applyEvent(get(), event);
      if (changes) set(changes);
    }

    function onAccount(account: Account | null): void {
      const { auth, account: current } = get();
      if (auth !== 'loading' && account?.user.id === current?.user.id) {
        set({ account });
        return;
      }
      background(loadSnapshot(account));
    }

    /** Starts over for this account (or for nobody): clears the previous
     * account's data, then reads status and conversations. */
    async function loadSnapshot(account: Account | null): Promise<void> {
      const generation = ++snapshotGeneration;
      queuedEvents ??= [];
      messages.reset();
      set({ ...accountData(), auth: account ? 'signed-in' : 'signed-out', account });
      try {
        const [status, conversations, privacy] = await Promise.all([
          api.getStatus(),
          account ? api.listConversations() : Promise.resolve([]),
          privacyPart.read(account),
        ]);
        if (generation !== snapshotGeneration) return;
        set({
          status,
          conversations: new Map(conversations.map((c) => [c.id, c])),
          conversationsLoaded: true,
          privacy,
        });
        if (account) background(presencePart.loadMembers(conversations, account.user.id));
      } finally {
        if (generation === snapshotGeneration) {
          const events = queuedEvents ?? [];
          queuedEvents = null;
          for (const event of events) apply(event);
        }
      }
    }

    const actions: ChatActions = {
      start() {
        queuedEvents = [];
        const unsubscribe = api.onEvent(receive);
        background(api.getAccount().then(loadSnapshot));
        const stopDesktop = desktopPart.start(actions);
        const stopUpdates = updatesPart.start();
        const stopWeb = webPart.start(actions);
        return () => {
          unsubscribe();
          stopDesktop();
          stopUpdates();
          stopWeb();
        };
      },

      async signIn(request) {
        const result = await api.signIn(request);
        if (result.ok) onAccount(result.account);
        return result;
      },

      async register(request) {
        const result = await api.register(request);
        if (result.ok) onAccount(result.account);
        return result;
      },

      signOut() {
        background(api.signOut().then(() => onAccount(null)));
      },

      retryNow() {
        background(api.retryNow());
      },

      setFilter(filter) {
        set({ filter });
      },

      openConversation(id) {
        const { openId, conversations, account } = get();
        if (id === openId) return;
        const conversation = id === null ? undefined : conversations.get(id);
        set((state) => ({
          openId: conversation ? conversation.id : null,
          // Group info belongs to the conversation that was open.
          dialog: state.dialog === 'group-info' ? null : state.dialog,
          replyTarget: null,
          editTarget: null,
          unreadMarker: conversation && account ? unreadMarkerFor(conversation, account.user.id) : null,
        }));
        if (!conversation) return;
        messages.opened(conversation.id, conversation.unread);
        if (conversation.peerId) presencePart.ensure(conversation.peerId);
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
        set({ replyTarget: message, editTarget: null });
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

      searchMessages(query) {
        return api.searchMessages(query, MESSAGE_RESULTS_LIMIT);
      },

      jumpToMessage(conv, seq) {
        set({ jumpTarget: { conv, seq } });
        actions.openConversation(conv);
      },

      takeJumpTarget(conv) {
        const target = get().jumpTarget;
        if (target?.conv !== conv) return null;
        set({ jumpTarget: null });
        return target.seq;
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
        const me = get().account?.user.id;
        if (me) background(presencePart.loadMembers([conversation], me));
      },

      async leaveGroup(conv) {
        await api.leave(conv);
        // The engine's `conversation-removed` follows; removing twice is harmless.
        set((state) => withoutConversation(state, conv));
      },

      ...messages.actions,
      ...changes.actions,
      ...privacyPart.actions,
      ...chatListPart.actions,
      ...filesPart.actions,
      ...accountPart.actions,
      ...desktopPart.actions,
      ...updatesPart.actions,
      ...webPart.actions,
    };

    return {
      isDesktop: desktop !== null,
      desktopInfo: null,
      desktopSettings: null,
      webNotifications: null,
      updatesApplyBy: updates?.appliesBy ?? null,
      update: null,
      updateDismissed: false,
      auth: 'loading',
      account: null,
      status: { state: 'connecting', nextRetryAt: null, lastCloseReason: null, stopped: null, relayUrl: null },
      ...accountData(),
      actions,
    };
  });
}
