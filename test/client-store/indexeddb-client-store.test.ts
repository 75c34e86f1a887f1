// The IndexedDB ClientStore against fake-indexeddb: the shared contract, plus
// the version check that only IndexedDB has in this form.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { indexedDbClientStoreOpener } from '../../src/web/store/indexeddb-client-store.ts';
import { describeClientStoreContract } from './contract.ts';

// A fresh factory per case: an empty "browser profile" each time.
describeClientStoreContract('IndexedDB', () => {
  globalThis.indexedDB = new IDBFactory();
  return { open: indexedDbClientStoreOpener() };
});

describe('IndexedDB ClientStore', () => {
  it('refuses a database written by a newer app', async () => {
    const newer = await openDB('duplex-client:from-the-future', 99);
    newer.close();
    await expect(indexedDbClientStoreOpener()('from-the-future')).rejects.toThrow(/newer version of Duplex/);
  });
});
