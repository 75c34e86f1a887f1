// Close-to-tray: while `shouldHide` says so (the setting is on and the app
// is not quitting), closing the window hides it instead, and the app keeps
// running, syncing and notifying in the background.
import type { BrowserWindow } from 'electron';

type HidableWindow = Pick<BrowserWindow, 'on' | 'once' | 'hide' | 'isFullScreen' | 'setFullScreen'>;

export function hideOnClose(window: HidableWindow, shouldHide: () => boolean): void {
  window.on('close', (event) => {
    if (!shouldHide()) return;
    event.preventDefault();
    if (window.isFullScreen()) {
      // Hiding a full-screen window leaves an empty full-screen space on
      // macOS; leave full screen first.
      window.once('leave-full-screen', () => window.hide());
      window.setFullScreen(false);
    } else {
      window.hide();
    }
  });
}
