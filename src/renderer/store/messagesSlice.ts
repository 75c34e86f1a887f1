// The messages part of the renderer's store: the loaded windows of the
// conversations opened (a bounded cache, least recently opened evicted),
// paging older messages in, and the message actions. A slice: chatStore.ts
// composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { DuplexApi } from '../../shared/api.ts';
import {
  background,
  type ChatActions,
  type ChatState,
  logError,
  MAX_PAGE_SIZE,
  PAGE_SIZE,
  withEntry,
  withoutEntry,
} from './chatState.ts';
import { MessageWindow } from './messageWindow.ts';

/** Conversations whose loaded messages are kept after they are left: going
 * back to a recent one shows it at once, and memory stays bounded however
 * many are opened. An evicted one is read again from the local store. */
export const MAX_CACHED_WINDOWS = 20;

type MessageActions = Pick<
  ChatActions,
  'loadOlderMessages' | 'revealMessage' | 'send' | 'retry' | 'deleteUnsent' | 'markRead'
>;

export interface MessagesSlice {
  actions: MessageActions;
  /** A conversation was opened: its window, loaded unless cached. */
  opened(conv: string, unread: number): void;
  /** The account starts over. */
  reset(): void;
}

export function messagesSlice(
  api: DuplexApi,
  set: StoreApi<ChatState>['setState'],
  get: StoreApi<ChatState>['getState'],
): MessagesSlice {
  /** The seq last passed to markRead, per conversation, so that scrolling
   * at the bottom does not repeat the call before the engine answers. */
  const readRequested = new Map<string, number>();
  const olderLoads = new Map<string, Promise<void>>();

  /** Windows change in place (see MessageWindow); a new state object makes
   * subscribers re-run their selectors, which read window versions. */
  function notifyWindowChange(): void {
    set((state) => ({ windows: state.windows }));
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

  /** Keeps at most MAX_CACHED_WINDOWS windows, dropping the least recently
   * opened ones (a Map keeps insertion order, and opening re-inserts). */
  function evictStaleWindows(): void {
    const { windows, openId, loadingOlder } = get();
    if (windows.size <= MAX_CACHED_WINDOWS) return;
    const kept = new Map(windows);
    for (const conv of windows.keys()) {
      if (kept.size <= MAX_CACHED_WINDOWS) break;
      if (conv === openId || loadingOlder.has(conv)) continue;
      kept.delete(conv);
      readRequested.delete(conv);
    }
    set({ windows: kept });
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

  return {
    opened(conv, unread) {
      const cached = get().windows.get(conv);
      if (cached) {
        // Most recently opened: to the end of the eviction order.
        set((state) => ({ windows: withEntry(withoutEntry(state.windows, conv), conv, cached) }));
        return;
      }
      background(loadFirstPage(conv, unread));
      evictStaleWindows();
    },

    reset() {
      readRequested.clear();
    },

    actions: {
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
    },
  };
}
