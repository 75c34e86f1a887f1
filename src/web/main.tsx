// The web client's entry: runs the client engine in the page (the browser's
// WebSocket and fetch, IndexedDB for the store, its own origin as the relay),
// one for all the tabs of the profile (shared-engine.ts), installs it as
// window.duplex, then mounts the same renderer as the desktop app. The service worker keeps this page available offline and brings new
// releases.
// First: it configures zod before the engine's modules define schemas.
import './zodJitless.ts';
import { mountApp } from '../renderer/mountApp.tsx';
import { DuplexEngine } from '../shared/engine/engine.ts';
import { localStorageAccounts } from './accountStorage.ts';
import { currentBrowserDeviceName } from './deviceName.ts';
import { registerServiceWorker } from './registerServiceWorker.ts';
import { serviceWorkerUpdates } from './serviceWorkerUpdates.ts';
import { indexedDbClientStoreOpener } from './store/indexeddb-client-store.ts';
import { SharedEngine } from './shared-engine.ts';
import { SETTINGS_KEY, WebNotifications } from './web-notifications.ts';

function createEngine(): DuplexEngine {
  return new DuplexEngine({
    WebSocket,
    // Wrapped: the engine calls it as a method of its options, and the
    // browser's fetch throws when `this` is not the window.
    fetch: (input, init) => fetch(input, init),
    openStore: indexedDbClientStoreOpener(),
    accounts: localStorageAccounts(),
    // The relay that served this page (below a path prefix, if proxied so).
    defaultRelayUrls: [new URL('./', document.baseURI).href],
    deviceName: currentBrowserDeviceName(),
  });
}

// One engine for all the tabs of this browser profile (shared-engine.ts).
// Web Locks need a secure context (https, or localhost); without them each
// tab runs its own engine, as separate devices would.
const canShare = typeof navigator.locks !== 'undefined' && typeof BroadcastChannel !== 'undefined';
const tabs = canShare
  ? new SharedEngine({
      createEngine,
      onLead: (engine) => notifications.follow(engine),
      locks: navigator.locks,
      channel: new BroadcastChannel('duplex-engine'),
      tab: crypto.randomUUID(),
    })
  : null;
const ownEngine = tabs ? null : createEngine();
const engine = tabs ?? ownEngine!;

function tabView(openConversation: string | null) {
  return { focused: document.visibilityState === 'visible' && document.hasFocus(), openConversation };
}
let openConversation: string | null = null;
const notifications = new WebNotifications({
  Notification: 'Notification' in window ? window.Notification : undefined,
  storage: localStorage,
  lookingAt: () => (tabs ? tabs.focusedView() : tabView(openConversation).focused ? tabView(openConversation) : null),
  openConversationChanged: (conv) => {
    openConversation = conv;
    tabs?.setView(tabView(conv));
  },
  focusTab: () => window.focus(),
});
if (tabs) {
  for (const change of ['focus', 'blur', 'visibilitychange']) {
    window.addEventListener(change, () => tabs.setView(tabView(openConversation)));
  }
  window.addEventListener('pagehide', () => tabs.closeTab());
} else {
  notifications.follow(ownEngine!);
}
// Settings changed in another tab of the profile.
window.addEventListener('storage', (event) => {
  if (event.key === SETTINGS_KEY) notifications.settingsChanged();
});
window.duplexWeb = notifications;

// The renderer finds the engine where the desktop app's preload puts its
// bridge; with no window.duplexDesktop beside it, it knows it is the web.
window.duplex = engine;
// The engine's own liveness check finds a dead socket within seconds; the
// browser saying the network is back lets it reconnect at once.
window.addEventListener('online', () => engine.wake());

const updates = serviceWorkerUpdates(
  'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
  registerServiceWorker(),
);
// The relay refusing this version (4002): its newer build may be waiting.
engine.onEvent((event) => {
  if (event.type === 'status' && event.status.stopped === 'update_needed') updates.relayRefused();
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// Resuming the saved account first (local data only, no network) lets the
// app open signed in rather than flash the sign-in screen; a tab that does
// not lead waits until it has found the one that does.
const started = tabs ? (tabs.start(), tabs.ready) : ownEngine!.start();
started
  .catch((error: unknown) => console.error('Duplex: could not resume the saved account', error))
  .finally(() => mountApp(root, window.duplex, null, updates, notifications));
