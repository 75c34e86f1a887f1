// Shows message notifications with Electron's main-process Notification.
// A reference to each live notification is kept (one that is garbage
// collected loses its click handler), grouped by conversation so that
// reading a conversation can take its notifications away. A click shows the
// window and opens the conversation. On Linux the window is never focused
// or flashed to announce a message; on Windows the taskbar button flashes
// until the user comes back.
import { Notification } from 'electron';
import type { DesktopPlatform } from '../../shared/desktop-api.ts';
import type { NotificationContent } from '../../shared/notifications/notification-rules.ts';

export class MessageNotifier {
  readonly #platform: DesktopPlatform;
  readonly #onClick: (conv: string) => void;
  readonly #flashWindow: () => void;
  readonly #live = new Map<string, Set<Notification>>();

  constructor(options: { platform: DesktopPlatform; onClick: (conv: string) => void; flashWindow: () => void }) {
    this.#platform = options.platform;
    this.#onClick = options.onClick;
    this.#flashWindow = options.flashWindow;
  }

  notify(conv: string, content: NotificationContent): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title: content.title,
      body: content.body,
      // Notification Center (macOS) and Action Center (Windows) stack a
      // conversation's notifications together.
      ...(this.#platform === 'linux' ? {} : { groupId: conv }),
    });
    const live = this.#live.get(conv) ?? new Set<Notification>();
    this.#live.set(conv, live);
    live.add(notification);
    const forget = (): void => {
      live.delete(notification);
      if (live.size === 0) this.#live.delete(conv);
    };
    notification.on('click', () => {
      forget();
      this.#onClick(conv);
    });
    notification.on('close', forget);
    notification.show();
    if (this.#platform === 'win32') this.#flashWindow();
  }

  /** Takes away the conversation's notifications (it has been read). */
  dismiss(conv: string): void {
    const live = this.#live.get(conv);
    if (live === undefined) return;
    this.#live.delete(conv);
    for (const notification of live) notification.close();
  }

  /** How many notifications are live, for tests and diagnostics. */
  get liveCount(): number {
    let count = 0;
    for (const live of this.#live.values()) count += live.size;
    return count;
  }
}
