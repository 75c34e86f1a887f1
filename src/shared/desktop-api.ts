// DesktopApi: what the desktop app offers beside DuplexApi, for its settings
// screen, its own updates and its native integrations (notification clicks,
// the application menu). The preload exposes it as `window.duplexDesktop`; the web client has
// no such object, so the UI treats it as optional.
//
// Like DuplexApi it crosses IPC, so everything here is plain serialisable
// data. This file also names the IPC channels, as types only: the preload
// may import no values from src/shared, so main and preload each spell the
// channel names themselves and these types make the compiler check that they
// spell them alike.
import type { DuplexApi, Unsubscribe } from './api.ts';
import type { UpdateStatus } from './app-updates.ts';

export type DesktopPlatform = 'darwin' | 'win32' | 'linux';

/** The settings the user can change; kept in a JSON file in userData. */
export interface DesktopSettings {
  /** Closing the window hides it (to the tray, or the Dock on macOS) and
   * the app keeps running; otherwise closing the window quits. */
  closeToTray: boolean;
  startAtLogin: boolean;
  /** No message notifications at all. */
  notificationsMuted: boolean;
  /** Notifications say who wrote, never what. */
  hideMessageText: boolean;
  /** Updates found download in the background; off, the user is asked first. */
  autoDownloadUpdates: boolean;
  /** The relay URLs the sign-in screen offers: those of the last sign-in
   * (the nodes of one relay, normalised; docs/scaling.md, "Clients"), empty
   * before the first. The app keeps them itself, from the signed-in account. */
  relayUrls: string[];
}

/** The settings that `updateSettings` changes: the switches. (Muting one
 * conversation is its chat state, DuplexApi.setChatState, which follows the
 * user to every device; the relay URLs follow the sign-in.) */
export type DesktopSettingsPatch = Partial<Omit<DesktopSettings, 'relayUrls'>>;

/**
 * How the saved session token is protected on this machine:
 * - `encrypted`: by the OS (Keychain, DPAPI, libsecret or KWallet).
 * - `plain_text`: Linux without a secret service: Chromium's `basic_text`
 *   backend, which only obfuscates with a fixed key. The settings screen
 *   should warn that anyone who can read the user's files can read the token.
 * - `memory_only`: no encryption at all; the token is never written, so the
 *   user signs in again after each start.
 */
export type TokenStorage = 'encrypted' | 'plain_text' | 'memory_only';

export interface DesktopInfo {
  platform: DesktopPlatform;
  /** A tray icon is shown, so closing to the tray leaves a way back. */
  trayAvailable: boolean;
  tokenStorage: TokenStorage;
  /** The app's version (About, and the settings screen). */
  version: string;
}


export type DesktopEvent =
  | { type: 'settings'; settings: DesktopSettings }
  /** The user clicked a notification: show this conversation. */
  | { type: 'open-conversation'; conv: string }
  /** The application menu's "Settings…" item. */
  | { type: 'open-settings' }
  | { type: 'update'; status: UpdateStatus };

export interface DesktopApi {
  getInfo(): Promise<DesktopInfo>;
  getSettings(): Promise<DesktopSettings>;
  updateSettings(patch: DesktopSettingsPatch): Promise<DesktopSettings>;
  /** The conversation the window shows, or null. Messages in it do not
   * notify while the window has focus. */
  setOpenConversation(conv: string | null): Promise<void>;
  getUpdateStatus(): Promise<UpdateStatus>;
  /** Checks the relay's feed now and reports every step as `update` events. */
  checkForUpdates(): Promise<void>;
  /** Downloads the update on offer (`available`). */
  downloadUpdate(): Promise<void>;
  /** Quits, installs the downloaded update (`ready`) and starts it. */
  restartToUpdate(): Promise<void>;
  /** Saves a message's file (by relay id) where the user picks in the
   * native save dialog, `name` offered. Resolves when written, or when the
   * user cancelled. */
  saveFile(fileId: string, name: string): Promise<void>;
  /** Saves the user's data export (DuplexApi.downloadMyData) where the user
   * picks in the native save dialog, `name` offered. Resolves when written,
   * or when the user cancelled. */
  saveMyData(name: string): Promise<void>;
  onEvent(listener: (event: DesktopEvent) => void): Unsubscribe;
}

/** The methods of an API that are requests (everything but its events). */
export type InvokeMethod<Api> = Exclude<keyof Api, 'onEvent'> & string;

export type DuplexInvokeChannel = `duplex:${InvokeMethod<DuplexApi>}`;
export type DesktopInvokeChannel = `duplex-desktop:${InvokeMethod<DesktopApi>}`;
export type DuplexEventChannel = 'duplex:event';
export type DesktopEventChannel = 'duplex-desktop:event';
