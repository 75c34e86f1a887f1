// The web client's part of the renderer's store (window.duplexWeb): its
// notification settings and permission, notification clicks, and reporting
// the open conversation (whose messages do not notify while the tab has
// focus). A slice: chatStore.ts composes it with the rest; in the desktop
// app there is no web API and its actions do nothing.
import type { StoreApi } from 'zustand/vanilla';
import type { Unsubscribe } from '../../shared/api.ts';
import type { WebApi, WebEvent } from '../../shared/web-api.ts';
import { background, type ChatActions, type ChatState } from './chatState.ts';

export interface WebSlice {
  actions: Pick<ChatActions, 'enableWebNotifications' | 'updateWebNotifications'>;
  /** Reads the notification state and follows the web API's events. */
  start(actions: Pick<ChatActions, 'openConversation'>): Unsubscribe;
}

export function webSlice(web: WebApi | null, store: StoreApi<ChatState>): WebSlice {
  const { setState: set } = store;
  return {
    start(actions) {
      if (!web) return () => {};
      background(web.getNotifications().then((webNotifications) => set({ webNotifications })));
      const unsubscribeEvents = web.onEvent((event: WebEvent) => {
        if (event.type === 'notifications') set({ webNotifications: event.state });
        else actions.openConversation(event.conv);
      });
      web.setOpenConversation(store.getState().openId);
      const unsubscribeOpen = store.subscribe((state, previous) => {
        if (state.openId !== previous.openId) web.setOpenConversation(state.openId);
      });
      return () => {
        unsubscribeEvents();
        unsubscribeOpen();
      };
    },

    actions: {
      enableWebNotifications() {
        if (web) background(web.enableNotifications().then((webNotifications) => set({ webNotifications })));
      },
      updateWebNotifications(patch) {
        if (web) background(web.updateNotificationSettings(patch).then((webNotifications) => set({ webNotifications })));
      },
    },
  };
}
