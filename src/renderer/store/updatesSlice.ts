// The app's own updates in the renderer's store: the status as the shell
// reports it (the desktop app over IPC, the web client's service worker), the
// update bar's dismissal, and the actions behind its buttons. A slice:
// chatStore.ts composes it with the rest; where the shell has no updates its
// actions do nothing.
import type { StoreApi } from 'zustand/vanilla';
import type { Unsubscribe } from '../../shared/api.ts';
import type { AppUpdates, UpdateStatus } from '../../shared/app-updates.ts';
import { background, type ChatActions, type ChatState } from './chatState.ts';

export interface UpdatesSlice {
  actions: Pick<ChatActions, 'checkForUpdates' | 'downloadUpdate' | 'applyUpdate' | 'dismissUpdate'>;
  /** The status now, then every change; where there are no updates, nothing. */
  start(): Unsubscribe;
}

export function updatesSlice(updates: AppUpdates | null, set: StoreApi<ChatState>['setState']): UpdatesSlice {
  return {
    start() {
      if (!updates) return () => {};
      const show = (update: UpdateStatus): void =>
        set((state) => ({ update, updateDismissed: state.updateDismissed && state.update?.phase === update.phase }));
      const unsubscribe = updates.onStatus(show);
      background(updates.getStatus().then((update) => set((state) => ({ update: state.update ?? update }))));
      return unsubscribe;
    },

    actions: {
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
    },
  };
}
