// The ClientStore contract: one suite that every implementation must pass
// (SQLite for the desktop app, IndexedDB for the web client). Each
// implementation's test file calls describeClientStoreContract with a way to
// open a store per user; opening the same user again must see the same data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_STATE, type Message, MUTED_FOREVER } from '../../src/shared/protocol/index.ts';
import type { ClientStore, SendJob, StoredConversation, UploadJob } from '../../src/shared/store/client-store.ts';

export interface StoreUnderTest {
  /** Opens the store of a user; a second open of the same user sees the same data. */
  open(userId: string): Promise<ClientStore>;
  /** The same, with the download cache capped at this many bytes. */
  openWithFileCache(userId: string, fileCacheBytes: number): Promise<ClientStore>;
}

export function conversation(id: string, overrides: Partial<StoredConversation> = {}): StoredConversation {
  return {
    id,
    kind: 'group',
    title: `Group ${id}`,
    members: [
      { id: 'me', username: 'me', displayName: 'Me' },
      { id: 'bob', username: 'bob', displayName: 'Bob' },
    ],
    createdAt: 1_000,
    lastSeq: 0,
    receipts: { me: { delivered: 0, read: 0 }, bob: { delivered: 0, read: 0 } },
    cursor: 0,
    readUpTo: 0,
    hasMoreHistory: false,
    draft: '',
    lastActivity: 1_000,
    chatState: DEFAULT_CHAT_STATE,
    pendingChatState: null,
    ...overrides,
  };
}

export function message(conv: string, seq: number, from = 'bob', overrides: Partial<Message> = {}): Message {
  return { conv, seq, cid: `cid-${conv}-${seq}-${from}`, from, body: `message ${seq}`, ts: 10_000 + seq, ...overrides };
}

export function outboxJob(cid: string, conv = 'c1', overrides: Partial<SendJob> = {}): SendJob {
  return { kind: 'send', cid, conv, body: `body of ${cid}`, createdAt: 5_000, state: 'queued', ...overrides };
}

export function uploadJob(cid: string, conv = 'c1', overrides: Partial<UploadJob> = {}): UploadJob {
  return {
    kind: 'upload',
    cid,
    conv,
    body: '',
    file: { name: `${cid}.jpg`, mime: 'image/jpeg', size: 3, width: 4, height: 3 },
    createdAt: 5_000,
    state: 'queued',
    ...overrides,
  };
}

export function describeClientStoreContract(name: string, makeSubject: () => StoreUnderTest): void {
  describe(`ClientStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    const opened: ClientStore[] = [];

    async function open(userId = 'me'): Promise<ClientStore> {
      const store = await subject.open(userId);
      opened.push(store);
      return store;
    }

    beforeEach(() => {
      subject = makeSubject();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('starts empty and knows its user', async () => {
      const store = await open('me');
      expect(store.userId).toBe('me');
      expect(await store.listConversations()).toEqual([]);
      expect(await store.listOutbox()).toEqual([]);
      expect(await store.getMessages('c1', { limit: 10 })).toEqual([]);
      expect(await store.oldestSeq('c1')).toBeNull();
      expect(await store.getOutboxJob('nope')).toBeUndefined();
    });

    it('keeps every field of a conversation and lists by last activity, newest first', async () => {
      const store = await open();
      const direct = conversation('d1', {
        kind: 'direct',
        title: null,
        lastSeq: 7,
        cursor: 5,
        readUpTo: 4,
        hasMoreHistory: true,
        draft: 'half a thought',
        receipts: { me: { delivered: 5, read: 4 }, bob: { delivered: 7, read: 6 } },
        lastActivity: 3_000,
      });
      await store.putConversation(conversation('old', { lastActivity: 1_000 }));
      await store.putConversation(direct);
      await store.putConversation(conversation('mid', { lastActivity: 2_000 }));
      const listed = await store.listConversations();
      expect(listed.map((c) => c.id)).toEqual(['d1', 'mid', 'old']);
      expect(listed[0]).toEqual(direct);

      await store.putConversation({ ...direct, lastActivity: 500, draft: '' });
      expect((await store.listConversations()).map((c) => [c.id, c.draft])).toEqual([
        ['mid', ''],
        ['old', ''],
        ['d1', ''],
      ]);
    });

    it('keeps the chat state and the change the relay has not confirmed, across a reopen', async () => {
      const store = await open();
      const pinned = conversation('p1', {
        chatState: { pinned: true, archived: false, mutedUntil: MUTED_FOREVER },
        pendingChatState: { pinned: true, mutedUntil: MUTED_FOREVER },
      });
      await store.putConversation(pinned);
      await store.putConversation(conversation('plain'));
      const again = await open();
      expect((await again.listConversations()).find((c) => c.id === 'p1')).toEqual(pinned);
      await again.putConversation({ ...pinned, chatState: { pinned: false, archived: true, mutedUntil: null }, pendingChatState: null });
      expect((await again.listConversations()).find((c) => c.id === 'p1')).toMatchObject({
        chatState: { pinned: false, archived: true, mutedUntil: null },
        pendingChatState: null,
      });
      expect((await again.listConversations()).find((c) => c.id === 'plain')?.chatState).toEqual(DEFAULT_CHAT_STATE);
    });

    it('pages messages of one conversation in ascending order', async () => {
      const store = await open();
      await store.putMessages([1, 2, 3, 4, 5, 6].map((seq) => message('c1', seq)));
      await store.putMessages([message('c2', 1), message('c2', 2)]);
      expect((await store.getMessages('c1', { limit: 3 })).map((m) => m.seq)).toEqual([4, 5, 6]);
      expect((await store.getMessages('c1', { beforeSeq: 4, limit: 2 })).map((m) => m.seq)).toEqual([2, 3]);
      expect((await store.getMessages('c1', { beforeSeq: 2, limit: 5 })).map((m) => m.seq)).toEqual([1]);
      expect(await store.getMessages('c1', { beforeSeq: 1, limit: 5 })).toEqual([]);
      expect(await store.oldestSeq('c1')).toBe(1);
      expect(await store.oldestSeq('c2')).toBe(1);
    });

    it('stores a message once however often it is put, with every field', async () => {
      const store = await open();
      const withReply = message('c1', 2, 'bob', { replyTo: 1, body: 'multi\nline ✓ 😀' });
      await store.putMessages([message('c1', 1), withReply]);
      await store.putMessages([withReply, message('c1', 1)]);
      expect(await store.getMessages('c1', { limit: 10 })).toEqual([message('c1', 1), withReply]);
    });

    it('settles outbox jobs with their stored messages in one write, and only those jobs', async () => {
      const store = await open('me');
      await store.addToOutbox(outboxJob('mine-1'));
      await store.addToOutbox(outboxJob('mine-2'));
      // Storing messages alone settles nothing, whatever their cids.
      await store.putMessages([message('c1', 1, 'me', { cid: 'mine-2' })]);
      expect((await store.listOutbox()).map((e) => e.cid)).toEqual(['mine-1', 'mine-2']);
      const stored = [message('c1', 2, 'me', { cid: 'mine-1' }), message('c1', 3, 'bob')];
      await store.settleOutboxJobs(['mine-1', 'no-such-job'], stored);
      expect((await store.listOutbox()).map((e) => e.cid)).toEqual(['mine-2']);
      expect(await store.getMessages('c1', { limit: 10 })).toEqual([message('c1', 1, 'me', { cid: 'mine-2' }), ...stored]);
    });

    it('finds one sender’s messages in a seq range', async () => {
      const store = await open();
      await store.putMessages([1, 2, 3, 4, 5, 6].map((seq) => message('c1', seq, seq % 2 ? 'me' : 'bob')));
      const mine = await store.getMessagesFrom('c1', 'me', { afterSeq: 1, throughSeq: 5 }, 10);
      expect(mine.map((m) => m.seq)).toEqual([3, 5]);
      const limited = await store.getMessagesFrom('c1', 'me', { afterSeq: 0, throughSeq: 6 }, 2);
      expect(limited.map((m) => m.seq)).toEqual([1, 3]);
    });

    it('counts the messages above a watermark that others sent', async () => {
      const store = await open();
      await store.putMessages([1, 2, 3, 4, 5].map((seq) => message('c1', seq, seq === 4 ? 'me' : 'bob')));
      await store.putMessages([message('c2', 1)]);
      expect(await store.countMessagesAfter('c1', 0, 'me')).toBe(4);
      expect(await store.countMessagesAfter('c1', 2, 'me')).toBe(2);
      expect(await store.countMessagesAfter('c1', 5, 'me')).toBe(0);
      expect(await store.countMessagesAfter('empty', 0, 'me')).toBe(0);
    });

    it('keeps the outbox in the order written, updates in place and removes', async () => {
      const store = await open();
      const first = outboxJob('a-cid-0001', 'c1', { replyTo: 3 });
      await store.addToOutbox(first);
      await store.addToOutbox(outboxJob('b-cid-0002', 'c2'));
      await store.addToOutbox(outboxJob('c-cid-0003', 'c1'));
      const failed: SendJob = { ...first, state: 'failed', error: 'body too long' };
      await store.updateOutboxJob(failed);
      await store.updateOutboxJob(outboxJob('missing-cid', 'c1'));

      expect(await store.listOutbox()).toEqual([failed, outboxJob('b-cid-0002', 'c2'), outboxJob('c-cid-0003', 'c1')]);
      expect((await store.listOutbox('c1')).map((e) => e.cid)).toEqual(['a-cid-0001', 'c-cid-0003']);
      expect(await store.getOutboxJob('a-cid-0001')).toEqual(failed);

      const { error: _error, ...retried } = failed;
      await store.updateOutboxJob({ ...retried, state: 'queued' });
      await store.removeFromOutbox('c-cid-0003');
      await store.removeFromOutbox('missing-cid');
      expect((await store.listOutbox()).map((e) => [e.cid, e.state])).toEqual([
        ['a-cid-0001', 'queued'],
        ['b-cid-0002', 'queued'],
      ]);
    });

    it('reads a conversation’s newest message job and the changes to one message without the rest', async () => {
      const store = await open();
      expect(await store.newestOutboxMessage('c1')).toBeUndefined();
      await store.addToOutbox(outboxJob('a-cid-0001', 'c1'));
      await store.addToOutbox(uploadJob('b-cid-0002', 'c1'));
      await store.addToOutbox({ kind: 'react', cid: 'c-cid-0003', conv: 'c1', targetCid: 'a-cid-0001', body: '👍', createdAt: 5_001, state: 'queued' });
      await store.addToOutbox(outboxJob('d-cid-0004', 'c2'));
      await store.addToOutbox({ kind: 'edit', cid: 'e-cid-0005', conv: 'c1', targetCid: 'b-cid-0002', target: 7, body: 'caption', createdAt: 5_002, state: 'queued' });
      await store.addToOutbox({ kind: 'react', cid: 'f-cid-0006', conv: 'c1', targetCid: 'a-cid-0001', body: '', createdAt: 5_003, state: 'queued' });
      await store.addToOutbox({ kind: 'delete', cid: 'g-cid-0007', conv: 'c2', targetCid: 'a-cid-0001', createdAt: 5_004, state: 'queued' });

      // The newest message job, past the changes added after it, failed or not.
      expect(await store.newestOutboxMessage('c1')).toEqual(uploadJob('b-cid-0002', 'c1'));
      const failed = uploadJob('b-cid-0002', 'c1', { state: 'failed', error: 'too large' });
      await store.updateOutboxJob(failed);
      expect(await store.newestOutboxMessage('c1')).toEqual(failed);
      expect(await store.newestOutboxMessage('c2')).toEqual(outboxJob('d-cid-0004', 'c2'));
      expect(await store.newestOutboxMessage('c3')).toBeUndefined();

      // Changes by their target's conversation and cid, in the order added.
      expect((await store.listChangesTo('c1', 'a-cid-0001')).map((job) => job.cid)).toEqual(['c-cid-0003', 'f-cid-0006']);
      expect(await store.listChangesTo('c1', 'b-cid-0002')).toEqual([
        { kind: 'edit', cid: 'e-cid-0005', conv: 'c1', targetCid: 'b-cid-0002', target: 7, body: 'caption', createdAt: 5_002, state: 'queued' },
      ]);
      expect((await store.listChangesTo('c2', 'a-cid-0001')).map((job) => job.cid)).toEqual(['g-cid-0007']);
      expect(await store.listChangesTo('c1', 'd-cid-0004')).toEqual([]);

      await store.removeFromOutbox('b-cid-0002');
      await store.removeFromOutbox('c-cid-0003');
      expect(await store.newestOutboxMessage('c1')).toEqual(outboxJob('a-cid-0001', 'c1'));
      expect((await store.listChangesTo('c1', 'a-cid-0001')).map((job) => job.cid)).toEqual(['f-cid-0006']);
    });

    it('deletes a conversation with its messages and outbox entries, leaving the others', async () => {
      const store = await open();
      await store.putConversation(conversation('c1'));
      await store.putConversation(conversation('c2'));
      await store.putMessages([message('c1', 1), message('c2', 1)]);
      await store.addToOutbox(outboxJob('in-c1-0001', 'c1'));
      await store.addToOutbox(outboxJob('in-c2-0001', 'c2'));
      await store.deleteConversation('c1');
      expect((await store.listConversations()).map((c) => c.id)).toEqual(['c2']);
      expect(await store.getMessages('c1', { limit: 10 })).toEqual([]);
      expect(await store.getMessages('c2', { limit: 10 })).toHaveLength(1);
      expect((await store.listOutbox()).map((e) => e.cid)).toEqual(['in-c2-0001']);
    });

    it('keeps everything across close and reopen', async () => {
      const first = await open('me');
      await first.putConversation(conversation('c1', { cursor: 2, lastSeq: 2 }));
      await first.putMessages([message('c1', 1), message('c1', 2)]);
      await first.addToOutbox(outboxJob('pending-01'));
      await first.close();
      const again = await open('me');
      expect(await again.listConversations()).toEqual([conversation('c1', { cursor: 2, lastSeq: 2 })]);
      expect((await again.getMessages('c1', { limit: 10 })).map((m) => m.seq)).toEqual([1, 2]);
      expect(await again.listOutbox()).toEqual([outboxJob('pending-01')]);
      // Entries added after a reopen still come after the earlier ones.
      await again.addToOutbox(outboxJob('pending-02'));
      expect((await again.listOutbox()).map((e) => e.cid)).toEqual(['pending-01', 'pending-02']);
    });

    it('keeps an upload job with its bytes, frees them on request, and removes them with the job', async () => {
      const store = await open();
      const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]);
      await store.addToOutbox(outboxJob('a-cid-0001', 'c1'));
      await store.addUploadToOutbox(uploadJob('b-cid-0002', 'c1'), bytes);
      await store.addUploadToOutbox(uploadJob('c-cid-0003', 'c1'), new Uint8Array([7]));
      await store.addUploadToOutbox(uploadJob('d-cid-0004', 'c1'), new Uint8Array([8]));
      // In the order written, among the other jobs, with every field.
      expect((await store.listOutbox('c1')).map((job) => job.cid)).toEqual(['a-cid-0001', 'b-cid-0002', 'c-cid-0003', 'd-cid-0004']);
      expect(await store.getOutboxJob('b-cid-0002')).toEqual(uploadJob('b-cid-0002', 'c1'));
      expect(await store.getOutboxFile('b-cid-0002')).toEqual(bytes);

      // The upload URL and then the file id are kept in place.
      const resumed = uploadJob('b-cid-0002', 'c1', { uploadUrl: 'http://relay/api/files/x', fileId: 'A'.repeat(24) });
      await store.updateOutboxJob(resumed);
      expect(await store.listOutbox('c1')).toContainEqual(resumed);
      await store.dropOutboxFile('b-cid-0002');
      expect(await store.getOutboxFile('b-cid-0002')).toBeUndefined();
      expect(await store.getOutboxJob('b-cid-0002')).toEqual(resumed);

      // Removing or settling a job takes its bytes along.
      await store.removeFromOutbox('c-cid-0003');
      expect(await store.getOutboxFile('c-cid-0003')).toBeUndefined();
      await store.settleOutboxJobs(['d-cid-0004'], [message('c1', 1, 'me', { cid: 'd-cid-0004' })]);
      expect(await store.getOutboxFile('d-cid-0004')).toBeUndefined();
      expect(await store.getOutboxFile('missing')).toBeUndefined();
    });

    it('keeps upload bytes across close and reopen, and drops them with their conversation', async () => {
      const store = await open();
      await store.addUploadToOutbox(uploadJob('a-cid-0001', 'c1'), new Uint8Array([1, 2, 3]));
      await store.addUploadToOutbox(uploadJob('b-cid-0002', 'c2'), new Uint8Array([4]));
      await store.close();
      const reopened = await open();
      expect(await reopened.getOutboxFile('a-cid-0001')).toEqual(new Uint8Array([1, 2, 3]));
      await reopened.deleteConversation('c1');
      expect(await reopened.getOutboxFile('a-cid-0001')).toBeUndefined();
      expect(await reopened.getOutboxFile('b-cid-0002')).toEqual(new Uint8Array([4]));
    });

    it('stores a message’s file with it', async () => {
      const store = await open();
      const file = { id: 'B'.repeat(24), name: 'photo.jpg', mime: 'image/jpeg', size: 1234, width: 1600, height: 1200, thumb: 'data:image/jpeg;base64,AAAA' };
      await store.putMessages([message('c1', 1, 'bob', { file, body: '' })]);
      expect(await store.getMessages('c1', { limit: 10 })).toEqual([message('c1', 1, 'bob', { file, body: '' })]);
    });

    it('caches downloaded files up to its cap, evicting the least recently used', async () => {
      const store = await subject.openWithFileCache('me', 10);
      opened.push(store);
      const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
      await store.putCachedFile('a', bytes(4, 1));
      await store.putCachedFile('b', bytes(4, 2));
      expect(await store.getCachedFile('a')).toEqual(bytes(4, 1)); // a is now the most recently used
      await store.putCachedFile('c', bytes(4, 3)); // 12 > 10: b goes
      expect(await store.getCachedFile('b')).toBeUndefined();
      expect(await store.getCachedFile('a')).toEqual(bytes(4, 1));
      expect(await store.getCachedFile('c')).toEqual(bytes(4, 3));
      // Larger than the whole cap: not kept, nothing evicted for it.
      await store.putCachedFile('huge', bytes(11, 9));
      expect(await store.getCachedFile('huge')).toBeUndefined();
      expect(await store.getCachedFile('a')).toEqual(bytes(4, 1));
    });

    it('never shows one user’s data to another', async () => {
      const alice = await open('alice');
      await alice.putConversation(conversation('c1'));
      await alice.putMessages([message('c1', 1)]);
      await alice.addToOutbox(outboxJob('alice-cid-1'));
      const bob = await open('bob');
      expect(await bob.listConversations()).toEqual([]);
      expect(await bob.getMessages('c1', { limit: 10 })).toEqual([]);
      expect(await bob.listOutbox()).toEqual([]);
    });

    it('pages through a long conversation without skipping or repeating', async () => {
      const store = await open();
      const all = Array.from({ length: 2_000 }, (_, i) => message('long', i + 1));
      await store.putMessages(all);
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.getMessages('long', { beforeSeq: before, limit: 300 });
        if (page.length === 0) break;
        seen.unshift(...page.map((m) => m.seq));
        before = page[0]!.seq;
      }
      expect(seen).toEqual(all.map((m) => m.seq));
    });

    describe('changes to messages (fold-changes.ts)', () => {
      const change = (seq: number, kind: 'edit' | 'delete' | 'react', target: number, from: string, body = '') =>
        message('c1', seq, from, { kind, target, body, ts: 20_000 + seq });

      it('folds edits, reactions and deletes into their targets, never storing the changes', async () => {
        const store = await open();
        await store.putMessages([message('c1', 1, 'me'), message('c1', 2, 'bob', { replyTo: 1, forwarded: true })]);
        await store.putMessages([change(3, 'edit', 1, 'me', 'fixed')]);
        await store.putMessages([change(4, 'react', 1, 'bob', '👍'), change(5, 'react', 1, 'carol', '❤️')]);
        await store.putMessages([change(6, 'react', 1, 'bob', '😂'), change(7, 'react', 1, 'carol', '')]);
        expect(await store.getMessages('c1', { limit: 10 })).toEqual([
          { ...message('c1', 1, 'me'), body: 'fixed', editedAt: 20_003, reactions: { bob: '😂' } },
          message('c1', 2, 'bob', { replyTo: 1, forwarded: true }),
        ]);
        await store.putMessages([change(8, 'delete', 2, 'bob'), change(9, 'edit', 2, 'bob', 'too late')]);
        expect(await store.getMessage('c1', 2)).toEqual({ conv: 'c1', seq: 2, cid: 'cid-c1-2-bob', from: 'bob', body: '', ts: 10_002, deleted: true });
        expect(await store.oldestSeq('c1')).toBe(1);
        expect(await store.countMessagesAfter('c1', 0, 'me')).toBe(1);
        expect(await store.getMessage('c1', 3)).toBeUndefined();
      });

      it('drops a change to a message it does not hold, and keeps a state newer than a replayed change', async () => {
        const store = await open();
        await store.putMessages([change(5, 'edit', 1, 'me', 'lost')]);
        expect(await store.getMessage('c1', 1)).toBeUndefined();
        // The target arrives later in its current state, with a change seen
        // before in the same page: the state already holds it.
        const current = message('c1', 1, 'me', { body: 'second', editedAt: 20_009, reactions: { bob: '👍' } });
        await store.putMessages([current, change(4, 'edit', 1, 'me', 'first'), change(6, 'react', 1, 'bob', '')]);
        expect(await store.getMessage('c1', 1)).toEqual(current);
        // A change received again (a resent page) does nothing; a newer one folds in.
        await store.putMessages([change(6, 'react', 1, 'bob', '')]);
        expect(await store.getMessage('c1', 1)).toEqual(current);
        await store.putMessages([change(10, 'react', 1, 'bob', '')]);
        const { reactions: _gone, ...withoutReactions } = current;
        expect(await store.getMessage('c1', 1)).toEqual(withoutReactions);
      });

      it('folds a change settled as an outbox job, and gives changes waiting for a settled message its seq', async () => {
        const store = await open();
        await store.addToOutbox(outboxJob('send-1'));
        await store.addToOutbox({ kind: 'edit', cid: 'edit-1', conv: 'c1', targetCid: 'send-1', body: 'fixed', createdAt: 5_001, state: 'queued' });
        await store.addToOutbox({ kind: 'react', cid: 'react-9', conv: 'c1', targetCid: 'other', target: 9, body: '👍', createdAt: 5_002, state: 'queued' });
        await store.addToOutbox({ kind: 'react', cid: 'react-1', conv: 'c1', targetCid: 'send-1', body: '🙏', createdAt: 5_003, state: 'queued' });
        // Another conversation's change naming the same cid is not about this message.
        await store.addToOutbox({ kind: 'delete', cid: 'delete-x', conv: 'c2', targetCid: 'send-1', createdAt: 5_004, state: 'queued' });
        await store.settleOutboxJobs(['send-1'], [message('c1', 3, 'me', { cid: 'send-1', body: 'body of send-1' })]);
        expect(await store.listOutbox()).toEqual([
          { kind: 'edit', cid: 'edit-1', conv: 'c1', targetCid: 'send-1', target: 3, body: 'fixed', createdAt: 5_001, state: 'queued' },
          { kind: 'react', cid: 'react-9', conv: 'c1', targetCid: 'other', target: 9, body: '👍', createdAt: 5_002, state: 'queued' },
          { kind: 'react', cid: 'react-1', conv: 'c1', targetCid: 'send-1', target: 3, body: '🙏', createdAt: 5_003, state: 'queued' },
          { kind: 'delete', cid: 'delete-x', conv: 'c2', targetCid: 'send-1', createdAt: 5_004, state: 'queued' },
        ]);
        await store.settleOutboxJobs(['edit-1'], [message('c1', 4, 'me', { cid: 'edit-1', kind: 'edit', target: 3, body: 'fixed', ts: 30_000 })]);
        expect(await store.getMessage('c1', 3)).toEqual(message('c1', 3, 'me', { cid: 'send-1', body: 'fixed', editedAt: 30_000 }));
        expect((await store.listOutbox()).map((job) => job.cid)).toEqual(['react-9', 'react-1', 'delete-x']);
      });

      it('keeps folded state across close and reopen', async () => {
        let store = await open();
        await store.putMessages([message('c1', 1)]);
        await store.putMessages([change(2, 'react', 1, 'me', '🙏')]);
        await store.close();
        store = await open();
        expect(await store.getMessage('c1', 1)).toEqual(message('c1', 1, 'bob', { reactions: { me: '🙏' } }));
        await store.putMessages([change(2, 'react', 1, 'me', '')]);
        expect((await store.getMessage('c1', 1))?.reactions).toEqual({ me: '🙏' });
      });
    });

    describe('search', () => {
      const body = (seq: number, text: string, conv = 'c1') => message(conv, seq, 'bob', { body: text });

      it('finds messages of every conversation by word prefixes, ignoring case and accents, newest first', async () => {
        const store = await open();
        await store.putMessages([
          body(1, 'Lunch at the Café tomorrow?'),
          body(2, 'no, dinner'),
          body(3, 'CAFETERIA is closed'),
          message('c2', 1, 'bob', { body: 'the cafe near the station', ts: 10_002 }),
        ]);
        const seqs = async (query: string) => (await store.searchMessages(query, 10)).map((m) => `${m.conv}:${m.seq}`);
        expect(await seqs('cafe')).toEqual(['c1:3', 'c2:1', 'c1:1']);
        expect(await seqs('café tomorrow')).toEqual(['c1:1']);
        expect(await seqs('caf station')).toEqual(['c2:1']);
        expect(await seqs('dinner')).toEqual(['c1:2']);
        expect(await seqs('inner')).toEqual([]);
        expect(await seqs('cafe dinner')).toEqual([]);
        // Punctuation only: nothing to search for.
        expect(await seqs('?! "*" -')).toEqual([]);
        expect(await seqs('')).toEqual([]);
        // FTS or query syntax in the query is just text.
        expect(await seqs('cafe OR dinner')).toEqual([]);
        expect(await seqs('"cafe" NEAR(dinner)')).toEqual([]);
        expect(await store.searchMessages('message', 10)).toEqual([]);
      });

      it('returns whole messages (a file and its caption too), at most the limit, newest first', async () => {
        const store = await open();
        const file = { id: 'C'.repeat(24), name: 'notes.pdf', mime: 'application/pdf', size: 99 };
        const all = Array.from({ length: 30 }, (_, i) =>
          message('c1', i + 1, 'bob', { body: `word ${i + 1}`, replyTo: 1, ...(i % 2 === 0 ? { file } : {}) }),
        );
        await store.putMessages(all);
        const found = await store.searchMessages('word', 5);
        expect(found).toEqual(all.slice(-5).reverse());
      });

      it('follows every write: replaced bodies, settled jobs, deleted conversations, reopening', async () => {
        const store = await open();
        await store.putConversation(conversation('c1'));
        await store.putMessages([body(1, 'first draft'), body(2, 'keep me')]);
        await store.putMessages([body(1, 'final text')]);
        expect(await store.searchMessages('draft', 10)).toEqual([]);
        expect((await store.searchMessages('final', 10)).map((m) => m.seq)).toEqual([1]);
        await store.addToOutbox(outboxJob('mine', 'c2'));
        await store.settleOutboxJobs(['mine'], [message('c2', 1, 'me', { cid: 'mine', body: 'settled words' })]);
        expect((await store.searchMessages('settled', 10)).map((m) => m.cid)).toEqual(['mine']);
        await store.deleteConversation('c1');
        expect(await store.searchMessages('keep', 10)).toEqual([]);
        await store.close();
        const again = await open();
        expect((await again.searchMessages('settled', 10)).map((m) => m.cid)).toEqual(['mine']);
        expect(await again.searchMessages('final', 10)).toEqual([]);
        await again.putMessages([body(5, 'after reopening', 'c3')]);
        expect((await again.searchMessages('reopen', 10)).map((m) => m.conv)).toEqual(['c3']);
      });

      it('never finds another user’s messages', async () => {
        const alice = await open('alice');
        await alice.putMessages([body(1, 'secret plans')]);
        const bob = await open('bob');
        expect(await bob.searchMessages('secret', 10)).toEqual([]);
      });

      it('indexes the current state of a message: an edit changes what is found, a delete removes it', async () => {
        const change = (seq: number, kind: 'edit' | 'delete', target: number, text = '') =>
          message('c1', seq, 'bob', { kind, target, body: text, ts: 20_000 + seq });
        const found = async (query: string) => (await store.searchMessages(query, 10)).map((m) => `${m.seq}:${m.body}`);
        let store = await open();
        await store.putMessages([body(1, 'original wording'), body(2, 'other words')]);
        expect(await found('words')).toEqual(['2:other words']);
        await store.putMessages([change(3, 'edit', 1, 'revised words')]);
        // The change itself is not a message of its own to find.
        expect(await found('words')).toEqual(['2:other words', '1:revised words']);
        expect(await found('original')).toEqual([]);
        await store.putMessages([change(4, 'delete', 2), change(5, 'edit', 2, 'words again')]);
        expect(await found('words')).toEqual(['1:revised words']);
        expect(await found('other')).toEqual([]);
        // A change to a message the store does not hold indexes nothing.
        await store.putMessages([change(6, 'edit', 9, 'ghost words')]);
        expect(await found('ghost')).toEqual([]);
        // A change the user made, settled from the outbox, re-indexes too.
        await store.addToOutbox({ kind: 'edit', cid: 'edit-1', conv: 'c1', targetCid: 'cid-c1-1-bob', target: 1, body: 'third take', createdAt: 5_001, state: 'queued' });
        await store.settleOutboxJobs(['edit-1'], [message('c1', 7, 'me', { cid: 'edit-1', kind: 'edit', target: 1, body: 'third take', ts: 30_000 })]);
        expect(await found('revised')).toEqual([]);
        expect(await found('take')).toEqual(['1:third take']);
        await store.putMessages([change(8, 'delete', 1)]);
        await store.close();
        store = await open();
        expect(await found('take')).toEqual([]);
        expect(await found('words')).toEqual([]);
      });
    });
  });
}
