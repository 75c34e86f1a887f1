// The main process, assembled. Before Electron is ready: one instance per
// user, the app:// scheme, the Windows app id, quitting. Once ready: the
// hardened session, settings, the encrypted account, the engine, updates,
// the IPC handlers, then the window, the menu, the tray with the badge, and
// notifications, each wired to the engine's events and the settings.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  app,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  type IpcMainInvokeEvent,
  type Rectangle,
} from 'electron';
import type { DuplexApi, DuplexEvent } from '../shared/api.ts';
import { duplexArgumentSchemas } from '../shared/api-methods.ts';
import type {
  DesktopApi,
  DesktopEvent,
  DesktopEventChannel,
  DesktopInvokeChannel,
  DesktopPlatform,
  DuplexEventChannel,
  DuplexInvokeChannel,
} from '../shared/desktop-api.ts';
import { EncryptedAccountStorage } from './account-storage.ts';
import { applicationMenuTemplate } from './app-menu.ts';
import { APP_SCHEME, appLocation } from './app-location.ts';
import { APP_SCHEME_REGISTRATION, createAppProtocolHandler } from './app-protocol.ts';
import { watchConnectivity } from './connectivity.ts';
import { contentSecurityPolicy } from './content-security-policy.ts';
import { ConversationIndex } from './conversation-index.ts';
import { desktopRequests } from './desktop-requests.ts';
import { saveBytes, type SaveDeps, saveFile } from './save-file.ts';
import type { DesktopEngineFactory } from './desktop-engine.ts';
import { desktopArgumentSchemas } from './ipc/desktop-argument-schemas.ts';
import { handleInvokes } from './ipc/invoke-handlers.ts';
import { eventSender } from './ipc/renderer-events.ts';
import { isTrustedSender } from './ipc/trusted-sender.ts';
import type { Log } from './log.ts';
import { setStartAtLogin, type LoginItemTarget } from './login-item.ts';
import { moveLegacyMutes } from './notifications/legacy-mutes.ts';
import { MessageAlerts } from '../shared/notifications/message-alerts.ts';
import { MessageNotifier } from './notifications/message-notifier.ts';
import { hardenSession } from './session-security.ts';
import { defaultSettings } from './settings/settings-schema.ts';
import { SettingsStore } from './settings/settings-store.ts';
import { claimSingleInstance } from './single-instance.ts';
import { AppTray } from './tray/app-tray.ts';
import { trayIsShown } from './tray/tray-support.ts';
import { showUnreadBadge } from './tray/unread-badge.ts';
import { AppUpdates, type Updater } from './updates/app-updates.ts';
import { createMainWindow, revealWindow } from './window/main-window.ts';

/** Windows ties toasts and taskbar grouping to this id; an installer must
 * give its shortcut the same AppUserModelID. */
export const APP_USER_MODEL_ID = 'org.duplex.desktop';

const DUPLEX_EVENTS: DuplexEventChannel = 'duplex:event';
const DESKTOP_EVENTS: DesktopEventChannel = 'duplex-desktop:event';

export interface DesktopAppOptions {
  platform: DesktopPlatform;
  env: NodeJS.ProcessEnv;
  /** The folder of the built main bundle (out/main): the preload and the
   * renderer are built beside it. */
  bundleDir: string;
  log: Log;
  createEngine: DesktopEngineFactory;
  /** electron-updater's `autoUpdater`, asked for once Electron is ready. */
  createUpdater: () => Updater;
}

interface RunningApp {
  reveal(): void;
}

export function startDesktopApp(options: DesktopAppOptions): void {
  const { platform, env, log } = options;
  // A data folder of its own (tests, portable installs). Set first: the
  // single-instance lock lives in it.
  if (env.DUPLEX_USER_DATA_DIR) app.setPath('userData', env.DUPLEX_USER_DATA_DIR);
  let running: RunningApp | null = null;
  if (!claimSingleInstance(app, () => running?.reveal())) return;
  protocol.registerSchemesAsPrivileged([APP_SCHEME_REGISTRATION]);
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  let quitting = false;
  const markQuitting = (): void => {
    quitting = true;
  };
  app.on('before-quit', markQuitting);
  // The window only closes for real when the app quits or close-to-tray is
  // off; either way the app ends with it, on macOS too.
  app.on('window-all-closed', () => app.quit());
  // macOS: a click on the Dock icon.
  app.on('activate', () => running?.reveal());

  app
    .whenReady()
    .then(async () => {
      running = await runApp(options, { isQuitting: () => quitting, markQuitting });
    })
    .catch((error: unknown) => {
      log.error(`duplex: start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      app.exit(1);
    });
}

/** The displays' work areas, the primary display's first. */
function displayWorkAreas(): Rectangle[] {
  const primary = screen.getPrimaryDisplay();
  const others = screen.getAllDisplays().filter((display) => display.id !== primary.id);
  return [primary, ...others].map((display) => display.workArea);
}

/** Whether the app is quitting, which closes the window for real rather
 * than to the tray; and a way to say so before Electron does. */
interface Quitting {
  isQuitting: () => boolean;
  markQuitting: () => void;
}

async function runApp(options: DesktopAppOptions, { isQuitting, markQuitting }: Quitting): Promise<RunningApp> {
  const { platform, env, bundleDir, log } = options;
  const userData = app.getPath('userData');

  // ---- the page and its session ----
  // An empty variable counts as unset.
  const devServerUrl = app.isPackaged ? undefined : env.ELECTRON_RENDERER_URL || undefined;
  const location = appLocation(devServerUrl);
  const policy = contentSecurityPolicy({ dev: devServerUrl !== undefined });
  hardenSession(session.defaultSession, policy, location.isAppUrl);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ rendererDir: join(bundleDir, '../renderer'), contentSecurityPolicy: policy }),
  );
  const fromAppPage = (event: IpcMainInvokeEvent): boolean => isTrustedSender(event.senderFrame, location.isAppUrl);

  // ---- settings and the account ----
  const trayAvailable = trayIsShown(platform, env.XDG_CURRENT_DESKTOP);
  const settings = new SettingsStore(
    join(userData, 'settings.json'),
    defaultSettings({ platform, trayAvailable }),
    log,
  );
  const accounts = new EncryptedAccountStorage({ file: join(userData, 'account'), safeStorage, platform, log });
  const loginItem: LoginItemTarget = {
    platform,
    app,
    launchCommand: app.isPackaged
      ? [env.APPIMAGE ?? process.execPath]
      : [process.execPath, app.getAppPath()],
    autostartDir: join(app.getPath('appData'), 'autostart'),
  };
  const applyStartAtLogin = (enabled: boolean): void => {
    try {
      setStartAtLogin(enabled, loginItem);
    } catch (error) {
      log.error(`duplex: cannot change start at login: ${String(error)}`);
    }
  };
  // Again at every start, so that the entry follows the app when it moves.
  if (settings.settings.startAtLogin) applyStartAtLogin(true);

  // ---- the engine, and both APIs, before the page can ask for them ----
  const engine = options.createEngine({ userData, accounts, platform, log });
  // The engine closes its socket and its store before the process ends.
  let engineDisposed = false;
  app.on('will-quit', (event) => {
    if (engineDisposed) return;
    event.preventDefault();
    engine
      .dispose()
      .catch((error: unknown) => log.error(`duplex: the engine did not stop cleanly: ${String(error)}`))
      .finally(() => {
        engineDisposed = true;
        app.quit();
      });
  });
  // ---- updates, from the signed-in relay's feed ----
  app.setAboutPanelOptions({ applicationName: 'Duplex', applicationVersion: app.getVersion() });
  const updates = new AppUpdates({
    updater: options.createUpdater(),
    installed: app.isPackaged,
    // macOS's updater closes the windows before 'before-quit': they must
    // close, not hide to the tray.
    beforeQuitAndInstall: markQuitting,
    autoDownload: () => settings.settings.autoDownloadUpdates,
    // Called only once checks run, after the window exists.
    onStatus: (status) => toDesktopPage({ type: 'update', status }),
    log,
  });
  app.on('will-quit', () => updates.stop());

  handleInvokes<DuplexApi>(ipcMain, {
    channelOf: (method): DuplexInvokeChannel => `duplex:${method}`,
    schemas: duplexArgumentSchemas,
    implementation: engine,
    isTrustedSender: fromAppPage,
    log,
  });
  let openConversation: string | null = null;
  const saveDeps = (): SaveDeps => ({
    // Called from the page, so the window exists by then.
    showSaveDialog: (dialogOptions) => dialog.showSaveDialog(window, dialogOptions),
    writeFile,
    downloadsDir: app.getPath('downloads'),
  });
  handleInvokes<DesktopApi>(ipcMain, {
    channelOf: (method): DesktopInvokeChannel => `duplex-desktop:${method}`,
    schemas: desktopArgumentSchemas,
    implementation: desktopRequests({
      info: { platform, trayAvailable, tokenStorage: accounts.storage, version: app.getVersion() },
      settings,
      updates,
      setOpenConversation: (conv) => {
        openConversation = conv;
      },
      saveFile: (fileId, name) => saveFile({ ...saveDeps(), getFile: (id) => engine.getFile(id) }, fileId, name),
      saveMyData: (name) => saveBytes(saveDeps(), name, () => engine.downloadMyData()),
    }),
    isTrustedSender: fromAppPage,
    log,
  });

  // ---- the window and the menu ----
  const window = createMainWindow({
    location,
    preloadPath: join(bundleDir, '../preload/index.cjs'),
    savedState: settings.windowState,
    workAreas: displayWorkAreas(),
    saveState: (state) => settings.saveWindowState(state),
    shouldHideOnClose: () => !isQuitting() && settings.settings.closeToTray,
    openExternal: (url) => shell.openExternal(url),
    log,
  });
  const reveal = (): void => revealWindow(window);
  const toDuplexPage = eventSender<DuplexEvent>(window.webContents, DUPLEX_EVENTS, location.isAppUrl);
  const toDesktopPage = eventSender<DesktopEvent>(window.webContents, DESKTOP_EVENTS, location.isAppUrl);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenuTemplate({
        platform,
        development: devServerUrl !== undefined,
        openSettings: () => {
          reveal();
          toDesktopPage({ type: 'open-settings' });
        },
        checkForUpdates: () => {
          reveal();
          void updates.check('manual');
        },
      }),
    ),
  );

  // ---- unread count: tray and badge ----
  const conversations = new ConversationIndex();
  const tray = new AppTray(platform, {
    open: reveal,
    toggleNotifications: () => settings.update({ notificationsMuted: !settings.settings.notificationsMuted }),
    quit: () => app.quit(),
  });
  let badgeShows: number | null = null;
  // Set while a mute hides unread messages: they count again when it ends.
  let muteEnds: ReturnType<typeof setTimeout> | undefined;
  const showUnread = (): void => {
    const now = Date.now();
    const unread = conversations.totalUnread(now);
    clearTimeout(muteEnds);
    const nextMuteEnd = conversations.nextMuteEnd(now);
    // setTimeout takes at most 2^31 - 1 ms (about 24 days); a longer mute is looked at again then.
    if (nextMuteEnd !== null) muteEnds = setTimeout(showUnread, Math.min(nextMuteEnd - now + 1, 2 ** 31 - 1));
    // The tray icon comes in light and dark variants so that it stays
    // visible on either kind of panel.
    tray.show(
      { unread, notificationsMuted: settings.settings.notificationsMuted },
      nativeTheme.shouldUseDarkColors ? 'dark' : 'light',
    );
    if (unread === badgeShows) return;
    showUnreadBadge(unread, { platform, app, window });
    badgeShows = unread;
  };

  // ---- notifications ----
  const alerts = new MessageAlerts({
    notifier: new MessageNotifier({
      platform,
      onClick: (conv) => {
        reveal();
        toDesktopPage({ type: 'open-conversation', conv });
      },
      flashWindow: () => {
        if (!window.isFocused()) window.flashFrame(true);
      },
    }),
    context: () => ({
      windowFocused: window.isFocused(),
      openConversation,
      settings: settings.settings,
      now: Date.now(),
    }),
  });

  // ---- wiring ----
  let startAtLogin = settings.settings.startAtLogin;
  settings.onChange((changed) => {
    toDesktopPage({ type: 'settings', settings: changed });
    if (changed.startAtLogin !== startAtLogin) {
      startAtLogin = changed.startAtLogin;
      applyStartAtLogin(startAtLogin);
    }
    showUnread();
  });
  // The page gets each event at once; the tray, the badge and the alerts
  // take them in turn, because a session's start is followed by reading its
  // stored conversations, which later events must not overtake.
  let shellUpdates = Promise.resolve();
  const updateShell = async (event: DuplexEvent): Promise<void> => {
    conversations.apply(event);
    alerts.handle(event);
    if (event.type === 'account' && event.account !== null) {
      settings.rememberRelayUrls(event.account.relayUrls);
      const stored = await engine.listConversations();
      conversations.addMissing(stored);
      alerts.alreadySeen(stored);
      await moveLegacyMutes({ legacy: settings, engine, conversations: stored, log });
    }
    showUnread();
  };
  engine.onEvent((event) => {
    toDuplexPage(event);
    updates.followEngine(event);
    shellUpdates = shellUpdates
      .then(() => updateShell(event))
      .catch((error: unknown) => log.warn(`duplex: could not follow a ${event.type} event: ${String(error)}`));
  });
  nativeTheme.on('updated', showUnread);
  showUnread();
  await engine.start();
  updates.start();
  watchConnectivity({ powerMonitor, isOnline: () => net.online, onBackOnline: () => engine.wake() });

  return { reveal };
}
