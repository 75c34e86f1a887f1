// The application menu: the usual menus and shortcuts of each platform
// (Edit for the clipboard shortcuts, View for zoom and full screen, Window),
// plus "Settings…" where each platform puts it (the app menu with ⌘, on
// macOS, File with Ctrl+, elsewhere), and "Check for Updates…" beside About
// (the app menu on macOS, Help elsewhere).
import type { MenuItemConstructorOptions } from 'electron';
import type { DesktopPlatform } from '../shared/desktop-api.ts';

export function applicationMenuTemplate(options: {
  platform: DesktopPlatform;
  /** Offers reload and the developer tools, for `npm run dev`. */
  development: boolean;
  openSettings: () => void;
  checkForUpdates: () => void;
}): MenuItemConstructorOptions[] {
  const checkForUpdates: MenuItemConstructorOptions = { label: 'Check for Updates…', click: options.checkForUpdates };
  const settings: MenuItemConstructorOptions = {
    label: 'Settings…',
    accelerator: 'CmdOrCtrl+,',
    click: options.openSettings,
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.development
        ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const)
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  if (options.platform === 'darwin') {
    return [
      {
        role: 'appMenu',
        submenu: [
          { role: 'about' },
          checkForUpdates,
          { type: 'separator' },
          settings,
          { type: 'separator' },
          { role: 'services' },
          { type: 'separator' },
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          { role: 'quit' },
        ],
      },
      { role: 'editMenu' },
      view,
      { role: 'windowMenu' },
    ];
  }
  return [
    {
      label: 'File',
      submenu: [settings, { type: 'separator' }, { role: 'quit', accelerator: 'Ctrl+Q' }],
    },
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    // Where Windows and Linux apps keep these; About shows the version.
    { role: 'help', submenu: [checkForUpdates, { type: 'separator' }, { role: 'about', label: 'About Duplex' }] },
  ];
}
