// The tray's right-click menu: the unread count, then Open, Mute/Unmute
// notifications and Quit.
import type { MenuItemConstructorOptions } from 'electron';
import { unreadSummary } from './unread-count.ts';

export interface TrayState {
  unread: number;
  notificationsMuted: boolean;
}

export interface TrayActions {
  open: () => void;
  toggleNotifications: () => void;
  quit: () => void;
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: unreadSummary(state.unread), enabled: false },
    { type: 'separator' },
    { label: 'Open Duplex', click: actions.open },
    {
      label: state.notificationsMuted ? 'Unmute notifications' : 'Mute notifications',
      click: actions.toggleNotifications,
    },
    { type: 'separator' },
    { label: 'Quit Duplex', click: actions.quit },
  ];
}
