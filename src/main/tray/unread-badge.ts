// The unread count on the app's own icon: the Dock badge on macOS, the
// launcher badge on Linux desktops that implement Unity's launcher API, and
// on Windows (which has no app badge) an overlay on the taskbar button.
import type { App, BrowserWindow } from 'electron';
import type { DesktopPlatform } from '../../shared/desktop-api.ts';
import { unreadLabel, unreadSummary } from './unread-count.ts';
import { badgeImage } from './unread-images.ts';

export function showUnreadBadge(
  unread: number,
  target: {
    platform: DesktopPlatform;
    app: Pick<App, 'setBadgeCount'>;
    window: Pick<BrowserWindow, 'setOverlayIcon'>;
  },
): void {
  if (target.platform !== 'win32') {
    // Returns false where the desktop has no badges; there is nothing
    // better to fall back to, and the tray icon shows the count anyway.
    target.app.setBadgeCount(unread);
    return;
  }
  const label = unreadLabel(unread);
  target.window.setOverlayIcon(label === null ? null : badgeImage(label), label === null ? '' : unreadSummary(unread));
}
