// The account's own settings in the renderer's store: the profile and
// photos, the password and the user's devices (docs/ui.md, "Account"). Of
// all this only the loaded photos are kept in the state: the settings read
// the devices when they open and show each answer. A slice:
// chatStore.ts composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { DuplexApi } from '../../shared/api.ts';
import { type ChatActions, type ChatState, withEntry } from './chatState.ts';

export interface AccountSlice {
  actions: Pick<
    ChatActions,
    'loadPhoto' | 'setProfilePhoto' | 'setGroupPhoto' | 'updateProfile' | 'changePassword' | 'listDevices' | 'signOutDevice' | 'signOutOtherDevices'
  >;
}

export function accountSlice(api: DuplexApi, set: StoreApi<ChatState>['setState'], get: () => ChatState): AccountSlice {
  const loading = new Set<string>();
  return {
    actions: {
      loadPhoto(fileId) {
        if (get().photos.has(fileId) || loading.has(fileId)) return;
        loading.add(fileId);
        api
          .getPhoto(fileId)
          .then(
            (url) => set((state) => ({ photos: withEntry(state.photos, fileId, url) })),
            () => {},
          )
          .finally(() => loading.delete(fileId));
      },
      async setProfilePhoto(photo) {
        await api.setProfilePhoto(photo);
      },
      async setGroupPhoto(conv, photo) {
        const conversation = await api.setGroupPhoto(conv, photo);
        set((state) => ({ conversations: withEntry(state.conversations, conversation.id, conversation) }));
      },
      async updateProfile(changes) {
        await api.updateProfile(changes);
      },
      changePassword: (change) => api.changePassword(change),
      listDevices: () => api.listDevices(),
      signOutDevice: (deviceId) => api.signOutDevice(deviceId),
      signOutOtherDevices: () => api.signOutOtherDevices(),
    },
  };
}
