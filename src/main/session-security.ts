// Hardens the window's session: the Content-Security-Policy on every http(s)
// response (in production the page comes from app://, whose handler sets the
// header itself, so this covers the dev server), and no web permission for
// the page: it needs none, since notifications come from the main process.
import type { Session } from 'electron';

type HardenableSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

export function hardenSession(session: HardenableSession, contentSecurityPolicy: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    // Replace, whatever its case, any policy the server sent.
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'content-security-policy',
      ),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [contentSecurityPolicy] } });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
