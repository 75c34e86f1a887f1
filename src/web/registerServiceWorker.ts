// Installs the service worker (sw.ts) that keeps the app shell offline and
// brings new releases (serviceWorkerUpdates.ts). Only in a production build:
// the dev server serves modules that the worker's shell list does not name.

/** The registration, or null where there is none (development, no support, a failure). */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return null;
  // Relative to the page, so that the app works below a path prefix too.
  const scope = new URL('./', document.baseURI).href;
  try {
    // updateViaCache 'none': a new build is noticed on the next visit, not
    // after the HTTP cache lets go of the old sw.js.
    return await navigator.serviceWorker.register(new URL('sw.js', scope), { scope, updateViaCache: 'none' });
  } catch (error) {
    console.error('Duplex: the service worker could not be installed', error);
    return null;
  }
}
