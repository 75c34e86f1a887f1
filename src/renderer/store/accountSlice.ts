// The account's own settings in the renderer's store: the profile and
// photos, the password, the user's devices, their data and deleting the
// account (docs/ui.md, "Account"). Of
// all this only the loaded photos are kept in the state: the settings read
// the devices when they open and show each answer. A slice:
// chatStore.ts composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { DuplexApi } from '../../shared/api.ts';
import type { DesktopApi } from '../../shared/desktop-api.ts';
import { downloadBytes } from '../files/downloadBytes.ts';
import { type ChatActions, type ChatState, withEntry } from './chatState.ts';

export interface AccountSlice {
  actions: Pick<
    ChatActions,
    | 'loadPhoto'
    | 'setProfilePhoto'
    | 'setGroupPhoto'
    | 'updateProfile'
    | 'changePassword'
    | 'listDevices'
    | 'signOutDevice'
    | 'signOutOtherDevices'
    | 'downloadMyData'
    | 'deleteAccount'
  >;
}

/** The name the export is offered under: the user's, and the day. */
export function myDataFileName(username: string, now: Date): string {
  return `duplex-${username}-${now.toISOString().slice(0, 10)}.zip`;
}

export function accountSlice(
  api: DuplexApi,
  desktop: DesktopApi | null,
  set: StoreApi<ChatState>['setState'],
  get: () => ChatState,
): AccountSlice {
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
      async downloadMyData() {
        const name = myDataFileName(get().account?.user.username ?? 'account', new Date());
        if (desktop) await desktop.saveMyData(name);
        else downloadBytes(await api.downloadMyData(), name, 'application/zip');
      },
      // Once deleted, the engine signs this device out: its `account` event ends the chat screen.
      deleteAccount: (password) => api.deleteAccount(password),
    },
  };
}
