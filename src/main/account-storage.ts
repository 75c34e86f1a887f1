// Keeps the signed-in account (user, session token, relay URLs) across
// restarts, encrypted with Electron's safeStorage (Keychain on macOS, DPAPI
// on Windows, libsecret or KWallet on Linux) in a file in userData. Where
// Linux offers only the `basic_text` backend the file is still written,
// obfuscated, and `storage` says `plain_text` so that the settings screen can
// warn; where no encryption is available at all the account stays in memory
// and the user signs in again after a restart.
import { readFileSync, rmSync } from 'node:fs';
import type { SafeStorage } from 'electron';
import { z } from 'zod';
import type { DesktopPlatform, TokenStorage } from '../shared/desktop-api.ts';
import type { AccountStorage, StoredAccount } from '../shared/engine/engine.ts';
import { userSchema } from '../shared/protocol/index.ts';
import type { Log } from './log.ts';
import { writeFileAtomically } from './write-file-atomically.ts';

type AccountSafeStorage = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

const storedAccountSchema = z.object({
  user: userSchema,
  token: z.string().min(1),
  relayUrls: z.array(z.string()).min(1),
}) satisfies z.ZodType<StoredAccount>;

export class EncryptedAccountStorage implements AccountStorage {
  readonly storage: TokenStorage;
  readonly #file: string;
  readonly #safeStorage: AccountSafeStorage;
  readonly #log: Log;
  /** The only copy when nothing may be written. */
  #inMemory: StoredAccount | null = null;

  /** Construct after the app is ready: safeStorage is unavailable before. */
  constructor(options: { file: string; safeStorage: AccountSafeStorage; platform: DesktopPlatform; log: Log }) {
    this.#file = options.file;
    this.#safeStorage = options.safeStorage;
    this.#log = options.log;
    this.storage = !options.safeStorage.isEncryptionAvailable()
      ? 'memory_only'
      : options.platform === 'linux' && options.safeStorage.getSelectedStorageBackend() === 'basic_text'
        ? 'plain_text'
        : 'encrypted';
    if (this.storage !== 'encrypted') {
      this.#log.warn(`account: the OS offers no encryption for the session token; keeping it ${this.storage}`);
    }
  }

  async load(): Promise<StoredAccount | null> {
    if (this.storage === 'memory_only') return this.#inMemory;
    let encrypted: Buffer;
    try {
      encrypted = readFileSync(this.#file);
    } catch {
      return null;
    }
    try {
      return storedAccountSchema.parse(JSON.parse(this.#safeStorage.decryptString(encrypted)));
    } catch (error) {
      // A keyring that was reset, or a damaged file: the user signs in again.
      this.#log.warn(`account: cannot read ${this.#file}, discarding it: ${String(error)}`);
      await this.clear();
      return null;
    }
  }

  async save(account: StoredAccount): Promise<void> {
    if (this.storage === 'memory_only') {
      this.#inMemory = account;
      return;
    }
    writeFileAtomically(this.#file, this.#safeStorage.encryptString(JSON.stringify(account)));
  }

  async clear(): Promise<void> {
    this.#inMemory = null;
    rmSync(this.#file, { force: true });
  }
}
