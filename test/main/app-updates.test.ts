// The app's own updates (src/main/updates/app-updates.ts): when it checks,
// what it tells the page at each step, the setting, and the relay refusing
// this version (4002).
//
// electron-updater's autoUpdater is replaced by a stand-in at its event
// interface (a real EventEmitter emitting `checking-for-update`,
// `update-available`, `download-progress`, `update-downloaded`,
// `update-not-available` and `error` as electron-updater does): the real one
// needs Electron, whose binary cannot run here. The module imports neither
// Electron nor electron-updater's code, so nothing else is mocked. The
// relay's side of the feed and electron-updater's parsing of it are tested
// for real in test/relay/update-feed.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DuplexEvent } from '../../src/shared/api.ts';
import type { UpdateStatus } from '../../src/shared/app-updates.ts';
import { AppUpdates, CHECK_INTERVAL_MS, type Updater } from '../../src/main/updates/app-updates.ts';
import { FakeUpdater, found } from './fake-updater.ts';
import { recordingLog } from './helpers.ts';

const accountEvent = (relayUrl: string | null): DuplexEvent => ({
  type: 'account',
  account: relayUrl === null ? null : { user: { id: 'u_1', username: 'a', displayName: 'A' }, relayUrl, relayUrls: [relayUrl] },
});
const refused: DuplexEvent = {
  type: 'status',
  status: { state: 'offline', nextRetryAt: null, lastCloseReason: 'unsupported_version', stopped: 'update_needed', relayUrl: null },
};

let updater: FakeUpdater;
let statuses: UpdateStatus[];
let autoDownload: boolean;

function create(options: { installed?: boolean } = {}) {
  const log = recordingLog();
  const beforeQuitAndInstall = vi.fn();
  const updates = new AppUpdates({
    updater: updater as unknown as Updater,
    installed: options.installed ?? true,
    beforeQuitAndInstall,
    autoDownload: () => autoDownload,
    onStatus: (status) => statuses.push(status),
    log,
  });
  return { updates, log, beforeQuitAndInstall };
}

const phases = (): string[] => statuses.map((status) => status.phase);
const last = (): UpdateStatus | undefined => statuses.at(-1);

beforeEach(() => {
  updater = new FakeUpdater();
  statuses = [];
  autoDownload = true;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the feed', () => {
  it("is the signed-in relay's /updates/, one range per request", () => {
    const { updates } = create();
    updates.followEngine(accountEvent('https://chat.example/team'));
    expect(updater.setFeedURL).toHaveBeenCalledWith({
      provider: 'generic',
      url: 'https://chat.example/team/updates/',
      useMultipleRangeRequest: false,
    });
    updates.followEngine(accountEvent('https://chat.example/team'));
    expect(updater.setFeedURL).toHaveBeenCalledTimes(1);
  });

  it('moves to the node of the relay the session is online through, without checking again', async () => {
    const { updates } = create();
    updates.start();
    updates.followEngine(accountEvent('https://a.example'));
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledTimes(1));
    const status = (state: 'online' | 'offline', relayUrl: string): DuplexEvent => ({
      type: 'status',
      status: { state, nextRetryAt: null, lastCloseReason: null, stopped: null, relayUrl },
    });
    // Waiting to try node b changes nothing; online through it, the feed follows.
    updates.followEngine(status('offline', 'https://b.example'));
    expect(updater.setFeedURL).toHaveBeenCalledTimes(1);
    updates.followEngine(status('online', 'https://b.example'));
    expect(updater.setFeedURL).toHaveBeenLastCalledWith(expect.objectContaining({ url: 'https://b.example/updates/' }));
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
    // Signed out: no node to follow.
    updates.followEngine(accountEvent(null));
    updates.followEngine(status('online', 'https://c.example'));
    expect(updater.setFeedURL).toHaveBeenCalledTimes(2);
    updates.stop();
  });

  it('installs a downloaded update on quit too, and logs through the app', () => {
    const { log } = create();
    expect(updater.autoInstallOnAppQuit).toBe(true);
    (updater.logger as { warn(message: string): void }).warn('something');
    expect(log.warnings).toEqual(['duplex: update: something']);
  });
});

describe('checks', () => {
  it('at start, then every 6 hours, quietly when nothing is new', async () => {
    vi.useFakeTimers();
    const { updates } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    updates.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS - 1);
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(2);
    // Background checks say nothing about checking or being up to date.
    expect(phases().filter((phase) => phase !== 'idle')).toEqual([]);
    updates.stop();
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS);
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(2);
  });

  it('signing in to a relay after start checks its feed at once', async () => {
    const { updates } = create();
    updates.start();
    expect(updater.checkForUpdates).not.toHaveBeenCalled();
    updates.followEngine(accountEvent('https://relay.example'));
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledTimes(1));
    updates.stop();
  });

  it('an update found downloads in the background, then offers a restart', async () => {
    const { updates, beforeQuitAndInstall } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    updater.nextCheck = found;
    await updates.check('scheduled');
    expect(updater.autoDownload).toBe(true);
    expect(phases()).toEqual(['downloading', 'downloading', 'ready']);
    expect(statuses[1]).toMatchObject({ version: '2.0.0', percent: 41 });
    expect(last()).toEqual({ phase: 'ready', version: '2.0.0', percent: null, message: null, required: false });
    expect(updates.status.phase).toBe('ready');
    // Once ready, checks have nothing to add.
    await updates.check('manual');
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
    updates.restartToUpdate();
    expect(beforeQuitAndInstall).toHaveBeenCalledBefore(updater.quitAndInstall);
    expect(updater.quitAndInstall).toHaveBeenCalledTimes(1);
  });

  it('with automatic downloads off, offers the update and downloads when asked', async () => {
    autoDownload = false;
    const { updates } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    updater.nextCheck = found;
    await updates.check('start');
    expect(updater.autoDownload).toBe(false);
    expect(last()).toMatchObject({ phase: 'available', version: '2.0.0' });
    updates.restartToUpdate();
    expect(updater.quitAndInstall).not.toHaveBeenCalled();
    updater.downloadUpdate.mockImplementation(() => {
      updater.emit('download-progress', { percent: 99.9 });
      updater.emit('update-downloaded', { version: '2.0.0' });
      return Promise.resolve([]);
    });
    await updates.download();
    expect(phases().slice(-3)).toEqual(['downloading', 'downloading', 'ready']);
  });

  it('a check the user asks for says each step, and that the app is up to date', async () => {
    const { updates } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    await updates.check('manual');
    expect(phases()).toEqual(['checking', 'up-to-date']);
  });

  it('a failed background check is only logged; a failed download or asked-for check is shown', async () => {
    const { updates, log } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    const noFeed = Object.assign(new Error('Cannot find channel "latest-linux.yml"'), { code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' });
    updater.nextCheck = (u) => u.emit('error', noFeed);
    await updates.check('scheduled');
    expect(phases().filter((phase) => phase !== 'idle')).toEqual([]);
    await updates.check('manual');
    expect(last()).toMatchObject({ phase: 'error', message: 'your relay does not offer app updates.' });
    updater.nextCheck = (u) => {
      u.emit('update-available', { version: '2.0.0' });
      u.emit('error', new Error('sha512 checksum mismatch, expected abc\nmore'));
    };
    await updates.check('scheduled');
    expect(last()).toMatchObject({ phase: 'error', message: 'sha512 checksum mismatch, expected abc' });
    expect(log.warnings).toEqual([]);
  });

  it('explains why it cannot check: not installed, not updatable, not signed in', async () => {
    const development = create({ installed: false }).updates;
    development.followEngine(accountEvent('https://relay.example'));
    await development.check('manual');
    expect(last()?.message).toMatch(/development build/);
    updater.active = false;
    const unsupported = create().updates;
    unsupported.followEngine(accountEvent('https://relay.example'));
    await unsupported.check('manual');
    expect(last()?.message).toMatch(/cannot update itself/);
    updater.active = true;
    const signedOut = create().updates;
    await signedOut.check('manual');
    expect(last()?.message).toMatch(/^sign in first/);
    expect(updater.checkForUpdates).not.toHaveBeenCalled();
  });
});

describe('the relay refusing this version (close 4002)', () => {
  it('checks at once, downloads whatever the setting, and says the update is required', async () => {
    autoDownload = false;
    const { updates } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    updater.nextCheck = found;
    updates.followEngine(refused);
    await vi.waitFor(() => expect(last()?.phase).toBe('ready'));
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
    expect(updater.autoDownload).toBe(true);
    expect(phases()).toEqual(['idle', 'checking', 'downloading', 'downloading', 'ready']);
    expect(statuses.slice(1).every((status) => status.required)).toBe(true);
    // The same stopped status again is not a new refusal.
    updates.followEngine(refused);
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1);
  });

  it('says so when the relay offers nothing newer', async () => {
    const { updates } = create();
    updates.followEngine(accountEvent('https://relay.example'));
    updates.followEngine(refused);
    await vi.waitFor(() => expect(last()?.phase).toBe('up-to-date'));
    expect(last()?.message).toMatch(/ask its operator/);
  });
});
