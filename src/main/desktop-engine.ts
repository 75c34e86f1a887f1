// The one engine of the desktop app, built for the main process: its
// WebSocket and HTTP calls go through Electron's net module (Chromium's
// network stack, so system proxies and the OS trust store apply), its data
// goes to SQLite files in userData, its account to safeStorage.
import { join } from 'node:path';
import { net } from 'electron';
import type { DuplexApi } from '../shared/api.ts';
import type { DesktopPlatform } from '../shared/desktop-api.ts';
import type { FetchFunction } from '../shared/engine/auth-client.ts';
import type { WebSocketClass } from '../shared/engine/connection.ts';
import { type AccountStorage, DuplexEngine } from '../shared/engine/engine.ts';
import type { Logger } from '../shared/engine/log.ts';
import { isWebUrl } from './app-location.ts';
import type { Log } from './log.ts';
import { sqliteClientStoreOpener } from './store/sqlite-client-store.ts';

/** What the shell uses of the engine: DuplexApi and the host's hooks. */
export type DesktopEngine = DuplexApi & Pick<DuplexEngine, 'start' | 'wake' | 'dispose'>;

export interface DesktopEngineContext {
  userData: string;
  accounts: AccountStorage;
  platform: DesktopPlatform;
  log: Log;
}

const PLATFORM_NAMES: Record<DesktopPlatform, string> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux' };

/** How the desktop app appears in the user's list of devices (docs/protocol.md, "Devices"). */
export function desktopDeviceName(platform: DesktopPlatform): string {
  return `Duplex on ${PLATFORM_NAMES[platform]}`;
}

export type DesktopEngineFactory = (context: DesktopEngineContext) => DesktopEngine;

/** net.fetch also reads file:, app: and every other scheme the session
 * knows; the engine only ever needs the relay's http(s) API. */
export function httpOnlyFetch(fetchFunction: (input: string | Request, init?: RequestInit) => Promise<Response>): FetchFunction {
  return (input, init) => {
    const request = input instanceof URL ? input.href : input;
    const url = typeof request === 'string' ? request : request.url;
    if (!isWebUrl(url)) return Promise.reject(new TypeError(`Only http(s) requests are allowed, not ${url}`));
    return fetchFunction(request, init);
  };
}

export const createDesktopEngine: DesktopEngineFactory = ({ userData, accounts, platform, log }) => {
  const engineLog: Logger = (level, message, details) =>
    details === undefined ? log[level](`engine: ${message}`) : log[level](`engine: ${message}`, details);
  return new DuplexEngine({
    // Electron 45 has net.WebSocket in the main process, so Node's global
    // WebSocket (which ignores system proxies and the OS trust store) is not
    // needed. Its type is Electron's own class, which lacks only the instance
    // copies of the readyState constants; neither the engine nor
    // reconnecting-websocket reads those.
    WebSocket: net.WebSocket as unknown as WebSocketClass,
    fetch: httpOnlyFetch(net.fetch),
    openStore: sqliteClientStoreOpener(join(userData, 'stores')),
    accounts,
    deviceName: desktopDeviceName(platform),
    log: engineLog,
  });
};
