// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { localStorageAccounts } from '../../src/web/accountStorage.ts';
import { alice } from './fake-api.ts';

afterEach(() => localStorage.clear());

describe('web client account storage', () => {
  const account = { user: alice, token: 'secret-token', relayUrls: ['https://relay.test'] };

  it('keeps the signed-in account across page loads until cleared', async () => {
    await localStorageAccounts().save(account);
    // A new page load reads what the last one saved.
    expect(await localStorageAccounts().load()).toEqual(account);
    await localStorageAccounts().clear();
    expect(await localStorageAccounts().load()).toBeNull();
  });

  it('forgets what it cannot read rather than failing to start', async () => {
    localStorage.setItem('duplex.account', '{not json');
    expect(await localStorageAccounts().load()).toBeNull();
    localStorage.setItem('duplex.account', JSON.stringify({ token: 1 }));
    expect(await localStorageAccounts().load()).toBeNull();
    expect(localStorage.getItem('duplex.account')).toBeNull();
  });
});
