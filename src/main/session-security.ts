// Hardens the window's session: the Content-Security-Policy on every http(s)
// response (in production the page comes from app://, whose handler sets the
// header itself, so this covers the dev server), and one web permission for
// the page: the microphone (`media`, audio only), asked by the app's own page
// for voice notes (docs/desktop.md, "Permissions"). Nothing else: no camera,
// no screen, no notifications (they come from the main process), and nothing
// for any other origin.
import type { Session } from 'electron';

type HardenableSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

/** `isAppUrl`: whether a URL is the app's own page (app-location.ts). */
export function hardenSession(session: HardenableSession, contentSecurityPolicy: string, isAppUrl: (url: string) => boolean): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    // Replace, whatever its case, any policy the server sent.
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'content-security-policy',
      ),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [contentSecurityPolicy] } });
  });
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const media = details as { mediaTypes?: readonly string[]; requestingUrl?: string };
    callback(
      permission === 'media' &&
        isAppUrl(media.requestingUrl ?? '') &&
        Array.isArray(media.mediaTypes) &&
        media.mediaTypes.length > 0 &&
        media.mediaTypes.every((type) => type === 'audio'),
    );
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) => {
    const media = details as { mediaType?: string };
    return permission === 'media' && media.mediaType === 'audio' && isAppUrl(requestingOrigin);
  });
}
