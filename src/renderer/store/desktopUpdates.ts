// The desktop app's updates (DesktopApi, over IPC) as the AppUpdates the UI
// shows in both shells.
import type { AppUpdates } from '../../shared/app-updates.ts';
import type { DesktopApi } from '../../shared/desktop-api.ts';

export function desktopUpdates(desktop: DesktopApi): AppUpdates {
  return {
    appliesBy: 'restart',
    getStatus: () => desktop.getUpdateStatus(),
    check: () => desktop.checkForUpdates(),
    download: () => desktop.downloadUpdate(),
    apply: () => desktop.restartToUpdate(),
    onStatus: (listener) =>
      desktop.onEvent((event) => {
        if (event.type === 'update') listener(event.status);
      }),
  };
}
