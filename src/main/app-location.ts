// Where the UI is loaded from, and what counts as the app's own page: the
// navigation guards, the IPC sender check and the event forwarding all ask
// `isAppUrl`, so there is one definition of "our page".
//
// In production the UI is served from the privileged `app://duplex` scheme
// (see app-protocol.ts) rather than file://, so that the page has a real
// origin of its own; under `electron-vite dev` it comes from the Vite dev
// server.

export const APP_SCHEME = 'app';
export const APP_HOST = 'duplex';
const PRODUCTION_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export interface AppLocation {
  /** The URL the window loads. */
  readonly entryUrl: string;
  /** True for URLs of the app's own page (same scheme and host). */
  isAppUrl(url: string): boolean;
}

/** `devServerUrl` is electron-vite's ELECTRON_RENDERER_URL, honoured only
 * in an unpackaged app. */
export function appLocation(devServerUrl: string | undefined): AppLocation {
  const entryUrl = devServerUrl ?? PRODUCTION_ENTRY_URL;
  // Compared by protocol and host, not `origin`: WHATWG URL gives every
  // non-special scheme such as app: the opaque origin "null".
  const { protocol, host } = new URL(entryUrl);
  return {
    entryUrl,
    isAppUrl(url) {
      const parsed = URL.parse(url);
      return parsed !== null && parsed.protocol === protocol && parsed.host === host;
    },
  };
}

/** Links the app may hand to the system browser. */
export function isWebUrl(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && (parsed.protocol === 'https:' || parsed.protocol === 'http:');
}
