// One running Duplex per user: one engine, one WebSocket, one SQLite store.
// A second launch hands over to the first, which shows its window, and quits.
import type { App } from 'electron';

/** True when this process is the one instance; false when it must exit
 * (it has already asked to quit). */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>,
  onSecondLaunch: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondLaunch);
  return true;
}
