// The tray icon: its image carries the unread count, its tooltip says it,
// and its menu is rebuilt on every change (Linux tray hosts only pick up a
// menu when it is set again).
import { Menu, Tray } from 'electron';
import type { DesktopPlatform } from '../../shared/desktop-api.ts';
import type { TrayTheme } from './tray-icon-files.ts';
import { trayMenuTemplate, type TrayActions, type TrayState } from './tray-menu.ts';
import { unreadLabel, unreadSummary } from './unread-count.ts';
import { trayImage } from './unread-images.ts';

export function trayTooltip(unread: number): string {
  return unread > 0 ? `Duplex: ${unreadSummary(unread)}` : 'Duplex';
}

export class AppTray {
  readonly #tray: Tray;
  readonly #actions: TrayActions;
  #shown: (TrayState & { theme: TrayTheme }) | null = null;

  constructor(platform: DesktopPlatform, actions: TrayActions) {
    this.#actions = actions;
    this.#tray = new Tray(trayImage(null, 'light'));
    // On macOS a click opens the menu, as menu bar items do; elsewhere a
    // click on the icon is the way back to the window.
    if (platform !== 'darwin') this.#tray.on('click', () => actions.open());
  }

  /** `theme` is the system's (nativeTheme.shouldUseDarkColors), for the
   * icon's contrast with the panel. */
  show(state: TrayState, theme: TrayTheme = 'light'): void {
    const shown = this.#shown;
    if (
      shown?.unread === state.unread &&
      shown.notificationsMuted === state.notificationsMuted &&
      shown.theme === theme
    ) {
      return;
    }
    this.#tray.setImage(trayImage(unreadLabel(state.unread), theme));
    this.#tray.setToolTip(trayTooltip(state.unread));
    this.#tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(state, this.#actions)));
    this.#shown = { ...state, theme };
  }
}
