// Pushes events to the app's page over one channel per API. Nothing is sent
// to a page that is not the app's (the guards should make that impossible)
// or to a window that is gone.
import type { WebContents } from 'electron';

type EventTarget = Pick<WebContents, 'isDestroyed' | 'getURL' | 'send'>;

export function eventSender<E>(
  webContents: EventTarget,
  channel: string,
  isAppUrl: (url: string) => boolean,
): (event: E) => void {
  return (event) => {
    if (webContents.isDestroyed() || !isAppUrl(webContents.getURL())) return;
    webContents.send(channel, event);
  };
}
