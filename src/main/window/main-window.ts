// Creates the one main window: secure options, navigation guards, remembered
// placement, close-to-tray, and the app's page loaded into it.
import { BrowserWindow, type Rectangle } from 'electron';
import type { AppLocation } from '../app-location.ts';
import type { Log } from '../log.ts';
import { hideOnClose } from './close-to-tray.ts';
import { guardNavigation } from './navigation-guard.ts';
import { mainWindowOptions } from './window-options.ts';
import { placementFor, trackWindowState, type WindowState } from './window-state.ts';

export interface MainWindowOptions {
  location: AppLocation;
  preloadPath: string;
  savedState: WindowState | null;
  /** The displays' work areas, the primary display's first. */
  workAreas: readonly Rectangle[];
  saveState: (state: WindowState) => void;
  shouldHideOnClose: () => boolean;
  openExternal: (url: string) => Promise<void>;
  log: Log;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const placement = placementFor(options.savedState, options.workAreas);
  const window = new BrowserWindow(mainWindowOptions({ preloadPath: options.preloadPath, placement }));
  guardNavigation(window.webContents, {
    isAppUrl: options.location.isAppUrl,
    openExternal: options.openExternal,
    warn: (message) => options.log.warn(`window: ${message}`),
  });
  trackWindowState(window, options.saveState);
  hideOnClose(window, options.shouldHideOnClose);
  window.once('ready-to-show', () => {
    if (placement.maximized) window.maximize();
    window.show();
  });
  window.loadURL(options.location.entryUrl).catch((error: unknown) => {
    options.log.error(`window: could not load ${options.location.entryUrl}: ${String(error)}`);
  });
  return window;
}

/** Brings the window back from the tray, the taskbar or behind others. */
export function revealWindow(window: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
