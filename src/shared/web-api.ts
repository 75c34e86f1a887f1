// WebApi: what the web client offers beside DuplexApi (as DesktopApi does in
// the desktop app): its notification settings and the browser's permission,
// and notification clicks. src/web installs it as `window.duplexWeb`; the
// desktop app has none, so the UI treats it as optional.
import type { Unsubscribe } from './api.ts';

/** The browser's Notification.permission, or `unsupported` where there is
 * no Notification API. */
export type WebNotificationPermission = 'default' | 'granted' | 'denied' | 'unsupported';

/** What the user chose; kept in the browser profile (localStorage). */
export interface WebNotificationSettings {
  /** Message notifications, once the browser allows them. */
  enabled: boolean;
  /** Notifications say who wrote, never what. */
  hideMessageText: boolean;
}

export interface WebNotificationState {
  permission: WebNotificationPermission;
  settings: WebNotificationSettings;
}

export type WebEvent =
  | { type: 'notifications'; state: WebNotificationState }
  /** The user clicked a notification: show this conversation. */
  | { type: 'open-conversation'; conv: string };

export interface WebApi {
  getNotifications(): Promise<WebNotificationState>;
  /** Asks the browser's permission (call it from a click) and, granted,
   * turns notifications on. */
  enableNotifications(): Promise<WebNotificationState>;
  updateNotificationSettings(patch: Partial<WebNotificationSettings>): Promise<WebNotificationState>;
  /** The conversation the tab shows, or null: its messages do not notify
   * while the tab has focus. */
  setOpenConversation(conv: string | null): void;
  onEvent(listener: (event: WebEvent) => void): Unsubscribe;
}
