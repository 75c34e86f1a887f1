// The unread count in the tray (the pre-rendered icon variants, tooltip,
// menu) and on the app's icon (Dock and launcher badges, the Windows
// taskbar overlay), on each platform. How the icons are drawn is
// test/dist/icons.test.ts's part; here they are the files in resources/tray.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so Tray, Menu, nativeImage and the window are the
// double's. The platform is passed in, so every branch runs on Linux.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppTray, trayTooltip } from '../../src/main/tray/app-tray.ts';
import { trayIsShown } from '../../src/main/tray/tray-support.ts';
import { trayMenuTemplate } from '../../src/main/tray/tray-menu.ts';
import { badgeIconFile, TRAY_ICON_DIR, trayIconFile } from '../../src/main/tray/tray-icon-files.ts';
import { showUnreadBadge } from '../../src/main/tray/unread-badge.ts';
import { UNREAD_LABELS, unreadLabel, unreadSummary } from '../../src/main/tray/unread-count.ts';
import { badgeImage, trayImage } from '../../src/main/tray/unread-images.ts';
import * as double from './electron-double/electron.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

beforeEach(() => double.resetElectronDouble());

describe('the unread count in words', () => {
  it.each([
    [0, null, 'No unread messages', 'Duplex'],
    [1, '1', '1 unread message', 'Duplex: 1 unread message'],
    [9, '9', '9 unread messages', 'Duplex: 9 unread messages'],
    [10, '9+', '10 unread messages', 'Duplex: 10 unread messages'],
    [1234, '9+', '1234 unread messages', 'Duplex: 1234 unread messages'],
  ])('%i unread: label %s, "%s", tooltip "%s"', (count, label, summary, tooltip) => {
    expect(unreadLabel(count)).toBe(label);
    expect(unreadSummary(count)).toBe(summary);
    expect(trayTooltip(count)).toBe(tooltip);
  });
});

describe('the icon variants', () => {
  /** The committed file, as the app reads it from its root (the double's
   * app.getAppPath() is the repository). */
  const file = (name: string): Buffer => readFileSync(join(app.getAppPath(), TRAY_ICON_DIR, name));

  it('cover every label unreadLabel gives', () => {
    for (let count = 0; count <= 120; count++) expect(UNREAD_LABELS).toContain(unreadLabel(count));
  });

  it('become nativeImages of the 1x and 2x files, read once each', () => {
    const image = trayImage('4', 'light') as unknown as double.NativeImage;
    expect(image.representations).toEqual([
      { scaleFactor: 1, buffer: file(trayIconFile('4', 'light', 1)) },
      { scaleFactor: 2, buffer: file(trayIconFile('4', 'light', 2)) },
    ]);
    expect(trayImage('4', 'light')).toBe(image);
    expect(trayImage('4', 'dark')).not.toBe(image);
    expect(trayImage('5', 'light')).not.toBe(image);
    expect(badgeImage('4')).not.toBe(image);
  });

  it('include the badge alone for the taskbar overlay', () => {
    const image = badgeImage('9+') as unknown as double.NativeImage;
    expect(image.representations.map((r) => r.buffer)).toEqual([
      file(badgeIconFile('9+', 1)),
      file(badgeIconFile('9+', 2)),
    ]);
  });
});

describe('the tray menu', () => {
  const actions = { open: vi.fn(), toggleNotifications: vi.fn(), quit: vi.fn() };

  it('shows the count, Open, Mute notifications and Quit', () => {
    const template = trayMenuTemplate({ unread: 3, notificationsMuted: false }, actions);
    expect(template.map((item) => item.label ?? item.type)).toEqual([
      '3 unread messages',
      'separator',
      'Open Duplex',
      'Mute notifications',
      'separator',
      'Quit Duplex',
    ]);
    expect(template[0]?.enabled).toBe(false);
  });

  it('offers Unmute when muted', () => {
    const template = trayMenuTemplate({ unread: 0, notificationsMuted: true }, actions);
    expect(template[0]?.label).toBe('No unread messages');
    expect(template.map((item) => item.label)).toContain('Unmute notifications');
  });
});

describe('the tray', () => {
  function makeTray(platform: 'linux' | 'win32' | 'darwin') {
    const actions = { open: vi.fn(), toggleNotifications: vi.fn(), quit: vi.fn() };
    const tray = new AppTray(platform, actions);
    const [fake] = double.Tray.instances;
    if (fake === undefined) throw new Error('no tray created');
    return { tray, fake, actions };
  }

  function menuLabels(fake: double.Tray): unknown[] {
    return fake.contextMenu?.template.map((item) => item.label) ?? [];
  }

  it.each([
    [0, null, 'Duplex', 'No unread messages'],
    [1, '1', 'Duplex: 1 unread message', '1 unread message'],
    [7, '7', 'Duplex: 7 unread messages', '7 unread messages'],
    [10, '9+', 'Duplex: 10 unread messages', '10 unread messages'],
  ])('with %i unread shows icon %s, tooltip "%s" and a menu headed "%s"', (unread, label, tooltip, header) => {
    const { tray, fake } = makeTray('linux');
    tray.show({ unread, notificationsMuted: false });
    expect(fake.image).toBe(trayImage(label, 'light'));
    expect(fake.tooltip).toBe(tooltip);
    expect(menuLabels(fake)[0]).toBe(header);
  });

  it('sets its menu again on every change, and only on a change', () => {
    const { tray, fake } = makeTray('linux');
    const menusSet = (): number => double.calls.filter((call) => call.api === 'Tray.setContextMenu').length;
    tray.show({ unread: 1, notificationsMuted: false });
    tray.show({ unread: 1, notificationsMuted: false });
    expect(menusSet()).toBe(1);
    tray.show({ unread: 1, notificationsMuted: true });
    expect(menusSet()).toBe(2);
    expect(menuLabels(fake)).toContain('Unmute notifications');
    tray.show({ unread: 2, notificationsMuted: true });
    expect(menusSet()).toBe(3);
  });

  it('shows the variant for the system theme, and changes it with the theme alone', () => {
    const { tray, fake } = makeTray('linux');
    expect(fake.image).toBe(trayImage(null, 'light'));
    tray.show({ unread: 3, notificationsMuted: false }, 'dark');
    expect(fake.image).toBe(trayImage('3', 'dark'));
    tray.show({ unread: 3, notificationsMuted: false }, 'light');
    expect(fake.image).toBe(trayImage('3', 'light'));
  });

  it('runs the menu actions', () => {
    const { tray, fake, actions } = makeTray('win32');
    tray.show({ unread: 0, notificationsMuted: false });
    const click = (label: string): void => {
      const item = fake.contextMenu?.template.find((entry) => entry.label === label);
      (item?.click as () => void)();
    };
    click('Open Duplex');
    click('Mute notifications');
    click('Quit Duplex');
    expect(actions.open).toHaveBeenCalledOnce();
    expect(actions.toggleNotifications).toHaveBeenCalledOnce();
    expect(actions.quit).toHaveBeenCalledOnce();
  });

  it.each(['linux', 'win32'] as const)('opens the window on a click on %s', (platform) => {
    const { fake, actions } = makeTray(platform);
    fake.emit('click');
    expect(actions.open).toHaveBeenCalledOnce();
  });

  it('leaves a click to the menu on macOS', () => {
    const { fake, actions } = makeTray('darwin');
    fake.emit('click');
    expect(actions.open).not.toHaveBeenCalled();
  });
});

describe('whether a tray is shown', () => {
  it.each([
    ['win32', undefined, true],
    ['darwin', undefined, true],
    ['linux', 'KDE', true],
    ['linux', 'XFCE', true],
    ['linux', 'X-Cinnamon', true],
    ['linux', 'ubuntu:GNOME', true],
    ['linux', 'GNOME', false],
    ['linux', 'Fedora:GNOME', false],
    ['linux', '', false],
    ['linux', undefined, false],
  ] as const)('%s with XDG_CURRENT_DESKTOP=%s: %s', (platform, desktop, shown) => {
    expect(trayIsShown(platform, desktop)).toBe(shown);
  });
});

describe('the badge on the app icon', () => {
  it.each(['darwin', 'linux'] as const)('uses app.setBadgeCount on %s', (platform) => {
    const window = new BrowserWindow();
    showUnreadBadge(12, { platform, app, window });
    showUnreadBadge(0, { platform, app, window });
    expect(double.calls.filter((call) => call.api === 'app.setBadgeCount').map((call) => call.args[0])).toEqual([12, 0]);
    expect(double.BrowserWindow.instances[0]?.overlay).toBeNull();
  });

  it('uses the taskbar overlay on Windows', () => {
    const window = new BrowserWindow();
    const fake = double.BrowserWindow.instances[0];
    showUnreadBadge(3, { platform: 'win32', app, window });
    expect(fake?.overlay).toEqual({ image: badgeImage('3'), description: '3 unread messages' });
    showUnreadBadge(42, { platform: 'win32', app, window });
    expect(fake?.overlay).toEqual({ image: badgeImage('9+'), description: '42 unread messages' });
    showUnreadBadge(0, { platform: 'win32', app, window });
    expect(fake?.overlay).toBeNull();
    expect(double.calls.some((call) => call.api === 'app.setBadgeCount')).toBe(false);
  });
});
