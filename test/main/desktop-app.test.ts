// The assembled main process: start-up order, single instance, the secure
// window, IPC for both APIs, close-to-tray and quitting, and the engine's
// events reaching the page, the tray, the badge and notifications.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so every Electron object here is the double's and the test
// plays the OS and the user. The engine is a stand-in too (the real one has
// its own suites), and so is electron-updater's autoUpdater (fake-updater.ts);
// the platform and environment are passed in.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, type IpcMainInvokeEvent } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationSummary, DuplexEvent } from '../../src/shared/api.ts';
import type { DesktopPlatform } from '../../src/shared/desktop-api.ts';
import { MUTED_FOREVER } from '../../src/shared/protocol/index.ts';
import { APP_USER_MODEL_ID, startDesktopApp } from '../../src/main/desktop-app.ts';
import type { DesktopEngine, DesktopEngineContext } from '../../src/main/desktop-engine.ts';
import { desktopArgumentSchemas } from '../../src/main/ipc/desktop-argument-schemas.ts';
import { duplexMethods } from '../../src/shared/api-methods.ts';
import * as double from './electron-double/electron.ts';
import { FakeUpdater, found } from './fake-updater.ts';
import { recordingLog } from './helpers.ts';
import { trayImage } from '../../src/main/tray/unread-images.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

const fromApp = { senderFrame: { url: 'app://duplex/index.html', parent: null } } as unknown as IpcMainInvokeEvent;

const alice = { id: 'u_alice', username: 'alice', displayName: 'Alice' };

function conversation(unread: number, seq: number): ConversationSummary {
  return {
    id: 'c_1',
    kind: 'direct',
    title: 'Alice',
    peerId: alice.id,
    photo: null,
    members: [alice],
    lastSeq: seq,
    receipts: {},
    unread,
    lastMessage: { conv: 'c_1', cid: `cid_0000000${seq}`, seq, from: alice.id, body: `message ${seq}`, ts: seq, mine: false },
    lastActivity: seq,
    draft: '',
    hasMoreHistory: false,
    chatState: { pinned: false, archived: false, mutedUntil: null },
  };
}

/** A stand-in engine: records requests, emits what the test tells it to,
 * and starts signed in when given stored conversations. */
function fakeEngine(stored: ConversationSummary[] | null = null) {
  const listeners = new Set<(event: DuplexEvent) => void>();
  const requested: Array<[string, unknown[]]> = [];
  const contexts: DesktopEngineContext[] = [];
  const emit = (event: DuplexEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const hooks = {
    onEvent(listener: (event: DuplexEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: vi.fn(() => {
      if (stored !== null) emit({ type: 'account', account: { user: alice, relayUrl: 'https://relay.example', relayUrls: ['https://relay.example'] } });
      return Promise.resolve();
    }),
    wake: vi.fn(),
    dispose: vi.fn(() => Promise.resolve()),
    listConversations: () => Promise.resolve(stored ?? []),
  };
  const engine = new Proxy(hooks, {
    get: (target, method: string) =>
      method in target
        ? target[method as keyof typeof target]
        : (...args: unknown[]) => {
            requested.push([method, args]);
            return Promise.resolve(`${method} done`);
          },
  }) as unknown as DesktopEngine;
  return {
    hooks,
    requested,
    contexts,
    emit,
    create: vi.fn((context: DesktopEngineContext) => {
      contexts.push(context);
      return engine;
    }),
  };
}

async function start(
  options: {
    platform?: DesktopPlatform;
    env?: NodeJS.ProcessEnv;
    stored?: ConversationSummary[];
    updater?: FakeUpdater;
    /** The settings file as an earlier run left it. */
    settingsFile?: object;
    userData?: string;
  } = {},
) {
  const engine = fakeEngine(options.stored);
  const updater = options.updater ?? new FakeUpdater();
  const log = recordingLog();
  const userData = options.userData ?? mkdtempSync(join(tmpdir(), 'duplex-app-'));
  if (options.settingsFile) writeFileSync(join(userData, 'settings.json'), JSON.stringify(options.settingsFile));
  startDesktopApp({
    platform: options.platform ?? 'linux',
    env: { DUPLEX_USER_DATA_DIR: userData, XDG_CURRENT_DESKTOP: 'KDE', ...options.env },
    bundleDir: '/app/out/main',
    log,
    createEngine: engine.create,
    createUpdater: () => updater as never,
  });
  // Watching for resume is the last thing the start-up does.
  await vi.waitFor(() => expect(double.powerMonitor.listenerCount('resume')).toBe(1));
  const window = double.BrowserWindow.instances[0];
  const tray = double.Tray.instances[0];
  if (window === undefined || tray === undefined) throw new Error('the app did not start');
  window.emit('ready-to-show');
  return { engine, log, userData, window, tray, updater };
}

/** Lets queued shell updates run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

const pageEvents = (window: double.BrowserWindow, channel: string): unknown[] =>
  window.webContents.sent.filter((sent) => sent.channel === channel).map((sent) => sent.args[0]);

beforeEach(() => double.resetElectronDouble());

describe('start-up', () => {
  it('creates the secure window on the app page with the CommonJS preload', async () => {
    const { window, engine, userData } = await start();
    expect(window.options).toMatchObject({
      show: false,
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        preload: '/app/out/preload/index.cjs',
      },
    });
    expect(double.calls).toContainEqual({ api: 'BrowserWindow.loadURL', args: ['app://duplex/index.html'] });
    expect(window.isVisible()).toBe(true);
    expect(engine.contexts[0]?.userData).toBe(userData);
    expect(engine.hooks.start).toHaveBeenCalledOnce();
  });

  it('takes the data folder and the lock first, registers app:// before ready and serves it after', async () => {
    const { userData } = await start();
    const order = double.calls.map((call) => call.api);
    expect(order.slice(0, 3)).toEqual(['app.setPath', 'app.requestSingleInstanceLock', 'protocol.registerSchemesAsPrivileged']);
    expect(double.calls[0]?.args).toEqual(['userData', userData]);
    expect(double.calls[2]?.args[0]).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(order.indexOf('protocol.handle')).toBeLessThan(order.indexOf('new BrowserWindow'));
    expect(double.protocol.handlers.has('app')).toBe(true);
    expect(double.session.defaultSession.headersListener).not.toBeNull();
  });

  it('serves both APIs over IPC before the page loads', async () => {
    await start();
    const channels = [...double.ipcMain.handlers.keys()];
    // One channel per method of each API's table.
    expect(channels.filter((channel) => channel.startsWith('duplex:'))).toHaveLength(Object.keys(duplexMethods).length);
    expect(channels.filter((channel) => channel.startsWith('duplex-desktop:'))).toHaveLength(
      Object.keys(desktopArgumentSchemas).length,
    );
    const order = double.calls.map((call) => call.api);
    expect(order.lastIndexOf('ipcMain.handle')).toBeLessThan(order.indexOf('BrowserWindow.loadURL'));
  });

  it('sets the application menu and the tray', async () => {
    const { tray } = await start();
    expect(double.Menu.applicationMenu?.template.map((item) => item.label ?? item.role)).toEqual([
      'File',
      'editMenu',
      'View',
      'windowMenu',
      'help',
    ]);
    expect(tray.tooltip).toBe('Duplex');
  });

  it('sets the AppUserModelID on Windows only', async () => {
    await start({ platform: 'win32' });
    expect(double.calls).toContainEqual({ api: 'app.setAppUserModelId', args: [APP_USER_MODEL_ID] });
    double.resetElectronDouble();
    await start({ platform: 'linux' });
    expect(double.calls.some((call) => call.api === 'app.setAppUserModelId')).toBe(false);
  });

  it('loads the dev server only in an unpackaged app', async () => {
    await start({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } });
    expect(double.calls).toContainEqual({ api: 'BrowserWindow.loadURL', args: ['http://localhost:5173/'] });
    double.resetElectronDouble();
    await start({ env: { ELECTRON_RENDERER_URL: '' } });
    expect(double.calls).toContainEqual({ api: 'BrowserWindow.loadURL', args: ['app://duplex/index.html'] });
    double.resetElectronDouble();
    double.app.isPackaged = true;
    await start({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } });
    expect(double.calls).toContainEqual({ api: 'BrowserWindow.loadURL', args: ['app://duplex/index.html'] });
  });
});

describe('single instance', () => {
  it('a second launch quits before doing anything', async () => {
    double.environment.singleInstanceLock = false;
    const engine = fakeEngine();
    const createUpdater = vi.fn();
    startDesktopApp({ platform: 'linux', env: {}, bundleDir: '/b', log: recordingLog(), createEngine: engine.create, createUpdater });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(double.calls.map((call) => call.api)).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
    expect(double.BrowserWindow.instances).toEqual([]);
    expect(engine.create).not.toHaveBeenCalled();
    expect(createUpdater).not.toHaveBeenCalled();
  });

  it('the first instance shows its window when launched again', async () => {
    const { window } = await start();
    window.close();
    expect(window.isVisible()).toBe(false);
    app.emit('second-instance', double.fakeEvent(), [], '/');
    expect(window.isVisible()).toBe(true);
    expect(window.isFocused()).toBe(true);
  });
});

describe('closing and quitting', () => {
  it('closes to the tray by default where a tray is shown, and quits from the tray menu', async () => {
    const { window, tray, engine } = await start({ env: { XDG_CURRENT_DESKTOP: 'KDE' } });
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);

    const quitted = vi.fn();
    app.on('quit', quitted);
    const quit = tray.contextMenu?.template.find((item) => item.label === 'Quit Duplex');
    (quit?.click as () => void)();
    expect(window.isDestroyed()).toBe(true);
    // Quitting waits for the engine to close its socket and store.
    expect(engine.hooks.dispose).toHaveBeenCalledOnce();
    expect(quitted).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(quitted).toHaveBeenCalledOnce());
  });

  it('quits when the window closes where no tray is shown (stock GNOME)', async () => {
    const { window, engine } = await start({ env: { XDG_CURRENT_DESKTOP: 'GNOME' } });
    window.close();
    expect(window.isDestroyed()).toBe(true);
    app.emit('window-all-closed');
    expect(double.calls.some((call) => call.api === 'app.quit')).toBe(true);
    expect(engine.hooks.dispose).toHaveBeenCalledOnce();
  });

  it('follows the setting when the user changes it', async () => {
    const { window } = await start({ platform: 'win32' });
    await double.ipcMain.invoke('duplex-desktop:updateSettings', fromApp, { closeToTray: false });
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });
});

describe('the engine in the shell', () => {
  it('forwards requests from the app page only', async () => {
    const { engine } = await start();
    await expect(double.ipcMain.invoke('duplex:send', fromApp, 'c_1', 'hi')).resolves.toBe('send done');
    expect(engine.requested).toContainEqual(['send', ['c_1', 'hi']]);
    const foreign = { senderFrame: { url: 'https://evil.example/', parent: null } };
    await expect(double.ipcMain.invoke('duplex:send', foreign, 'c_1', 'hi')).rejects.toThrow('refused');
  });

  it('forwards events to the page and shows the unread count in the tray and the badge', async () => {
    const { engine, window, tray } = await start();
    const event: DuplexEvent = { type: 'conversation', conversation: conversation(3, 7) };
    engine.emit(event);
    expect(pageEvents(window, 'duplex:event')).toEqual([event]);
    await settle();
    expect(tray.tooltip).toBe('Duplex: 3 unread messages');
    expect(double.calls.filter((call) => call.api === 'app.setBadgeCount').at(-1)?.args).toEqual([3]);
  });

  it('switches the tray icon to its dark variant when the system theme turns dark', async () => {
    const { engine, tray } = await start();
    engine.emit({ type: 'conversation', conversation: conversation(3, 7) });
    await settle();
    expect(tray.image).toBe(trayImage('3', 'light'));
    double.nativeTheme.shouldUseDarkColors = true;
    double.nativeTheme.emit('updated');
    expect(tray.image).toBe(trayImage('3', 'dark'));
  });

  it('leaves muted conversations out of the tray and the badge while the mute lasts', async () => {
    const { engine, tray } = await start();
    const muted = (until: number | null): DuplexEvent => ({
      type: 'conversation',
      conversation: { ...conversation(3, 7), chatState: { pinned: false, archived: false, mutedUntil: until } },
    });
    engine.emit(muted(Date.now() + 60_000));
    await settle();
    expect(tray.tooltip).toBe('Duplex');
    engine.emit(muted(null));
    await settle();
    expect(tray.tooltip).toBe('Duplex: 3 unread messages');
    // A mute that ends by itself, with no event, gives the count back.
    engine.emit(muted(Date.now() + 150));
    await settle();
    expect(tray.tooltip).toBe('Duplex');
    await vi.waitFor(() => expect(tray.tooltip).toBe('Duplex: 3 unread messages'), { timeout: 2_000 });
  });

  it("moves an older version's muted chats into chat state once, then empties the file's list", async () => {
    const legacy = { hideMessageText: true, mutedConversations: ['c_1', 'c_left_long_ago'] };
    const { engine, userData } = await start({ stored: [conversation(0, 4)], settingsFile: legacy });
    await vi.waitFor(() => expect(engine.requested).toEqual([['setChatState', ['c_1', { mutedUntil: MUTED_FOREVER }]]]));
    await vi.waitFor(() =>
      expect(JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8'))).toMatchObject({
        hideMessageText: true,
        mutedConversations: [],
      }),
    );

    double.resetElectronDouble();
    const again = await start({ stored: [conversation(0, 4)], userData });
    await settle();
    expect(again.engine.requested).toEqual([]);
  });

  it("keeps the signed-in account's relay URLs in the settings, for the next sign-in, and tells the page", async () => {
    const { engine, userData, window } = await start();
    const relayUrls = ['https://a.example', 'https://b.example'];
    engine.emit({ type: 'account', account: { user: alice, relayUrl: relayUrls[0]!, relayUrls } });
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8'))).toMatchObject({ relayUrls }));
    expect(pageEvents(window, 'duplex-desktop:event')).toContainEqual({ type: 'settings', settings: expect.objectContaining({ relayUrls }) });
  });

  it('shows the stored unread count at start, without notifying old messages', async () => {
    const { tray } = await start({ stored: [conversation(2, 4)] });
    await vi.waitFor(() => expect(tray.tooltip).toBe('Duplex: 2 unread messages'));
    expect(double.Notification.instances).toEqual([]);
  });

  it('notifies new messages while the window is unfocused; a click opens the conversation', async () => {
    const { engine, window } = await start({ stored: [conversation(0, 4)] });
    window.focused = false;
    engine.emit({ type: 'conversation', conversation: conversation(1, 5) });
    await vi.waitFor(() => expect(double.Notification.instances).toHaveLength(1));
    const [notification] = double.Notification.instances;
    expect(notification?.options).toMatchObject({ title: 'Alice', body: 'message 5' });
    window.hide();
    notification?.emit('click', double.fakeEvent());
    expect(window.isVisible()).toBe(true);
    expect(pageEvents(window, 'duplex-desktop:event')).toContainEqual({ type: 'open-conversation', conv: 'c_1' });
  });

  it('does not notify the conversation the focused window shows', async () => {
    const { engine, window } = await start();
    window.focus();
    await double.ipcMain.invoke('duplex-desktop:setOpenConversation', fromApp, 'c_1');
    engine.emit({ type: 'conversation', conversation: conversation(1, 5) });
    await settle();
    expect(double.Notification.instances).toEqual([]);
  });

  it('mutes from the tray menu, and tells the page', async () => {
    const { engine, window, tray } = await start();
    const mute = tray.contextMenu?.template.find((item) => item.label === 'Mute notifications');
    (mute?.click as () => void)();
    expect(tray.contextMenu?.template.map((item) => item.label)).toContain('Unmute notifications');
    expect(pageEvents(window, 'duplex-desktop:event')).toContainEqual({
      type: 'settings',
      settings: expect.objectContaining({ notificationsMuted: true }),
    });
    window.focused = false;
    engine.emit({ type: 'conversation', conversation: conversation(1, 5) });
    await settle();
    expect(double.Notification.instances).toEqual([]);
  });

  it('tells the engine when the machine resumes', async () => {
    const { engine } = await start();
    double.powerMonitor.emit('resume');
    expect(engine.hooks.wake).toHaveBeenCalledOnce();
  });

  it('answers the settings screen', async () => {
    double.environment.storageBackend = 'basic_text';
    await start();
    await expect(double.ipcMain.invoke('duplex-desktop:getInfo', fromApp)).resolves.toEqual({
      platform: 'linux',
      trayAvailable: true,
      tokenStorage: 'plain_text',
      version: '1.2.3',
    });
    await expect(
      double.ipcMain.invoke('duplex-desktop:updateSettings', fromApp, { hideMessageText: true }),
    ).resolves.toMatchObject({ hideMessageText: true });
  });

  it('opens the settings screen from the menu', async () => {
    const { window } = await start();
    const file = double.Menu.applicationMenu?.template[0]?.submenu as Array<Record<string, unknown>>;
    (file.find((item) => item.label === 'Settings…')?.click as () => void)();
    expect(pageEvents(window, 'duplex-desktop:event')).toContainEqual({ type: 'open-settings' });
  });
});

describe('updates', () => {
  it('checks the signed-in relay at start, quietly, and puts the version in About', async () => {
    double.app.isPackaged = true;
    const { updater } = await start({ stored: [] });
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledOnce());
    expect(updater.setFeedURL).toHaveBeenCalledWith(expect.objectContaining({ url: 'https://relay.example/updates/' }));
    expect(double.calls.find((call) => call.api === 'app.setAboutPanelOptions')?.args).toEqual([
      { applicationName: 'Duplex', applicationVersion: '1.2.3' },
    ]);
  });

  it('"Check for Updates…" shows the window and reports each step to the page; Restart to update installs', async () => {
    double.app.isPackaged = true;
    const updater = new FakeUpdater();
    // Close-to-tray on (its default on Windows).
    const { window } = await start({ stored: [], updater, platform: 'win32' });
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledOnce());
    updater.nextCheck = found;
    window.hide();
    const help = double.Menu.applicationMenu?.template.at(-1)?.submenu as Array<Record<string, unknown>>;
    (help.find((item) => item.label === 'Check for Updates…')?.click as () => void)();
    expect(window.isVisible()).toBe(true);
    await vi.waitFor(() =>
      expect(pageEvents(window, 'duplex-desktop:event').at(-1)).toMatchObject({ type: 'update', status: { phase: 'ready' } }),
    );
    await expect(double.ipcMain.invoke('duplex-desktop:getUpdateStatus', fromApp)).resolves.toMatchObject({
      phase: 'ready',
      version: '2.0.0',
    });
    await double.ipcMain.invoke('duplex-desktop:restartToUpdate', fromApp);
    expect(updater.quitAndInstall).toHaveBeenCalledOnce();
    // macOS's updater closes the windows before 'before-quit': with
    // close-to-tray on, the window must close rather than hide.
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });

  it('the relay refusing this version (4002) checks at once and downloads whatever the setting', async () => {
    double.app.isPackaged = true;
    const updater = new FakeUpdater();
    const { engine, window } = await start({ stored: [], updater });
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledOnce());
    await double.ipcMain.invoke('duplex-desktop:updateSettings', fromApp, { autoDownloadUpdates: false });
    updater.nextCheck = found;
    engine.emit({
      type: 'status',
      status: { state: 'offline', nextRetryAt: null, lastCloseReason: 'unsupported_version', stopped: 'update_needed', relayUrl: null },
    });
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledTimes(2));
    expect(updater.autoDownload).toBe(true);
    expect(pageEvents(window, 'duplex-desktop:event')).toContainEqual({
      type: 'update',
      status: expect.objectContaining({ phase: 'checking', required: true }),
    });
  });
});
