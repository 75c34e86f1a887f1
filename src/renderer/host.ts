// What the renderer finds on `window`, put there before it is mounted:
//
// - `duplex`, the whole chat API: the Electron preload exposes it over IPC in
//   the desktop app; src/web installs it in the page, backed by the engine
//   running there.
// - `duplexDesktop`, the desktop app's extras (its settings, notification
//   clicks, the application menu), exposed by the preload. Its presence is
//   also how the renderer knows it runs in the desktop app, which asks for
//   the relay URL at sign-in; the web client's relay is its own origin.
// - `duplexWeb`, the web client's extras (its notifications), installed by
//   src/web.
import type { DuplexApi } from '../shared/api.ts';
import type { DesktopApi } from '../shared/desktop-api.ts';
import type { WebApi } from '../shared/web-api.ts';

declare global {
  interface Window {
    duplex: DuplexApi;
    duplexDesktop?: DesktopApi;
    duplexWeb?: WebApi;
  }
}
