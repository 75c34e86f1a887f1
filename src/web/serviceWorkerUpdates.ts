// The web client's updates (docs/ui.md, "The update bar"). A release reaches
// the web client when the relay serves a new build: its sw.js differs, the
// browser installs the new worker with the new shell, and the worker takes
// over at once (sw.ts). This page still runs the old code, so the user is
// told: "Duplex was updated: reload to use the new version"; the next load
// (or the bar's Reload) runs the new one.
//
// Browsers look for a new sw.js when the app is opened; a tab left open for
// days is checked every 6 hours as well (as the desktop app does), when the
// user asks (Settings), and at once when the relay refuses this version
// (close 4002).
import type { Unsubscribe } from '../shared/api.ts';
import { type AppUpdates, NO_UPDATE, type UpdateStatus } from '../shared/app-updates.ts';

const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface ServiceWorkerUpdates extends AppUpdates {
  /** The relay closed with 4002: check now, and say that the update is required. */
  relayRefused(): void;
}

export function serviceWorkerUpdates(
  container: ServiceWorkerContainer | undefined,
  registration: Promise<ServiceWorkerRegistration | null>,
): ServiceWorkerUpdates {
  const listeners = new Set<(status: UpdateStatus) => void>();
  let status = NO_UPDATE;
  const publish = (change: Partial<UpdateStatus>): void => {
    status = { ...status, ...change };
    for (const listener of listeners) listener(status);
  };

  // The first worker taking control of a page opened without one is an
  // install, not an update.
  let controlled = container?.controller != null;
  container?.addEventListener('controllerchange', () => {
    if (controlled) publish({ phase: 'ready', message: null });
    controlled = true;
  });

  let announce = false;
  const check = async (): Promise<void> => {
    if (status.phase === 'ready') return;
    const found = await registration;
    if (found === null) {
      if (announce) publish({ phase: 'error', message: 'this browser keeps no offline copy of Duplex to update.' });
      return;
    }
    if (announce) publish({ phase: 'checking' });
    try {
      await found.update();
    } catch (error) {
      if (announce) publish({ phase: 'error', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    // A new worker installing ends in `controllerchange` (ready); without
    // one, this is the newest build the relay has.
    const updating = found.installing !== null || found.waiting !== null;
    if (announce && !updating && status.phase === 'checking') {
      publish({
        phase: 'up-to-date',
        message: status.required ? 'The relay needs a newer Duplex than it serves: ask its operator.' : null,
      });
    }
  };

  setInterval(() => {
    announce = false;
    void check();
  }, CHECK_INTERVAL_MS);

  return {
    appliesBy: 'reload',
    getStatus: () => Promise.resolve(status),
    check: () => {
      announce = true;
      return check();
    },
    relayRefused() {
      if (status.required) return;
      publish({ required: true });
      announce = true;
      void check();
    },
    // The browser downloads the new build by itself.
    download: () => Promise.resolve(),
    apply: () => {
      location.reload();
      return Promise.resolve();
    },
    onStatus(listener): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
