// The signed-in account (and so the session token) at rest: encrypted with
// safeStorage into a file in userData; written but flagged `plain_text` where
// Linux offers only the basic_text backend; kept in memory only where nothing
// can encrypt it.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so safeStorage is the double's (a reversible marker, not
// real encryption) and each test sets the backend it reports.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopPlatform } from '../../src/shared/desktop-api.ts';
import { EncryptedAccountStorage } from '../../src/main/account-storage.ts';
import type { StoredAccount } from '../../src/shared/engine/engine.ts';
import * as double from './electron-double/electron.ts';
import { recordingLog } from './helpers.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

let file: string;

const account: StoredAccount = {
  user: { id: 'u_alice', username: 'alice', displayName: 'Alice' },
  token: 'secret-token',
  relayUrls: ['https://relay.example'],
};

beforeEach(() => {
  double.resetElectronDouble();
  file = join(mkdtempSync(join(tmpdir(), 'duplex-token-')), 'session-token');
});

function store(platform: DesktopPlatform = 'linux', log = recordingLog()): EncryptedAccountStorage {
  return new EncryptedAccountStorage({ file, safeStorage, platform, log });
}

describe('the account storage', () => {
  it('encrypts the account into a file only the user can read', async () => {
    const accounts = store();
    expect(accounts.storage).toBe('encrypted');
    await accounts.save(account);
    const onDisk = readFileSync(file, 'utf8');
    // The double's "encryption" is a marker: what matters is that the file
    // holds safeStorage's output, not the JSON.
    expect(onDisk).toBe(`encrypted:${JSON.stringify(account)}`);
    expect(statSync(file).mode & 0o077).toBe(0);
    await expect(store().load()).resolves.toEqual(account);
  });

  it('loads nothing before anything was saved, and nothing after clear', async () => {
    const accounts = store();
    await expect(accounts.load()).resolves.toBeNull();
    await accounts.save(account);
    await accounts.clear();
    await expect(accounts.load()).resolves.toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it('flags the basic_text backend on Linux so that the settings screen can warn', async () => {
    double.environment.storageBackend = 'basic_text';
    const log = recordingLog();
    const accounts = store('linux', log);
    expect(accounts.storage).toBe('plain_text');
    expect(log.warnings).toHaveLength(1);
    await accounts.save(account);
    await expect(store('linux').load()).resolves.toEqual(account);
  });

  it.each(['win32', 'darwin'] as const)('does not ask for a Linux backend on %s', (platform) => {
    double.environment.storageBackend = 'basic_text';
    expect(store(platform).storage).toBe('encrypted');
  });

  it('keeps the account in memory only when encryption is unavailable', async () => {
    double.environment.encryptionAvailable = false;
    const accounts = store();
    expect(accounts.storage).toBe('memory_only');
    await accounts.save(account);
    await expect(accounts.load()).resolves.toEqual(account);
    expect(existsSync(file)).toBe(false);
    await accounts.clear();
    await expect(accounts.load()).resolves.toBeNull();
  });

  it.each([
    ['it cannot decrypt', 'garbage from another keyring'],
    ['is not JSON', 'encrypted:{"user":'],
    ['is not an account', `encrypted:${JSON.stringify({ user: account.user, token: '' })}`],
  ])('discards, with a warning, a file %s', async (_what, content) => {
    writeFileSync(file, content);
    const log = recordingLog();
    await expect(store('linux', log).load()).resolves.toBeNull();
    expect(existsSync(file)).toBe(false);
    expect(log.warnings.join()).toContain('cannot read');
  });
});
