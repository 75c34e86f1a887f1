// The web client's service worker: keeps the app shell (index.html, the
// built scripts and styles, the manifest and icons) in a versioned cache, so
// that a reload or a cold start with the relay unreachable still opens the
// app. The engine then starts from IndexedDB: signed in, with the cached
// conversations and the outbox, and reconnects by itself.
//
// Only the shell is handled here, cache first. Everything else (the relay's
// /api, /ws, /healthz, /metrics) goes to the network untouched: the engine
// owns offline behaviour for data.
//
// vite.web.config.ts writes the shell's file list and a version hashed from
// their contents in place of SHELL_PLACEHOLDER, so that every build that
// changes the shell installs a new cache and drops the old one.
declare const self: ServiceWorkerGlobalScope;
// A module, so that the `self` above is this file's own declaration.
export {};

interface Shell {
  version: string;
  /** Paths relative to the worker's scope. */
  files: string[];
}

const shell: Shell = JSON.parse('__DUPLEX_SHELL__');
const CACHE_PREFIX = 'duplex-shell-';
const cacheName = CACHE_PREFIX + shell.version;
const scope = new URL(self.registration.scope);
const indexUrl = new URL('index.html', scope);
const shellUrls = new Set(shell.files.map((file) => new URL(file, scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      // 'reload': straight from the relay, never a stale HTTP-cached copy.
      await cache.addAll([...shellUrls].map((url) => new Request(url, { cache: 'reload' })));
      // The page loads no code lazily, so a running page is safe with a new
      // worker: take over at once rather than after every tab has closed.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const stale = (await caches.keys()).filter((key) => key.startsWith(CACHE_PREFIX) && key !== cacheName);
      await Promise.all(stale.map((key) => caches.delete(key)));
      await self.clients.claim();
    })(),
  );
});

/** The cached response for a shell request, or null to let it through. */
function shellUrlFor(request: Request): string | null {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return null;
  // Opening the app, at its root or as index.html (a query changes nothing).
  if (request.mode === 'navigate' && (url.pathname === scope.pathname || url.pathname === indexUrl.pathname)) return indexUrl.href;
  url.search = '';
  return shellUrls.has(url.href) ? url.href : null;
}

self.addEventListener('fetch', (event) => {
  const url = shellUrlFor(event.request);
  if (url === null) return;
  event.respondWith(
    (async () => {
      const cached = await caches.match(url, { cacheName });
      return cached ?? fetch(event.request);
    })(),
  );
});
