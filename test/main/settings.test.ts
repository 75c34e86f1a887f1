// Settings: defaults per platform, the JSON file in userData validated on
// load (a bad file means defaults and a warning, never a crash; the relay
// URLs of the last sign-in among them), atomic writes, change events; and
// start at login on each platform.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so `app` is the double's. Files go to a temporary folder.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSTART_FILE_NAME, autostartEntry, setStartAtLogin } from '../../src/main/login-item.ts';
import { defaultSettings, MAX_MUTED_CONVERSATIONS, type StoredSettings } from '../../src/main/settings/settings-schema.ts';
import { SettingsStore } from '../../src/main/settings/settings-store.ts';
import { MAX_RELAY_URLS } from '../../src/shared/engine/relay-url.ts';
import * as double from './electron-double/electron.ts';
import { recordingLog } from './helpers.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

let dir: string;
let file: string;
const defaults = defaultSettings({ platform: 'win32', trayAvailable: true });
const { window: _noWindow, mutedConversations: _noLegacyMutes, ...defaultUserSettings } = defaults;

beforeEach(() => {
  double.resetElectronDouble();
  dir = mkdtempSync(join(tmpdir(), 'duplex-settings-'));
  file = join(dir, 'settings.json');
});

describe('default settings', () => {
  it.each([
    ['win32', false, true],
    ['darwin', false, true],
    ['linux', true, true],
    ['linux', false, false],
  ] as const)('close to tray on %s (tray shown: %s) is %s', (platform, trayAvailable, closeToTray) => {
    expect(defaultSettings({ platform, trayAvailable }).closeToTray).toBe(closeToTray);
  });

  it('start with nothing muted or hidden, no autostart, updates downloaded, and no window placement', () => {
    expect(defaultSettings({ platform: 'linux', trayAvailable: true })).toEqual({
      closeToTray: true,
      startAtLogin: false,
      notificationsMuted: false,
      hideMessageText: false,
      autoDownloadUpdates: true,
      relayUrls: [],
      mutedConversations: [],
      window: null,
    });
  });
});

describe('the settings file', () => {
  it('gives defaults, silently, when there is none', () => {
    const log = recordingLog();
    const store = new SettingsStore(file, defaults, log);
    expect(store.settings).toEqual(defaultUserSettings);
    expect(store.windowState).toBeNull();
    expect(log.warnings).toEqual([]);
  });

  it.each([
    ['not JSON', '{"closeToTray": tru'],
    ['a wrong type', JSON.stringify({ closeToTray: 'yes' })],
    ['a bad window', JSON.stringify({ window: { x: 1, y: 2, width: -5, height: 10, maximized: false } })],
    ['a bad muted list', JSON.stringify({ mutedConversations: [42] })],
    ['relay URLs that are not a list', JSON.stringify({ relayUrls: 'https://a.example' })],
    ['a relay URL of another scheme', JSON.stringify({ relayUrls: ['https://a.example', 'file:///etc/passwd'] })],
    ['a relay URL twice', JSON.stringify({ relayUrls: ['https://a.example', 'https://a.example'] })],
    ['a relay URL not normalised', JSON.stringify({ relayUrls: ['https://a.example/'] })],
    ['too many relay URLs', JSON.stringify({ relayUrls: Array.from({ length: MAX_RELAY_URLS + 1 }, (_, i) => `https://n${i}.example`) })],
    ['not an object', '[1, 2, 3]'],
  ])('gives defaults and a warning when it holds %s', (_what, text) => {
    writeFileSync(file, text);
    const log = recordingLog();
    const store = new SettingsStore(file, defaults, log);
    expect(store.settings).toEqual(defaultUserSettings);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(file);
  });

  it('fills fields missing from an older file with defaults and ignores unknown ones', () => {
    writeFileSync(file, JSON.stringify({ hideMessageText: true, someFutureSetting: 1 }));
    const store = new SettingsStore(file, defaults, recordingLog());
    expect(store.settings).toMatchObject({ hideMessageText: true, closeToTray: true, notificationsMuted: false });
    expect(store.settings).not.toHaveProperty('someFutureSetting');
  });

  it('writes every change, so a new store reads it back', () => {
    const store = new SettingsStore(file, defaults, recordingLog());
    store.update({ closeToTray: false, hideMessageText: true, autoDownloadUpdates: false });
    store.saveWindowState({ x: 5, y: 6, width: 700, height: 500, maximized: false });

    const reread = new SettingsStore(file, defaults, recordingLog());
    expect(reread.settings).toEqual({
      closeToTray: false,
      startAtLogin: false,
      notificationsMuted: false,
      hideMessageText: true,
      autoDownloadUpdates: false,
      relayUrls: [],
    });
    expect(reread.windowState).toEqual({ x: 5, y: 6, width: 700, height: 500, maximized: false });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect((JSON.parse(readFileSync(file, 'utf8')) as StoredSettings).closeToTray).toBe(false);
  });

  it('keeps the muted list of older versions aside, outside the settings, until it is cleared', () => {
    const many = Array.from({ length: MAX_MUTED_CONVERSATIONS }, (_, i) => `c_${i}`);
    writeFileSync(file, JSON.stringify({ closeToTray: false, mutedConversations: many }));
    const store = new SettingsStore(file, defaults, recordingLog());
    expect(store.settings).not.toHaveProperty('mutedConversations');
    expect(store.legacyMutedConversations).toEqual(many);
    store.clearLegacyMutedConversations();

    const reread = new SettingsStore(file, defaults, recordingLog());
    expect(reread.settings.closeToTray).toBe(false);
    expect(reread.legacyMutedConversations).toEqual([]);
  });

  it('tells listeners about setting changes, not about the window moving', () => {
    const store = new SettingsStore(file, defaults, recordingLog());
    const listener = vi.fn();
    const stop = store.onChange(listener);
    store.update({ notificationsMuted: true });
    store.saveWindowState({ x: 0, y: 0, width: 600, height: 500, maximized: false });
    stop();
    store.update({ notificationsMuted: false });
    expect(listener).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledWith(expect.objectContaining({ notificationsMuted: true }));
  });

  it('keeps the relay URLs of a sign-in, and refuses a list no sign-in could give', () => {
    const log = recordingLog();
    const store = new SettingsStore(file, defaults, log);
    const listener = vi.fn();
    store.onChange(listener);
    store.rememberRelayUrls(['https://a.example', 'https://b.example:8443/chat']);
    expect(listener).toHaveBeenCalledWith(expect.objectContaining({ relayUrls: ['https://a.example', 'https://b.example:8443/chat'] }));
    store.rememberRelayUrls(['https://a.example', 'https://a.example']);
    store.rememberRelayUrls(['ftp://a.example']);
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[0]).toContain('listed twice');

    const reread = new SettingsStore(file, defaults, recordingLog());
    expect(reread.settings.relayUrls).toEqual(['https://a.example', 'https://b.example:8443/chat']);
    expect(listener).toHaveBeenCalledOnce();
  });

  it('keeps working in memory, with an error logged, when the file cannot be written', () => {
    const log = recordingLog();
    const store = new SettingsStore(join(dir, 'missing-folder', 'settings.json'), defaults, log);
    expect(store.update({ hideMessageText: true }).hideMessageText).toBe(true);
    expect(log.errors).toHaveLength(1);
  });
});

describe('start at login', () => {
  it.each(['win32', 'darwin'] as const)('uses the login item API on %s', (platform) => {
    setStartAtLogin(true, { platform, app, launchCommand: ['/opt/Duplex/duplex.exe'], autostartDir: dir });
    setStartAtLogin(false, { platform, app, launchCommand: ['/electron', '/app'], autostartDir: dir });
    expect(double.calls.filter((call) => call.api === 'app.setLoginItemSettings').map((call) => call.args[0])).toEqual([
      { openAtLogin: true, path: '/opt/Duplex/duplex.exe', args: [] },
      { openAtLogin: false, path: '/electron', args: ['/app'] },
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes and removes an XDG autostart entry on Linux', () => {
    const autostartDir = join(dir, 'autostart');
    const target = { platform: 'linux' as const, app, launchCommand: ['/opt/Duplex/duplex'] as [string], autostartDir };
    setStartAtLogin(true, target);
    const entry = readFileSync(join(autostartDir, AUTOSTART_FILE_NAME), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/opt/Duplex/duplex"');
    setStartAtLogin(false, target);
    expect(existsSync(join(autostartDir, AUTOSTART_FILE_NAME))).toBe(false);
    setStartAtLogin(false, target);
    expect(double.calls.some((call) => call.api === 'app.setLoginItemSettings')).toBe(false);
  });

  it('quotes the command as the Desktop Entry Specification requires', () => {
    expect(autostartEntry(['/home/me/My Apps/duplex', '--x="a$b`c\\d"', '100%'])).toContain(
      'Exec="/home/me/My Apps/duplex" "--x=\\"a\\$b\\`c\\\\d\\"" "100%%"',
    );
  });
});
