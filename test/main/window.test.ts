// The main window: its security options, the navigation and window-opening
// guards, remembered placement and close-to-tray.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so the window here is the double's, driven as the OS would.
import { BrowserWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appLocation } from '../../src/main/app-location.ts';
import { hideOnClose } from '../../src/main/window/close-to-tray.ts';
import { createMainWindow, revealWindow } from '../../src/main/window/main-window.ts';
import { guardNavigation } from '../../src/main/window/navigation-guard.ts';
import { mainWindowOptions } from '../../src/main/window/window-options.ts';
import { DEFAULT_WINDOW_SIZE, placementFor, trackWindowState } from '../../src/main/window/window-state.ts';
import * as double from './electron-double/electron.ts';
import { recordingLog } from './helpers.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

const location = appLocation(undefined);

beforeEach(() => double.resetElectronDouble());
afterEach(() => vi.useRealTimers());

describe('window options', () => {
  it('isolates and sandboxes the renderer, without Node, with the CommonJS preload', () => {
    const options = mainWindowOptions({
      preloadPath: '/app/out/preload/index.cjs',
      placement: { width: 900, height: 700, maximized: false },
    });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(options.show).toBe(false);
    expect(options).not.toHaveProperty('x');
  });

  it('places the window where it was', () => {
    const options = mainWindowOptions({
      preloadPath: 'p',
      placement: { x: 10, y: 20, width: 900, height: 700, maximized: false },
    });
    expect(options).toMatchObject({ x: 10, y: 20, width: 900, height: 700 });
  });
});

describe('navigation guard', () => {
  function guarded(): { window: BrowserWindow; openExternal: ReturnType<typeof vi.fn>; log: ReturnType<typeof recordingLog> } {
    const window = new BrowserWindow();
    const openExternal = vi.fn(() => Promise.resolve());
    const log = recordingLog();
    guardNavigation(window.webContents, { isAppUrl: location.isAppUrl, openExternal, warn: log.warn });
    return { window, openExternal, log };
  }

  it.each(['will-frame-navigate', 'will-redirect'])('cancels %s away from the app', (name) => {
    const { window, log } = guarded();
    const away = double.fakeEvent({ url: 'https://evil.example/' });
    window.webContents.emit(name, away);
    expect(away.defaultPrevented).toBe(true);
    expect(log.warnings.join()).toContain('https://evil.example/');

    const home = double.fakeEvent({ url: 'app://duplex/index.html#/chat' });
    window.webContents.emit(name, home);
    expect(home.defaultPrevented).toBe(false);
  });

  it('cancels file:// and javascript: navigations too', () => {
    const { window } = guarded();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://other/index.html']) {
      const event = double.fakeEvent({ url });
      window.webContents.emit('will-frame-navigate', event);
      expect(event.defaultPrevented, url).toBe(true);
    }
  });

  it('never attaches a <webview>', () => {
    const { window } = guarded();
    const event = double.fakeEvent();
    window.webContents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });

  it('denies every new window and opens only http(s) links in the system browser', () => {
    const { window, openExternal } = guarded();
    const handler = double.BrowserWindow.instances[0]?.webContents.windowOpenHandler;
    expect(handler).toBeTypeOf('function');
    expect(window.webContents).toBe(double.BrowserWindow.instances[0]?.webContents);
    for (const url of ['https://example.com/a', 'http://example.com/b']) {
      expect(handler?.({ url })).toEqual({ action: 'deny' });
    }
    for (const url of ['file:///etc/passwd', 'app://duplex/index.html', 'javascript:alert(1)', 'smb://host/share']) {
      expect(handler?.({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal.mock.calls).toEqual([['https://example.com/a'], ['http://example.com/b']]);
  });
});

describe('window placement', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1080 };
  const secondary = { x: 1920, y: 0, width: 1280, height: 1024 };

  it('uses the default size, centred, on a first start', () => {
    expect(placementFor(null, [primary])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false });
  });

  it('restores a window that is still on a display', () => {
    const saved = { x: 2000, y: 50, width: 1000, height: 800, maximized: true };
    expect(placementFor(saved, [primary, secondary])).toEqual(saved);
  });

  it('centres on the primary display a window whose display is gone, shrunk to fit', () => {
    const saved = { x: 2000, y: 50, width: 2400, height: 800, maximized: false };
    expect(placementFor(saved, [primary])).toEqual({ width: 1920, height: 800, maximized: false });
  });

  it('does not restore a window with only a sliver on screen', () => {
    const saved = { x: 1900, y: 50, width: 800, height: 600, maximized: false };
    expect(placementFor(saved, [primary])).toEqual({ width: 800, height: 600, maximized: false });
  });

  it('saves the normal bounds shortly after a move or resize, and at once on close', () => {
    vi.useFakeTimers();
    const window = new BrowserWindow({ x: 1, y: 2, width: 900, height: 700 });
    const save = vi.fn();
    trackWindowState(window, save);
    window.emit('resize');
    window.emit('move');
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenLastCalledWith({ x: 1, y: 2, width: 900, height: 700, maximized: false });

    window.maximize();
    window.emit('close', double.fakeEvent());
    expect(save).toHaveBeenCalledTimes(2);
    expect(save).toHaveBeenLastCalledWith({ x: 1, y: 2, width: 900, height: 700, maximized: true });
  });
});

describe('close to tray', () => {
  it('hides the window instead of closing it while the setting is on', () => {
    const window = new BrowserWindow();
    window.show();
    let closeToTray = true;
    hideOnClose(window, () => closeToTray);
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);

    closeToTray = false;
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });

  it('leaves full screen before hiding', () => {
    const window = new BrowserWindow();
    window.show();
    window.setFullScreen(true);
    hideOnClose(window, () => true);
    window.close();
    expect(window.isFullScreen()).toBe(false);
    expect(window.isVisible()).toBe(false);
    expect(window.isDestroyed()).toBe(false);
  });
});

describe('main window', () => {
  function create(overrides: { shouldHideOnClose?: () => boolean } = {}): BrowserWindow {
    return createMainWindow({
      location,
      preloadPath: '/app/out/preload/index.cjs',
      savedState: { x: 10, y: 10, width: 1000, height: 700, maximized: true },
      workAreas: [{ x: 0, y: 0, width: 1920, height: 1080 }],
      saveState: vi.fn(),
      shouldHideOnClose: overrides.shouldHideOnClose ?? (() => false),
      openExternal: () => Promise.resolve(),
      log: recordingLog(),
    });
  }

  it('creates the secure window, loads the app and shows it when ready, maximized as it was', () => {
    const window = create();
    const [fake] = double.BrowserWindow.instances;
    expect(fake?.options).toMatchObject({
      x: 10,
      y: 10,
      width: 1000,
      height: 700,
      show: false,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    expect(double.calls).toContainEqual({ api: 'BrowserWindow.loadURL', args: ['app://duplex/index.html'] });
    expect(window.isVisible()).toBe(false);
    window.emit('ready-to-show');
    expect(window.isVisible()).toBe(true);
    expect(window.isMaximized()).toBe(true);
    expect(fake?.webContents.windowOpenHandler).not.toBeNull();
  });

  it('closes to the tray when asked to', () => {
    const window = create({ shouldHideOnClose: () => true });
    window.emit('ready-to-show');
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);
  });

  it('reveals a hidden or minimized window', () => {
    const window = create();
    const fake = double.BrowserWindow.instances[0];
    if (fake !== undefined) fake.minimized = true;
    revealWindow(window);
    expect(window.isVisible()).toBe(true);
    expect(window.isMinimized()).toBe(false);
    expect(window.isFocused()).toBe(true);
  });
});
