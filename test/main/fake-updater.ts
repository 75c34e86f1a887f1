// electron-updater's AppUpdater as src/main/updates/app-updates.ts sees it:
// a real EventEmitter that emits, on each check, what the test scripts, as
// electron-updater does (`checking-for-update`, then `update-available`,
// `download-progress`, `update-downloaded`, or `update-not-available`, or
// `error`). The real one needs Electron, whose binary cannot run here.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export type Script = (updater: FakeUpdater) => void;

/** electron-updater's AppUpdater as this module sees it. */
export class FakeUpdater extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  logger: unknown = console;
  active = true;
  /** What the next check does. */
  nextCheck: Script = (updater) => updater.emit('update-not-available', { version: '1.2.3' });
  readonly setFeedURL = vi.fn();
  readonly quitAndInstall = vi.fn();
  readonly downloadUpdate = vi.fn(() => Promise.resolve([]));
  readonly checkForUpdates = vi.fn(() => {
    this.emit('checking-for-update');
    this.nextCheck(this);
    return Promise.resolve(null);
  });
  isUpdaterActive(): boolean {
    return this.active;
  }
}

/** An update to 2.0.0, downloaded when autoDownload is on. */
export const found: Script = (updater) => {
  updater.emit('update-available', { version: '2.0.0' });
  if (!updater.autoDownload) return;
  updater.emit('download-progress', { percent: 41.7, bytesPerSecond: 1, total: 100, transferred: 41, delta: 1 });
  updater.emit('update-downloaded', { version: '2.0.0' });
};
