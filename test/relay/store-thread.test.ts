// The relay's store on a worker thread (relay/store/store-thread.ts): every
// method forwarded by name through the generic proxy, results cloned (Maps and
// Sets too), the relay's judge crossing by name, and what the thread adds:
// errors cross with their name and message, a second relay's store on the
// same file is refused at open, a call after close is refused, and a method
// the store does not have, or a function it cannot find by name, is an error,
// not a hang. (The contract suite itself runs against the store directly,
// store-sqlite.test.ts: its judges are closures over test state, which cannot
// cross a thread; every relay test runs through this thread.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { judgeSend } from '../../relay/handlers/send.ts';
import { STORE_FUNCTIONS } from '../../relay/store-functions.ts';
import { openStoreThread } from '../../relay/store/store-thread.ts';
import type { RelayStore } from '../../relay/store/types.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'duplex-store-thread-test-'));
}

describe('the store thread', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function opened(): Promise<{ store: RelayStore; file: string }> {
    const dir = await tempDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'relay.db');
    const store = await openStoreThread(file, STORE_FUNCTIONS);
    cleanups.push(() => store.close());
    return { store, file };
  }

  test('forwards any method by name: results cross as they are, the judge by its name', async () => {
    const { store } = await opened();
    const alice = (await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1))!;
    const bob = (await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'h' }, 1))!;
    const { conversation } = await store.openDirect(alice.id, bob.id, 1);
    const conv = conversation.id;
    const outcomes = await store.appendMessages(
      [
        { sender: alice.id, conv, cid: 'cid-0001', body: 'hello' },
        { sender: alice.id, conv, cid: 'cid-0002', body: '   ' },
        { sender: alice.id, conv, cid: 'cid-0003', body: 'too many', overLimit: true },
        { sender: alice.id, conv, cid: 'cid-0001', body: 'hello' },
      ],
      judgeSend,
      2,
    );
    expect(outcomes.map((outcome) => (outcome.kind === 'refused' ? outcome.refusal.code : outcome.kind))).toEqual([
      'stored',
      'invalid',
      'rate_limited',
      'duplicate',
    ]);
    expect((await store.messagesAfter(conv, 0, 10)).map((message) => message.body)).toEqual(['hello']);
    await store.setLastSeen([alice.id], 5);
    expect(await store.lastSeen([alice.id, bob.id])).toEqual(new Map([[alice.id, 5]]));
    await store.addToken('token-hash', alice.id, 1);
    expect(await store.existingTokens(['token-hash', 'gone'])).toEqual(new Set(['token-hash']));
  });

  test('a function that is not an export of the functions module is refused at the call', async () => {
    const { store } = await opened();
    await expect(store.appendMessages([], () => null, 1)).rejects.toThrow(/must be exported by/);
  });

  test('a second relay store on the same file is refused with the store’s own error', async () => {
    const { file } = await opened();
    await expect(openStoreThread(file, STORE_FUNCTIONS)).rejects.toMatchObject({ name: 'SqliteStoreError', message: expect.stringMatching(/locked/) });
  });

  test('an error thrown by the store reaches the caller with its name and message; the thread goes on', async () => {
    const { store } = await opened();
    const alice = await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1);
    // Not a conversation: the store throws, the thread serves the next call.
    await expect(store.setTitle('no-such-conversation', 'x')).rejects.toMatchObject({ name: 'SqliteStoreError' });
    expect(await store.usersByIds([alice!.id])).toEqual([alice]);
  });

  test('a method the store does not have is refused', async () => {
    const { store } = await opened();
    const unknown = (store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>).noSuchMethod!;
    await expect(unknown()).rejects.toThrow(/no method noSuchMethod/);
  });

  test('calls after close are refused; closing twice is harmless', async () => {
    const dir = await tempDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = await openStoreThread(path.join(dir, 'relay.db'), STORE_FUNCTIONS);
    await store.close();
    await store.close();
    await expect(store.usersByIds([])).rejects.toThrow(/closed/);
  });
});
