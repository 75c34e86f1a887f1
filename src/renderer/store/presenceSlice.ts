// Presence in the renderer's store: who of the people the user talks to is
// online. The engine's `presence` events keep it current (applyEvent.ts);
// this slice reads what no event has said yet: everyone in the conversations
// of a snapshot, new group members, the peer of a chat being opened. A
// slice: chatStore.ts composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { ConversationSummary, DuplexApi } from '../../shared/api.ts';
import { background, type ChatState, withEntry } from './chatState.ts';

export interface PresenceSlice {
  /** Reads the presence of everyone in these conversations but `me`. */
  loadMembers(conversations: ConversationSummary[], me: string): Promise<void>;
  /** Reads one user's presence unless it is known already. */
  ensure(userId: string): void;
}

export function presenceSlice(
  api: DuplexApi,
  set: StoreApi<ChatState>['setState'],
  get: StoreApi<ChatState>['getState'],
): PresenceSlice {
  return {
    async loadMembers(conversations, me) {
      const ids = new Set(conversations.flatMap((c) => c.members.map((m) => m.id)));
      ids.delete(me);
      if (ids.size === 0) return;
      const snapshot = await api.getPresence([...ids]);
      // Presence events that came meanwhile are newer than the snapshot.
      set((state) => ({ presence: new Map([...snapshot.map((p) => [p.user, p] as const), ...state.presence]) }));
    },

    ensure(userId) {
      if (get().presence.has(userId)) return;
      background(
        api.getPresence([userId]).then(([p]) => {
          // An event may have answered first; it is the newer.
          if (p && !get().presence.has(userId)) set((state) => ({ presence: withEntry(state.presence, userId, p) }));
        }),
      );
    },
  };
}
