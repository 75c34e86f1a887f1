// The IndexedDB ClientStore against fake-indexeddb: the shared contract, plus
// the version check that only IndexedDB has in this form.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { indexedDbClientStoreOpener } from '../../src/web/store/indexeddb-client-store.ts';
import type { StoredConversation } from '../../src/shared/store/client-store.ts';
import { conversation, describeClientStoreContract } from './contract.ts';

// A fresh factory per case: an empty "browser profile" each time.
describeClientStoreContract('IndexedDB', () => {
  globalThis.indexedDB = new IDBFactory();
  return {
    open: indexedDbClientStoreOpener(),
    openWithFileCache: (userId, fileCacheBytes) => indexedDbClientStoreOpener({ fileCacheBytes })(userId),
  };
});

/** The user's database as an older web client left it: versions 1 and 2
 * have the same object stores (2 only changed the outbox's records). */
function openOldDatabase(version: 1 | 2) {
  return openDB('duplex-client:me', version, {
    upgrade(db) {
      db.createObjectStore('conversations', { keyPath: 'id' }).createIndex('by_activity', 'lastActivity');
      db.createObjectStore('messages', { keyPath: ['conv', 'seq'] }).createIndex('by_sender', ['conv', 'from', 'seq']);
      const outbox = db.createObjectStore('outbox', { keyPath: 'position', autoIncrement: true });
      outbox.createIndex('by_cid', 'cid', { unique: true });
      outbox.createIndex('by_conv', ['conv', 'position']);
    },
  });
}

describe('IndexedDB ClientStore', () => {
  it('carries the queued messages of the first schema over as send jobs, in order', async () => {
    globalThis.indexedDB = new IDBFactory();
    // A database as the web client of version 1 left it, with its outbox.
    const old = await openOldDatabase(1);
    await old.add('outbox', { cid: 'cid-b', conv: 'c1', body: 'second', replyTo: 4, createdAt: 2_000, state: 'queued' });
    await old.add('outbox', { cid: 'cid-a', conv: 'c2', body: 'refused', createdAt: 1_000, state: 'failed', error: 'no' });
    old.close();

    const store = await indexedDbClientStoreOpener()('me');
    expect(await store.listOutbox()).toEqual([
      { kind: 'send', cid: 'cid-b', conv: 'c1', body: 'second', replyTo: 4, createdAt: 2_000, state: 'queued' },
      { kind: 'send', cid: 'cid-a', conv: 'c2', body: 'refused', createdAt: 1_000, state: 'failed', error: 'no' },
    ]);
    await store.close();
  });

  it('gives conversations stored before chat state the defaults, keeping everything else', async () => {
    globalThis.indexedDB = new IDBFactory();
    // A database as the web client of version 2 (typed outbox jobs) left it.
    const old = await openOldDatabase(2);
    const stored = { ...conversation('c1', { draft: 'kept', lastSeq: 3 }) } as Partial<StoredConversation>;
    delete stored.chatState;
    delete stored.pendingChatState;
    await old.put('conversations', stored);
    old.close();

    const store = await indexedDbClientStoreOpener()('me');
    expect(await store.listConversations()).toEqual([conversation('c1', { draft: 'kept', lastSeq: 3 })]);
    await store.close();
  });

  it('carries the messages of the second schema over, ready for changes to fold into', async () => {
    globalThis.indexedDB = new IDBFactory();
    // Versions 1 and 2 had the same stores; messages were kept as received.
    const old = await openOldDatabase(2);
    await old.put('messages', { conv: 'c1', seq: 1, cid: 'cid-one', from: 'bob', body: 'hello', ts: 100 });
    await old.put('messages', { conv: 'c1', seq: 2, cid: 'cid-two', from: 'me', body: 'reply', ts: 200, replyTo: 1 });
    old.close();

    const store = await indexedDbClientStoreOpener()('me');
    expect(await store.getMessages('c1', { limit: 10 })).toEqual([
      { conv: 'c1', seq: 1, cid: 'cid-one', from: 'bob', body: 'hello', ts: 100 },
      { conv: 'c1', seq: 2, cid: 'cid-two', from: 'me', body: 'reply', ts: 200, replyTo: 1 },
    ]);
    await store.putMessages([{ conv: 'c1', seq: 3, cid: 'cid-three', from: 'me', body: 'fixed', ts: 300, kind: 'edit', target: 2 }]);
    expect(await store.getMessage('c1', 2)).toEqual({ conv: 'c1', seq: 2, cid: 'cid-two', from: 'me', body: 'fixed', ts: 200, replyTo: 1, editedAt: 300 });
    await store.close();
  });

  it('indexes the messages stored before search existed, and keeps the index in the database', async () => {
    globalThis.indexedDB = new IDBFactory();
    // The schema before search (version 2: its outbox change moved records
    // only), with messages in it.
    const old = await openOldDatabase(2);
    for (let seq = 1; seq <= 300; seq++) {
      await old.put('messages', { conv: 'c1', seq, cid: `cid-${seq}`, from: 'bob', body: seq % 100 === 0 ? `milestone ${seq}` : `chatter ${seq}`, ts: seq });
    }
    old.close();

    const store = await indexedDbClientStoreOpener()('me');
    expect((await store.searchMessages('milestone', 10)).map((m) => m.seq)).toEqual([300, 200, 100]);
    await store.putMessages([{ conv: 'c1', seq: 301, cid: 'cid-301', from: 'bob', body: 'milestone late', ts: 301 }]);
    await store.close();

    // The first open saved the index it built; the later write waits in the log.
    const raw = await openDB('duplex-client:me');
    const snapshot = (await raw.get('search_snapshot', 'index')) as { index: string; through: number };
    expect(JSON.parse(snapshot.index)).toMatchObject({ documentCount: 300 });
    expect(await raw.count('search_log')).toBe(1);
    raw.close();

    const again = await indexedDbClientStoreOpener()('me');
    expect((await again.searchMessages('milestone', 10)).map((m) => m.seq)).toEqual([301, 300, 200, 100]);
    await again.close();
  });

  it('finds the change jobs written before their index existed', async () => {
    globalThis.indexedDB = new IDBFactory();
    const old = await openOldDatabase(2);
    await old.add('outbox', { kind: 'send', cid: 'send-1', conv: 'c1', body: 'hi', createdAt: 1_000, state: 'queued' });
    await old.add('outbox', { kind: 'edit', cid: 'edit-1', conv: 'c1', targetCid: 'send-1', body: 'hello', createdAt: 1_001, state: 'queued' });
    old.close();

    const store = await indexedDbClientStoreOpener()('me');
    expect((await store.listChangesTo('c1', 'send-1')).map((job) => job.cid)).toEqual(['edit-1']);
    await store.settleOutboxJobs(['send-1'], [{ conv: 'c1', seq: 4, cid: 'send-1', from: 'me', body: 'hi', ts: 2_000 }]);
    expect(await store.listOutbox()).toEqual([
      { kind: 'edit', cid: 'edit-1', conv: 'c1', targetCid: 'send-1', target: 4, body: 'hello', createdAt: 1_001, state: 'queued' },
    ]);
    await store.close();
  });

  it('refuses a database written by a newer app', async () => {
    const newer = await openDB('duplex-client:from-the-future', 99);
    newer.close();
    await expect(indexedDbClientStoreOpener()('from-the-future')).rejects.toThrow(/newer version of Duplex/);
  });
});
