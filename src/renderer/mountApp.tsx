// The renderer's entry point for both shells: the desktop app's main.tsx
// and the web client's src/web/main.tsx call mountApp() once window.duplex
// is in place.
// The base styles first, so that component styles (imported by the
// components) come after them and win at equal specificity.
// A colour emoji font for systems without one (Debian's Chromium, many Linux
// desktops), so that reactions look the same everywhere: `--font` lists it
// after the text fonts; its unicode-range subsets load only when needed.
import '@fontsource/noto-color-emoji/400.css';
import './styles/theme.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { DuplexApi } from '../shared/api.ts';
import type { AppUpdates } from '../shared/app-updates.ts';
import type { DesktopApi } from '../shared/desktop-api.ts';
import type { WebApi } from '../shared/web-api.ts';
import { App } from './App.tsx';
import { createChatStore } from './store/chatStore.ts';
import { desktopUpdates } from './store/desktopUpdates.ts';
import { ChatStoreContext } from './store/useChat.ts';
import { applyThemePreference, readThemePreference } from './theme/themePreference.ts';

/** Renders the app into `rootElement`; returns a function that unmounts it. */
export function mountApp(
  rootElement: HTMLElement,
  api: DuplexApi = window.duplex,
  desktop: DesktopApi | null = window.duplexDesktop ?? null,
  /** The web client passes its service worker's; the desktop app's come over DesktopApi. */
  updates: AppUpdates | null = desktop ? desktopUpdates(desktop) : null,
  web: WebApi | null = window.duplexWeb ?? null,
): () => void {
  applyThemePreference(readThemePreference());
  const store = createChatStore(api, desktop, updates, web);
  const stop = store.getState().actions.start();
  const root = createRoot(rootElement);
  root.render(
    <StrictMode>
      <ChatStoreContext value={store}>
        <App />
      </ChatStoreContext>
    </StrictMode>,
  );
  return () => {
    root.unmount();
    stop();
  };
}
