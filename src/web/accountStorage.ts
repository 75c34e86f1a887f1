// Where the web client keeps the signed-in account (user, token, relay URLs)
// between visits, so that a reload or a cold start offline opens the app
// signed in. localStorage: small, synchronous underneath and kept as long as
// the site's other data (the IndexedDB store). Only the app's own scripts can
// read it, which the page's Content-Security-Policy enforces; the desktop
// app, which can, encrypts the token with safeStorage instead.
import type { AccountStorage, StoredAccount } from '../shared/engine/engine.ts';

const STORAGE_KEY = 'duplex.account';

function isStoredAccount(value: unknown): value is StoredAccount {
  const account = value as Partial<StoredAccount> | null;
  return (
    typeof account?.token === 'string' &&
    typeof account.user?.id === 'string' &&
    Array.isArray(account.relayUrls) &&
    account.relayUrls.every((url) => typeof url === 'string')
  );
}

export function localStorageAccounts(): AccountStorage {
  return {
    async load() {
      const raw = localStorage.getItem(STORAGE_KEY);
      if (raw === null) return null;
      try {
        const account: unknown = JSON.parse(raw);
        if (isStoredAccount(account)) return account;
      } catch {
        // Unreadable: forgotten below, as if never saved.
      }
      localStorage.removeItem(STORAGE_KEY);
      return null;
    },
    async save(account) {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(account));
    },
    async clear() {
      localStorage.removeItem(STORAGE_KEY);
    },
  };
}
