// Keeps the window on the app's own page: every navigation or redirect to
// anything else is cancelled, no new window or <webview> is ever created,
// and window.open / target=_blank links to http(s) go to the system browser
// instead.
import type { WebContents } from 'electron';
import { isWebUrl } from '../app-location.ts';

type GuardedWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function guardNavigation(
  webContents: GuardedWebContents,
  options: {
    isAppUrl: (url: string) => boolean;
    openExternal: (url: string) => Promise<void>;
    warn: (message: string) => void;
  },
): void {
  const { isAppUrl, openExternal, warn } = options;
  const blockForeign = (event: Electron.Event, url: string, what: string): void => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    warn(`blocked ${what} to ${url}`);
  };
  // 'will-frame-navigate' covers the main frame and every subframe.
  webContents.on('will-frame-navigate', (event) => blockForeign(event, event.url, 'navigation'));
  webContents.on('will-redirect', (event) => blockForeign(event, event.url, 'redirect'));
  webContents.on('will-attach-webview', (event) => {
    event.preventDefault();
    warn('blocked a <webview>');
  });
  webContents.setWindowOpenHandler(({ url }) => {
    if (isWebUrl(url)) {
      openExternal(url).catch((error: unknown) => warn(`could not open ${url}: ${String(error)}`));
    } else {
      warn(`blocked opening a window for ${url}`);
    }
    return { action: 'deny' };
  });
}
