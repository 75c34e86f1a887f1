// Changing messages from the renderer's store: the message being edited
// (the composer's edit bar), reactions toggled, deletes for everyone and
// forwarding (docs/ui.md, "Message actions"). The engine shows every change
// at once through its `messages` events, so these actions only ask for it;
// a refusal (past the edit window, say) rejects for the caller to show.
// A slice: chatStore.ts composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { ChatMessage, DuplexApi } from '../../shared/api.ts';
import type { ChatActions, ChatState } from './chatState.ts';

export interface MessageChangesSlice {
  actions: Pick<
    ChatActions,
    'setEditTarget' | 'saveEdit' | 'toggleReaction' | 'deleteForEveryone' | 'openForward' | 'forwardTo'
  >;
}

function refOf(message: ChatMessage) {
  return { cid: message.cid, seq: message.seq };
}

export function messageChangesSlice(
  api: DuplexApi,
  set: StoreApi<ChatState>['setState'],
  get: StoreApi<ChatState>['getState'],
): MessageChangesSlice {
  return {
    actions: {
      setEditTarget(message) {
        // Replying and editing are one at a time.
        set({ editTarget: message, replyTarget: null });
      },

      async saveEdit(conv, body) {
        const target = get().editTarget;
        if (!target) return;
        set({ editTarget: null });
        try {
          await api.edit(conv, refOf(target), body);
        } catch (error) {
          set({ editTarget: target });
          throw error;
        }
      },

      async toggleReaction(conv, message, emoji) {
        const me = get().account?.user.id;
        const current = me ? message.reactions?.[me] : undefined;
        await api.react(conv, refOf(message), current === emoji ? '' : emoji);
      },

      async deleteForEveryone(conv, message) {
        if (get().editTarget?.cid === message.cid) set({ editTarget: null });
        await api.deleteForEveryone(conv, refOf(message));
      },

      openForward(message) {
        set({ forwardSource: message, dialog: 'forward' });
      },

      async forwardTo(conv) {
        const source = get().forwardSource;
        if (!source || source.seq === null) return;
        await api.forward(conv, source.conv, source.seq);
        set({ forwardSource: null, dialog: null });
      },
    },
  };
}
