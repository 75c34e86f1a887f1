// The desktop app updating itself (docs/desktop.md, "Updates"): electron-updater's
// generic provider pointed at the signed-in relay's feed (`RELAY/updates/`,
// served by the relay from what `duplex-relay updates publish` put there).
//
// It checks when the app starts (or a relay is signed in to), every 6 hours,
// when the user asks ("Check for updates…"), and at once when the relay
// refuses this version (close 4002). An update found downloads in the
// background (electron-updater downloads differentially where the feed has
// blockmaps, and verifies the sha512 the feed states) unless the user turned
// automatic downloads off, and is then offered as "Restart to update".
//
// Background checks stay quiet: the user hears of an update, not of a
// check, and a relay without a feed (or a network error) is only logged.
// Checks the user asked for, and the one after a 4002, say everything:
// checking, up to date, or what went wrong.
//
// electron-updater's updater is injected (desktop-app.ts passes its
// `autoUpdater`): this module imports neither Electron nor electron-updater's
// code, only its types, so the tests drive it with a stand-in.
import type { AppUpdater, ProgressInfo, UpdateInfo } from 'electron-updater';
import type { DuplexEvent } from '../../shared/api.ts';
import { NO_UPDATE, type UpdateStatus } from '../../shared/app-updates.ts';
import { UPDATES_PATH } from '../../shared/protocol/index.ts';
import type { Log } from '../log.ts';

/** What this module uses of electron-updater's AppUpdater. */
export type Updater = Pick<
  AppUpdater,
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'logger'
  | 'setFeedURL'
  | 'checkForUpdates'
  | 'downloadUpdate'
  | 'quitAndInstall'
  | 'isUpdaterActive'
  | 'on'
>;

export const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** Why a check runs: only the user's and the relay's are announced. */
export type CheckReason = 'start' | 'scheduled' | 'manual' | 'required';

/** electron-updater's code for a feed without the channel file (the relay has no updates published). */
const NO_CHANNEL_FILE = 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND';

export interface AppUpdatesOptions {
  updater: Updater;
  /** Installed from an installer (app.isPackaged): a development build never updates itself. */
  installed: boolean;
  /** Called just before quitting to install: windows must close, not hide. */
  beforeQuitAndInstall: () => void;
  /** The "download updates automatically" setting, read at each check. */
  autoDownload: () => boolean;
  onStatus: (status: UpdateStatus) => void;
  log: Log;
}

export class AppUpdates {
  private statusNow: UpdateStatus = NO_UPDATE;
  private feedUrl: string | null = null;
  private announce = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private refusedByRelay = false;

  private readonly options: AppUpdatesOptions;

  constructor(options: AppUpdatesOptions) {
    this.options = options;
    const { updater, log } = options;
    // A downloaded update also installs when the user quits.
    updater.autoInstallOnAppQuit = true;
    updater.logger = {
      info: (message?: unknown) => log.info(`duplex: update: ${String(message)}`),
      warn: (message?: unknown) => log.warn(`duplex: update: ${String(message)}`),
      error: (message?: unknown) => log.error(`duplex: update: ${String(message)}`),
    };
    updater.on('checking-for-update', () => {
      if (this.announce) this.publish({ phase: 'checking', message: null });
    });
    updater.on('update-available', (info: UpdateInfo) => {
      this.publish(
        updater.autoDownload
          ? { phase: 'downloading', version: info.version, percent: 0, message: null }
          : { phase: 'available', version: info.version, message: null },
      );
    });
    updater.on('download-progress', (progress: ProgressInfo) => {
      this.publish({ phase: 'downloading', percent: Math.floor(progress.percent) });
    });
    updater.on('update-downloaded', (info: UpdateInfo) => {
      this.publish({ phase: 'ready', version: info.version, percent: null });
    });
    updater.on('update-not-available', () => {
      if (!this.announce) return this.publish({ phase: 'idle' });
      this.publish({
        phase: 'up-to-date',
        message: this.statusNow.required
          ? 'The relay needs a newer Duplex than it offers: ask its operator to publish the update.'
          : null,
      });
    });
    updater.on('error', (error: Error) => this.failed(error));
  }

  get status(): UpdateStatus {
    return this.statusNow;
  }

  /** Checks now and every 6 hours from now on. */
  start(): void {
    this.timer ??= setInterval(() => void this.check('scheduled'), CHECK_INTERVAL_MS);
    void this.check('start');
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Follows the engine: the feed is the signed-in relay's, on the node the
   * session is online through (a relay of several nodes: docs/scaling.md,
   * "Clients"), and a relay that refuses this version (4002) calls for a
   * check at once. */
  followEngine(event: DuplexEvent): void {
    if (event.type === 'account') this.setRelay(event.account?.relayUrl ?? null, true);
    if (event.type !== 'status') return;
    // Another node of the same relay serves the same feed: no new check.
    if (event.status.state === 'online' && event.status.relayUrl !== null && this.feedUrl !== null) {
      this.setRelay(event.status.relayUrl, false);
    }
    const refused = event.status.stopped === 'update_needed';
    if (refused && !this.refusedByRelay) void this.check('required');
    this.refusedByRelay = refused;
  }

  /** The signed-in relay or its node in use (normalised, no trailing slash),
   * or null when signed out; `check` for a relay new to this run. */
  private setRelay(relayUrl: string | null, check: boolean): void {
    const feedUrl = relayUrl === null ? null : `${relayUrl}${UPDATES_PATH}`;
    if (feedUrl === this.feedUrl) return;
    this.feedUrl = feedUrl;
    if (feedUrl === null) return;
    // One request per range: the relay serves multipart ranges too, but
    // sequential single ranges survive any proxy in front of it.
    this.options.updater.setFeedURL({ provider: 'generic', url: feedUrl, useMultipleRangeRequest: false });
    if (check && this.timer !== null) void this.check('start');
  }

  async check(reason: CheckReason): Promise<void> {
    const required = reason === 'required' || this.statusNow.required;
    if (required !== this.statusNow.required) this.publish({ required });
    const { phase } = this.statusNow;
    // Already on its way: nothing new to learn.
    if (phase === 'downloading' || phase === 'ready' || phase === 'checking') return;
    this.announce = reason === 'manual' || reason === 'required';
    const { updater } = this.options;
    if (!this.options.installed || !updater.isUpdaterActive()) {
      if (this.announce) {
        this.publish({
          phase: 'error',
          message: this.options.installed
            ? 'this copy of Duplex cannot update itself: install the new version by hand.'
            : 'this is a development build of Duplex, which does not update itself.',
        });
      }
      return;
    }
    if (this.feedUrl === null) {
      if (this.announce) this.publish({ phase: 'error', message: 'sign in first: updates come from your relay.' });
      return;
    }
    // An update the relay insists on downloads whatever the setting says.
    updater.autoDownload = required || this.options.autoDownload();
    try {
      const result = await updater.checkForUpdates();
      // Download failures arrive as `error` events as well.
      result?.downloadPromise?.catch(() => {});
    } catch {
      // Reported through the `error` event.
    }
  }

  /** The user's "Download" when automatic downloads are off. */
  async download(): Promise<void> {
    if (this.statusNow.phase !== 'available') return;
    this.publish({ phase: 'downloading', percent: 0 });
    await this.options.updater.downloadUpdate().catch(() => {});
  }

  /** The user's "Restart to update": quits, installs, starts the new version. */
  restartToUpdate(): void {
    if (this.statusNow.phase !== 'ready') return;
    this.options.beforeQuitAndInstall();
    this.options.updater.quitAndInstall();
  }

  private failed(error: Error): void {
    const code = (error as Error & { code?: string }).code;
    const message =
      code === NO_CHANNEL_FILE ? 'your relay does not offer app updates.' : (error.message.split('\n')[0] ?? String(error));
    const wasDownloading = this.statusNow.phase === 'downloading';
    if (this.announce || wasDownloading) this.publish({ phase: 'error', message, percent: null });
    else if (this.statusNow.phase === 'checking') this.publish({ phase: 'idle' });
  }

  private publish(change: Partial<UpdateStatus>): void {
    this.statusNow = { ...this.statusNow, ...change };
    this.options.onStatus(this.statusNow);
  }
}
