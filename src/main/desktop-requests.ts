// The requests of DesktopApi: what the settings screen, the open
// conversation and the update bar need from the shell. Settings changes reach the page as
// `settings` events from the store's change listener, not from here.
import type { DesktopApi, DesktopInfo, InvokeMethod } from '../shared/desktop-api.ts';
import type { SettingsStore } from './settings/settings-store.ts';
import type { AppUpdates } from './updates/app-updates.ts';

export function desktopRequests(options: {
  info: DesktopInfo;
  settings: SettingsStore;
  setOpenConversation: (conv: string | null) => void;
  updates: AppUpdates;
  saveFile: DesktopApi['saveFile'];
  saveMyData: DesktopApi['saveMyData'];
}): Pick<DesktopApi, InvokeMethod<DesktopApi>> {
  const { info, settings, updates } = options;
  return {
    getInfo: () => Promise.resolve(info),
    getSettings: () => Promise.resolve(settings.settings),
    updateSettings: (patch) => Promise.resolve(settings.update(patch)),
    setOpenConversation: (conv) => Promise.resolve(options.setOpenConversation(conv)),
    getUpdateStatus: () => Promise.resolve(updates.status),
    checkForUpdates: () => updates.check('manual'),
    downloadUpdate: () => updates.download(),
    restartToUpdate: () => Promise.resolve(updates.restartToUpdate()),
    saveFile: options.saveFile,
    saveMyData: options.saveMyData,
  };
}
