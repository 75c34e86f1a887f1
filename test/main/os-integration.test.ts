// Single instance, the application menu per platform, and the signals that
// tell the engine the network is back (resume from sleep, net.online).
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so `app` and powerMonitor are the double's and a test
// emits what the OS would. The platform is passed in.
import { app, powerMonitor, type MenuItemConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applicationMenuTemplate } from '../../src/main/app-menu.ts';
import { ONLINE_POLL_MS, watchConnectivity } from '../../src/main/connectivity.ts';
import { claimSingleInstance } from '../../src/main/single-instance.ts';
import * as double from './electron-double/electron.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

beforeEach(() => double.resetElectronDouble());
afterEach(() => vi.useRealTimers());

describe('single instance', () => {
  it('lets the first instance run and hands it later launches', () => {
    const onSecondLaunch = vi.fn();
    expect(claimSingleInstance(app, onSecondLaunch)).toBe(true);
    expect(double.calls.some((call) => call.api === 'app.quit')).toBe(false);
    app.emit('second-instance', double.fakeEvent(), ['duplex'], '/home/me');
    expect(onSecondLaunch).toHaveBeenCalledOnce();
  });

  it('quits a second instance at once', () => {
    double.environment.singleInstanceLock = false;
    const onSecondLaunch = vi.fn();
    expect(claimSingleInstance(app, onSecondLaunch)).toBe(false);
    expect(double.calls.map((call) => call.api)).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
    expect(app.listenerCount('second-instance')).toBe(0);
  });
});

describe('the application menu', () => {
  type Item = MenuItemConstructorOptions;
  const submenu = (item: Item | undefined): Item[] => (item?.submenu ?? []) as Item[];
  const find = (items: Item[], predicate: (item: Item) => boolean): Item | undefined => {
    for (const item of items) {
      if (predicate(item)) return item;
      const inside = find(submenu(item), predicate);
      if (inside) return inside;
    }
    return undefined;
  };

  it.each(['linux', 'win32'] as const)('has File, Edit, View, Window and Help with the usual shortcuts on %s', (platform) => {
    const openSettings = vi.fn();
    const checkForUpdates = vi.fn();
    const menu = applicationMenuTemplate({ platform, development: false, openSettings, checkForUpdates });
    expect(menu.map((item) => item.label ?? item.role)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    const help = submenu(menu[4]);
    expect(help.some((item) => item.role === 'about' && item.label === 'About Duplex')).toBe(true);
    (help.find((item) => item.label === 'Check for Updates…')?.click as () => void)();
    expect(checkForUpdates).toHaveBeenCalledOnce();
    const settings = find(menu, (item) => item.label === 'Settings…');
    expect(settings?.accelerator).toBe('CmdOrCtrl+,');
    (settings?.click as () => void)();
    expect(openSettings).toHaveBeenCalledOnce();
    expect(find(menu, (item) => item.role === 'quit')?.accelerator).toBe('Ctrl+Q');
    for (const role of ['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']) {
      expect(find(menu, (item) => item.role === role), role).toBeDefined();
    }
  });

  it('puts About, Check for Updates, Settings and Quit in the app menu on macOS', () => {
    const checkForUpdates = vi.fn();
    const menu = applicationMenuTemplate({ platform: 'darwin', development: false, openSettings: vi.fn(), checkForUpdates });
    expect(menu.map((item) => item.label ?? item.role)).toEqual(['appMenu', 'editMenu', 'View', 'windowMenu']);
    const appMenu = submenu(menu[0]);
    expect(appMenu.map((item) => item.role ?? item.label).slice(0, 2)).toEqual(['about', 'Check for Updates…']);
    (appMenu[1]?.click as () => void)();
    expect(checkForUpdates).toHaveBeenCalledOnce();
    expect(appMenu.some((item) => item.label === 'Settings…')).toBe(true);
    expect(appMenu.some((item) => item.role === 'quit')).toBe(true);
    expect(appMenu.some((item) => item.role === 'hide')).toBe(true);
  });

  it('offers reload and developer tools only in development', () => {
    const roles = (development: boolean): unknown[] =>
      submenu(applicationMenuTemplate({ platform: 'linux', development, openSettings: vi.fn(), checkForUpdates: vi.fn() })[2]).map((item) => item.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });
});

describe('connectivity', () => {
  it('reports resume from sleep', () => {
    const onBackOnline = vi.fn();
    const stop = watchConnectivity({ powerMonitor, isOnline: () => true, onBackOnline });
    powerMonitor.emit('resume');
    expect(onBackOnline).toHaveBeenCalledWith('resume');
    stop();
    powerMonitor.emit('resume');
    expect(onBackOnline).toHaveBeenCalledOnce();
  });

  it('reports the network coming back, once per change', () => {
    vi.useFakeTimers();
    let online = true;
    const onBackOnline = vi.fn();
    const stop = watchConnectivity({ powerMonitor, isOnline: () => online, onBackOnline });
    vi.advanceTimersByTime(ONLINE_POLL_MS * 2);
    expect(onBackOnline).not.toHaveBeenCalled();
    online = false;
    vi.advanceTimersByTime(ONLINE_POLL_MS);
    online = true;
    vi.advanceTimersByTime(ONLINE_POLL_MS * 3);
    expect(onBackOnline.mock.calls).toEqual([['network']]);
    stop();
    online = false;
    vi.advanceTimersByTime(ONLINE_POLL_MS);
    online = true;
    vi.advanceTimersByTime(ONLINE_POLL_MS);
    expect(onBackOnline).toHaveBeenCalledOnce();
  });
});
