// Pin, archive and mute in the renderer's store (docs/ui.md, "Chat list"):
// the user's chat state of each conversation comes with its summary; these
// actions change it through the engine, which shows the change at once (its
// `conversation` event) and carries it to the user's other devices. Which
// list is shown, the chats or the archived ones, is the renderer's own. A
// slice: chatStore.ts composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { ChatStateChange, DuplexApi } from '../../shared/api.ts';
import { type ChatActions, type ChatState, withEntry } from './chatState.ts';

export interface ChatListSlice {
  actions: Pick<ChatActions, 'setChatState' | 'showArchived'>;
}

export function chatListSlice(api: DuplexApi, set: StoreApi<ChatState>['setState']): ChatListSlice {
  return {
    actions: {
      setChatState(conv: string, change: ChatStateChange) {
        return api.setChatState(conv, change).then((conversation) => {
          set((state) => ({ conversations: withEntry(state.conversations, conversation.id, conversation) }));
        });
      },

      showArchived(shown) {
        set({ archivedShown: shown });
      },
    },
  };
}
