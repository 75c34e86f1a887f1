// The desktop app's part of the renderer's store: its settings and info, its
// events (a notification clicked, the menu's Settings…), and reporting the
// open conversation (whose messages do not notify while the window has
// focus). A slice: chatStore.ts composes it with the rest; on the web there
// is no desktop API and its actions do nothing.
import type { StoreApi } from 'zustand/vanilla';
import type { Unsubscribe } from '../../shared/api.ts';
import type { DesktopApi, DesktopEvent } from '../../shared/desktop-api.ts';
import { background, type ChatActions, type ChatState } from './chatState.ts';

export interface DesktopSlice {
  actions: Pick<ChatActions, 'updateDesktopSettings'>;
  /** Reads the settings and follows the desktop's events; on the web, nothing. */
  start(actions: Pick<ChatActions, 'openConversation' | 'openDialog'>): Unsubscribe;
}

export function desktopSlice(desktop: DesktopApi | null, store: StoreApi<ChatState>): DesktopSlice {
  const { setState: set } = store;
  return {
    start(actions) {
      if (!desktop) return () => {};
      background(
        Promise.all([desktop.getInfo(), desktop.getSettings()]).then(([desktopInfo, desktopSettings]) =>
          // A `settings` event that came meanwhile is newer.
          set((state) => ({ desktopInfo, desktopSettings: state.desktopSettings ?? desktopSettings })),
        ),
      );
      const unsubscribeEvents = desktop.onEvent((event: DesktopEvent) => {
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
      });
      const unsubscribeOpen = store.subscribe((state, previous) => {
        if (state.openId !== previous.openId) background(desktop.setOpenConversation(state.openId));
      });
      return () => {
        unsubscribeEvents();
        unsubscribeOpen();
      };
    },

    actions: {
      updateDesktopSettings(patch) {
        if (desktop) background(desktop.updateSettings(patch).then((desktopSettings) => set({ desktopSettings })));
      },
    },
  };
}
