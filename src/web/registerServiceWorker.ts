// Installs the service worker (sw.ts) that keeps the app shell offline. Only
// in a production build: the dev server serves modules that the worker's
// shell list does not name.

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // Relative to the page, so that the app works below a path prefix too.
  const scope = new URL('./', document.baseURI).href;
  navigator.serviceWorker
    // updateViaCache 'none': a new build is noticed on the next visit, not
    // after the HTTP cache lets go of the old sw.js.
    .register(new URL('sw.js', scope), { scope, updateViaCache: 'none' })
    .catch((error: unknown) => console.error('Duplex: the service worker could not be installed', error));
}
