// The web client's message notifications, through the browser's
// Notification API, by the rules the desktop app follows
// (src/shared/notifications): not for the conversation the focused tab
// shows, not in muted conversations (their chat state; unless the message
// mentions the user),
// and without the text when the user hides it. A click focuses the tab and
// opens the conversation. Permission is asked only from Settings (a click:
// browsers refuse prompts nobody asked for). The settings live in
// localStorage, per browser profile.
import type { DuplexApi, DuplexEvent } from '../shared/api.ts';
import { MessageAlerts, type Notifier } from '../shared/notifications/message-alerts.ts';
import type { NotificationContent } from '../shared/notifications/notification-rules.ts';
import type {
  WebApi,
  WebEvent,
  WebNotificationPermission,
  WebNotificationSettings,
  WebNotificationState,
} from '../shared/web-api.ts';

export const SETTINGS_KEY = 'duplex:notifications';
const DEFAULT_SETTINGS: WebNotificationSettings = { enabled: false, hideMessageText: false };

export interface WebNotificationsHost {
  /** The page's Notification class, absent where the browser has none. */
  Notification: typeof Notification | undefined;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** The tab of this profile the user is looking at, if any, with the
   * chat it shows (shared-engine.ts gathers them at the leading tab). */
  lookingAt(): { openConversation: string | null } | null;
  /** This tab shows another chat (or none). */
  openConversationChanged(conv: string | null): void;
  focusTab(): void;
}

/** Settings as stored, or the defaults for anything missing or malformed. */
function readSettings(storage: WebNotificationsHost['storage']): WebNotificationSettings {
  try {
    const stored = JSON.parse(storage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Record<keyof WebNotificationSettings, unknown>>;
    return {
      enabled: typeof stored.enabled === 'boolean' ? stored.enabled : DEFAULT_SETTINGS.enabled,
      hideMessageText: typeof stored.hideMessageText === 'boolean' ? stored.hideMessageText : DEFAULT_SETTINGS.hideMessageText,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export class WebNotifications implements WebApi, Notifier {
  private readonly host: WebNotificationsHost;
  private readonly alerts: MessageAlerts;
  private readonly listeners = new Set<(event: WebEvent) => void>();
  /** Live notifications per conversation, to take away once it is read. */
  private readonly live = new Map<string, Set<Notification>>();
  private settings: WebNotificationSettings;

  constructor(host: WebNotificationsHost) {
    this.host = host;
    this.settings = readSettings(host.storage);
    this.alerts = new MessageAlerts({
      notifier: this,
      context: () => ({
        windowFocused: host.lookingAt() !== null,
        openConversation: host.lookingAt()?.openConversation ?? null,
        settings: {
          notificationsMuted: !this.settings.enabled || this.permission() !== 'granted',
          hideMessageText: this.settings.hideMessageText,
        },
        now: Date.now(),
      }),
    });
  }

  /** Follows the engine's events; the conversations stored when a session
   * starts are not news. */
  follow(api: Pick<DuplexApi, 'onEvent' | 'listConversations'>): void {
    let turn = Promise.resolve();
    api.onEvent((event: DuplexEvent) => {
      turn = turn
        .then(async () => {
          this.alerts.handle(event);
          if (event.type === 'account' && event.account !== null) this.alerts.alreadySeen(await api.listConversations());
        })
        .catch((error: unknown) => console.error('Duplex: notifications could not follow an event', error));
    });
  }

  // ---- WebApi ----

  async getNotifications(): Promise<WebNotificationState> {
    return this.state();
  }

  async enableNotifications(): Promise<WebNotificationState> {
    const NotificationClass = this.host.Notification;
    if (NotificationClass && NotificationClass.permission !== 'granted') await NotificationClass.requestPermission();
    return this.change({ enabled: this.permission() === 'granted' });
  }

  async updateNotificationSettings(patch: Partial<WebNotificationSettings>): Promise<WebNotificationState> {
    return this.change(patch);
  }

  setOpenConversation(conv: string | null): void {
    this.host.openConversationChanged(conv);
  }

  /** Another tab of the profile changed the settings (a `storage` event). */
  settingsChanged(): void {
    this.settings = readSettings(this.host.storage);
    this.emit({ type: 'notifications', state: this.state() });
  }

  onEvent(listener: (event: WebEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- Notifier ----

  notify(conv: string, content: NotificationContent): void {
    const NotificationClass = this.host.Notification;
    if (!NotificationClass) return;
    // The tag makes a conversation's newer notification replace the older.
    const notification = new NotificationClass(content.title, { body: content.body, tag: conv, icon: 'icon-192.png' });
    const live = this.live.get(conv) ?? new Set<Notification>();
    this.live.set(conv, live);
    live.add(notification);
    notification.addEventListener('close', () => live.delete(notification));
    notification.addEventListener('click', () => {
      this.host.focusTab();
      notification.close();
      this.emit({ type: 'open-conversation', conv });
    });
  }

  dismiss(conv: string): void {
    const live = this.live.get(conv);
    this.live.delete(conv);
    for (const notification of live ?? []) notification.close();
  }

  private permission(): WebNotificationPermission {
    return this.host.Notification?.permission ?? 'unsupported';
  }

  private state(): WebNotificationState {
    return { permission: this.permission(), settings: this.settings };
  }

  private change(patch: Partial<WebNotificationSettings>): WebNotificationState {
    this.settings = { ...this.settings, ...patch };
    this.host.storage.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
    const state = this.state();
    this.emit({ type: 'notifications', state });
    return state;
  }

  private emit(event: WebEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
