// Privacy in the renderer's store: blocked users and who may add the user to
// groups, read with each account's snapshot and replaced by the engine's
// `privacy` events (applyEvent.ts) or by the answer to the user's change.
// The actions reject when the relay refuses or cannot be reached, for the
// settings to say so. A slice: chatStore.ts composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { Account, DuplexApi, PrivacySettings } from '../../shared/api.ts';
import type { ChatActions, ChatState } from './chatState.ts';

export interface PrivacySlice {
  actions: Pick<ChatActions, 'setGroupAdds' | 'blockUser' | 'unblockUser'>;
  /** The signed-in account's settings for its snapshot; null when signed out. */
  read(account: Account | null): Promise<PrivacySettings | null>;
}

export function privacySlice(api: DuplexApi, set: StoreApi<ChatState>['setState']): PrivacySlice {
  return {
    read(account) {
      return account ? api.getPrivacy() : Promise.resolve(null);
    },

    actions: {
      async setGroupAdds(policy) {
        set({ privacy: await api.setGroupAdds(policy) });
      },

      async blockUser(userId) {
        set({ privacy: await api.block(userId) });
      },

      async unblockUser(userId) {
        set({ privacy: await api.unblock(userId) });
      },
    },
  };
}
