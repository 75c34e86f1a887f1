// AppUpdates: the app's own updates as the UI sees them, the same in both
// shells. The desktop app downloads and installs a new release from the
// relay's feed (src/main/updates, over DesktopApi); the web client gets the
// relay's new build through its service worker (src/web). Either way the UI
// shows one non-blocking bar (docs/ui.md, "The update bar").
import type { Unsubscribe } from './api.ts';

/**
 * Where the app's own update stands (the desktop app: src/main/updates; the
 * web client, which only ever reports `idle` and `ready`: src/web):
 * - `idle`: nothing to say;
 * - `checking`, `up-to-date`: only for checks the user asked for, or after
 *   the relay refused this version;
 * - `available`: found, waiting for the user's "Download" (automatic
 *   downloads off); `downloading` (`percent`); `ready`: "Restart to update";
 * - `error`: `message` says what went wrong.
 */
export type UpdatePhase = 'idle' | 'checking' | 'up-to-date' | 'available' | 'downloading' | 'ready' | 'error';

export interface UpdateStatus {
  phase: UpdatePhase;
  /** The version on offer, once known. */
  version: string | null;
  /** 0..100 while downloading. */
  percent: number | null;
  /** What went wrong (a clause: the bar puts "Could not update: " before
   * it), or a sentence on `up-to-date`. */
  message: string | null;
  /** The relay refused this version (close 4002): the app must update to connect. */
  required: boolean;
}

export interface AppUpdates {
  /** How a `ready` update takes effect: the desktop app restarts into it,
   * the web client reloads the page. */
  readonly appliesBy: 'restart' | 'reload';
  getStatus(): Promise<UpdateStatus>;
  /** Checks now; the steps arrive as status changes. */
  check(): Promise<void>;
  /** Downloads the update on offer (`available`). */
  download(): Promise<void>;
  /** Restarts into, or reloads with, the `ready` update. */
  apply(): Promise<void>;
  onStatus(listener: (status: UpdateStatus) => void): Unsubscribe;
}

/** Nothing to say. */
export const NO_UPDATE: UpdateStatus = { phase: 'idle', version: null, percent: null, message: null, required: false };
