// Renders the whole renderer App over a FakeDuplexApi, as mountApp does but
// without StrictMode's double effects, and waits for the first snapshot.
import { render, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../src/renderer/App.tsx';
import type { AppUpdates } from '../../src/shared/app-updates.ts';
import { createChatStore } from '../../src/renderer/store/chatStore.ts';
import { desktopUpdates } from '../../src/renderer/store/desktopUpdates.ts';
import { ChatStoreContext } from '../../src/renderer/store/useChat.ts';
import type { FakeDesktopApi, FakeDuplexApi } from './fake-api.ts';

/** As the web client, or as the desktop app when given `desktop` (whose
 * updates then come over it, as mountApp wires them). */
export async function renderApp(
  api: FakeDuplexApi,
  desktop: FakeDesktopApi | null = null,
  updates: AppUpdates | null = desktop ? desktopUpdates(desktop) : null,
) {
  const store = createChatStore(api, desktop, updates);
  store.getState().actions.start();
  const user = userEvent.setup();
  const view = render(
    <ChatStoreContext value={store}>
      <App />
    </ChatStoreContext>,
  );
  await waitFor(() => {
    const state = store.getState();
    if (state.auth === 'loading' || (state.auth === 'signed-in' && !state.conversationsLoaded)) throw new Error('still loading');
  });
  return { store, view, user };
}
