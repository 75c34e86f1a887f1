// The RelayStore contract: what every store implementation (SQLite now,
// PostgreSQL later) must do, as a suite to run against a factory. Each test
// gets a fresh, empty store from the factory.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { MessageDraft, RelayStore, SendJudge } from '../../relay/store/types.ts';
import {
  DEFAULT_CHAT_STATE,
  EDIT_WINDOW_MS,
  MAX_REACTIONS_PER_MESSAGE,
  type MessageChangeKind,
  MUTED_FOREVER,
  type User,
} from '../../src/shared/protocol/index.ts';

export interface StoreUnderTest {
  store: RelayStore;
  /** Closes the store (if still open) and removes what it created. */
  dispose(): Promise<void>;
}

const acceptAll: SendJudge = () => null;
const T0 = 1_700_000_000_000;

export function runRelayStoreContract(name: string, createStore: () => Promise<StoreUnderTest>): void {
  describe(`RelayStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: RelayStore;

    beforeEach(async () => {
      subject = await createStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    async function user(username: string, displayName = username): Promise<User> {
      const created = await store.createUser({ username, displayName, passwordHash: `hash-of-${username}` }, T0);
      if (!created) throw new Error(`${username} taken`);
      return created;
    }

    function draft(sender: User, conv: string, cid: string, body = `body ${cid}`, replyTo?: number): MessageDraft {
      return { sender: sender.id, conv, cid, body, replyTo };
    }

    function change(sender: User, conv: string, cid: string, kind: MessageChangeKind, target: number | undefined, body = ''): MessageDraft {
      return { sender: sender.id, conv, cid, body, kind, target };
    }

    describe('accounts', () => {
      test('creates users with unique usernames', async () => {
        const alice = await user('alice', 'Alice');
        expect(alice).toEqual({ id: expect.any(String), username: 'alice', displayName: 'Alice' });
        expect(await store.createUser({ username: 'alice', displayName: 'Other', passwordHash: 'x' }, T0)).toBeNull();
        expect(await store.userByUsername('alice')).toEqual({ ...alice, passwordHash: 'hash-of-alice', disabled: false });
        expect(await store.userByUsername('nobody')).toBeUndefined();
      });

      test('finds users by ids, ignoring unknown ones', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const found = await store.usersByIds([bob.id, 'unknown', alice.id]);
        expect(found).toHaveLength(2);
        expect(found).toEqual(expect.arrayContaining([alice, bob]));
        expect(await store.usersByIds([])).toEqual([]);
      });

      test('searches by username or display name prefix, ignoring case, without the asker', async () => {
        const asker = await user('asker', 'Zed');
        const zoe = await user('zoe', 'Zoë Ärger');
        const zack = await user('zack', 'Zack');
        await user('anna', 'Anna Zimmer');
        expect(await store.searchUsers('z', asker.id, 20)).toEqual([zack, zoe]);
        expect(await store.searchUsers('ZOË', asker.id, 20)).toEqual([zoe]);
        expect(await store.searchUsers('zimmer', asker.id, 20)).toEqual([]);
        expect(await store.searchUsers('z', asker.id, 1)).toEqual([zack]);
      });

      test('treats LIKE wildcards in a search literally', async () => {
        const asker = await user('asker');
        const underscore = await user('a_b', 'under');
        await user('axb', 'ex');
        await user('percent', '100% sure');
        expect(await store.searchUsers('a_', asker.id, 20)).toEqual([underscore]);
        expect(await store.searchUsers('%', asker.id, 20)).toEqual([]);
        expect((await store.searchUsers('100%', asker.id, 20)).map((found) => found.username)).toEqual(['percent']);
        expect(await store.searchUsers('\\', asker.id, 20)).toEqual([]);
      });

      test('changes a profile: only the fields given, "" clears the about line, search follows the new name', async () => {
        const alice = await user('alice', 'Alice');
        const asker = await user('asker');
        const profile = async (changes: Parameters<RelayStore['updateProfile']>[1]) => (await store.updateProfile(alice.id, changes))?.user;
        expect(await profile({ displayName: 'Zoë', about: 'Hiking' })).toEqual({ ...alice, displayName: 'Zoë', about: 'Hiking' });
        expect(await profile({ displayName: 'Zoë B.' })).toEqual({ ...alice, displayName: 'Zoë B.', about: 'Hiking' });
        expect(await profile({ about: '' })).toEqual({ ...alice, displayName: 'Zoë B.' });
        expect(await profile({})).toEqual({ ...alice, displayName: 'Zoë B.' });
        expect(await store.updateProfile('unknown', { about: 'x' })).toBeUndefined();
        await store.updateProfile(alice.id, { about: 'Back' });
        const changed = { ...alice, displayName: 'Zoë B.', about: 'Back' };
        expect(await store.searchUsers('ZOË', asker.id, 20)).toEqual([changed]);
        expect(await store.usersByIds([alice.id])).toEqual([changed]);
        const { conversation } = await store.openDirect(asker.id, alice.id, T0);
        expect(conversation.members).toEqual([asker, changed]);
      });

      test('stores, resolves and revokes token hashes', async () => {
        const alice = await user('alice');
        await store.addToken('token-hash', alice.id, T0);
        expect(await store.tokenOwner('token-hash')).toEqual({ user: alice, lastUsedAt: T0, address: '' });
        expect(await store.tokenOwner('other')).toBeUndefined();
        expect(await store.revokeToken('token-hash')).toBe(alice.id);
        expect(await store.tokenOwner('token-hash')).toBeUndefined();
        expect(await store.revokeToken('token-hash')).toBeUndefined();
      });

      test('keeps the device a token was made for, and the address it was last used from', async () => {
        const alice = await user('alice');
        await store.addToken('laptop', alice.id, T0, { name: 'Duplex on Linux', address: '192.0.2.1' });
        expect(await store.tokenOwner('laptop')).toEqual({ user: alice, lastUsedAt: T0, address: '192.0.2.1' });
        await store.setTokenAddress('laptop', '2001:db8::7');
        await store.setTokenAddress('unknown', '2001:db8::7');
        expect((await store.tokenOwner('laptop'))?.address).toBe('2001:db8::7');
        expect(await store.listTokens(alice.id)).toEqual([
          { tokenHash: 'laptop', user: alice, createdAt: T0, lastUsedAt: T0, name: 'Duplex on Linux', address: '2001:db8::7' },
        ]);
      });

      test('marks tokens used, only those last used before the given time', async () => {
        const alice = await user('alice');
        await store.addToken('old', alice.id, T0);
        await store.addToken('recent', alice.id, T0 + 50);
        await store.touchTokens(['old', 'recent', 'unknown'], T0 + 100, T0 + 10);
        expect((await store.tokenOwner('old'))?.lastUsedAt).toBe(T0 + 100);
        expect((await store.tokenOwner('recent'))?.lastUsedAt).toBe(T0 + 50);
        await store.touchTokens([], T0 + 200, T0 + 200);
      });

      test('tells which token hashes still exist', async () => {
        const alice = await user('alice');
        await store.addToken('kept', alice.id, T0);
        await store.addToken('revoked', alice.id, T0);
        await store.revokeToken('revoked');
        expect(await store.existingTokens(['kept', 'revoked', 'unknown'])).toEqual(new Set(['kept']));
        expect(await store.existingTokens([])).toEqual(new Set());
      });
    });

    describe('operator', () => {
      test('lists tokens oldest first, of everyone or of one user', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        await store.addToken('b-1', bob.id, T0 + 2);
        await store.addToken('a-1', alice.id, T0 + 1);
        await store.addToken('a-2', alice.id, T0 + 3);
        const unnamed = { name: '', address: '' };
        expect(await store.listTokens()).toEqual([
          { tokenHash: 'a-1', user: alice, createdAt: T0 + 1, lastUsedAt: T0 + 1, ...unnamed },
          { tokenHash: 'b-1', user: bob, createdAt: T0 + 2, lastUsedAt: T0 + 2, ...unnamed },
          { tokenHash: 'a-2', user: alice, createdAt: T0 + 3, lastUsedAt: T0 + 3, ...unnamed },
        ]);
        expect((await store.listTokens(alice.id)).map((token) => token.tokenHash)).toEqual(['a-1', 'a-2']);
        expect(await store.listTokens('unknown')).toEqual([]);
      });

      test('revokes the tokens of one user, or all', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        for (const hash of ['a-1', 'a-2']) await store.addToken(hash, alice.id, T0);
        await store.addToken('b-1', bob.id, T0);
        expect(await store.revokeUserTokens(alice.id)).toBe(2);
        expect(await store.revokeUserTokens(alice.id)).toBe(0);
        expect(await store.existingTokens(['a-1', 'a-2', 'b-1'])).toEqual(new Set(['b-1']));
        expect(await store.revokeAllTokens()).toBe(1);
        expect(await store.listTokens()).toEqual([]);
      });

      test('replacing a password revokes every token of that user only', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        await store.addToken('a-1', alice.id, T0);
        await store.addToken('b-1', bob.id, T0);
        expect(await store.replacePassword(alice.id, 'new-hash', 'all')).toEqual(['a-1']);
        expect((await store.userByUsername('alice'))?.passwordHash).toBe('new-hash');
        expect((await store.userByUsername('bob'))?.passwordHash).toBe('hash-of-bob');
        expect(await store.existingTokens(['a-1', 'b-1'])).toEqual(new Set(['b-1']));
      });

      test('a password changed by its user keeps every sign-in, or only the one that changed it', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        for (const hash of ['a-1', 'a-2', 'a-3']) await store.addToken(hash, alice.id, T0);
        await store.addToken('b-1', bob.id, T0);
        expect(await store.replacePassword(alice.id, 'second', 'none')).toEqual([]);
        expect((await store.userByUsername('alice'))?.passwordHash).toBe('second');
        expect((await store.replacePassword(alice.id, 'third', { allBut: 'a-2' })).sort()).toEqual(['a-1', 'a-3']);
        expect((await store.userByUsername('alice'))?.passwordHash).toBe('third');
        expect(await store.existingTokens(['a-1', 'a-2', 'a-3', 'b-1'])).toEqual(new Set(['a-2', 'b-1']));
      });

      test('lists users by username; disabling one ends their sign-ins, enabling keeps none', async () => {
        const bob = await user('bob', 'Bob');
        const alice = await user('alice', 'Alice');
        await store.addToken('a-1', alice.id, T0);
        await store.addToken('b-1', bob.id, T0);
        await store.setLastSeen([bob.id], T0 + 5);
        expect(await store.listUsers()).toEqual([
          { user: alice, createdAt: T0, disabledAt: null, lastSeen: null, signIns: 1, deletedAt: null },
          { user: bob, createdAt: T0, disabledAt: null, lastSeen: T0 + 5, signIns: 1, deletedAt: null },
        ]);
        expect(await store.setUserDisabled(alice.id, T0 + 9)).toEqual({ found: true, revoked: 1 });
        expect((await store.userByUsername('alice'))?.disabled).toBe(true);
        expect(await store.existingTokens(['a-1', 'b-1'])).toEqual(new Set(['b-1']));
        expect((await store.listUsers())[0]).toMatchObject({ disabledAt: T0 + 9, signIns: 0 });
        expect(await store.setUserDisabled(alice.id, null)).toEqual({ found: true, revoked: 0 });
        expect((await store.userByUsername('alice'))?.disabled).toBe(false);
        expect(await store.setUserDisabled('unknown', T0)).toEqual({ found: false, revoked: 0 });
      });

      test('stores the registration mode, last write wins', async () => {
        expect(await store.registrationSetting()).toBeUndefined();
        await store.setRegistration('closed', T0);
        expect(await store.registrationSetting()).toEqual({ mode: 'closed', setAt: T0 });
        await store.setRegistration('open', T0 + 1);
        expect(await store.registrationSetting()).toEqual({ mode: 'open', setAt: T0 + 1 });
      });
    });

    describe('presence data', () => {
      test('records lastSeen', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        expect(await store.lastSeen([alice.id, bob.id])).toEqual(new Map());
        await store.setLastSeen([alice.id, bob.id], T0 + 5);
        await store.setLastSeen([bob.id], T0 + 9);
        expect(await store.lastSeen([alice.id, bob.id, 'unknown'])).toEqual(
          new Map([
            [alice.id, T0 + 5],
            [bob.id, T0 + 9],
          ]),
        );
      });

      test('lists contacts: users sharing a conversation, optionally except one', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        await user('dave');
        const direct = await store.openDirect(alice.id, bob.id, T0);
        const group = await store.createGroup(alice.id, 'g', [bob.id, carol.id], T0);
        expect((await store.contactsOf(alice.id)).sort()).toEqual([bob.id, carol.id].sort());
        expect(await store.contactsOf(alice.id, group.id)).toEqual([bob.id]);
        expect(await store.contactsOf(carol.id, group.id)).toEqual([]);
        expect((await store.contactsOf(bob.id, direct.conversation.id)).sort()).toEqual([alice.id, carol.id].sort());
        expect(await store.contactsOf(bob.id, group.id)).toEqual([alice.id]);
      });
    });

    describe('conversations', () => {
      test('a direct conversation is unique per pair, in either order', async () => {
        const alice = await user('alice', 'Alice');
        const bob = await user('bob', 'Bob');
        const first = await store.openDirect(alice.id, bob.id, T0);
        expect(first.created).toBe(true);
        expect(first.conversation).toEqual({
          id: expect.any(String),
          kind: 'direct',
          title: null,
          members: [alice, bob],
          lastSeq: 0,
          receipts: { [alice.id]: { delivered: 0, read: 0 }, [bob.id]: { delivered: 0, read: 0 } },
          createdAt: T0,
        });
        const again = await store.openDirect(bob.id, alice.id, T0 + 1);
        expect(again).toEqual({ conversation: first.conversation, created: false });
      });

      test('creates groups with the creator first, without duplicates', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const group = await store.createGroup(alice.id, 'Team', [bob.id, carol.id, bob.id], T0);
        expect(group.kind).toBe('group');
        expect(group.title).toBe('Team');
        expect(group.members).toEqual([alice, bob, carol]);
        expect(await store.conversation(group.id)).toEqual(group);
        expect(await store.memberIds(group.id)).toEqual([alice.id, bob.id, carol.id]);
        expect(await store.isMember(group.id, carol.id)).toBe(true);
        expect(await store.conversation('unknown')).toBeUndefined();
      });

      test('adds members, skipping existing ones; new watermarks start at lastSeq', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const group = await store.createGroup(alice.id, 'g', [bob.id], T0);
        await store.appendMessages([draft(alice, group.id, 'c1'), draft(alice, group.id, 'c2')], acceptAll, T0);
        const { conversation, added } = await store.addMembers(group.id, [bob.id, carol.id, carol.id], T0);
        expect(added).toEqual([carol.id]);
        expect(conversation.members).toEqual([alice, bob, carol]);
        expect(conversation.receipts[carol.id]).toEqual({ delivered: 2, read: 2 });
        expect(conversation.receipts[bob.id]).toEqual({ delivered: 0, read: 0 });
      });

      test('removes members and renames', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const group = await store.createGroup(alice.id, 'g', [bob.id], T0);
        const after = await store.removeMember(group.id, bob.id);
        expect(after.members).toEqual([alice]);
        expect(after.receipts).toEqual({ [alice.id]: { delivered: 0, read: 0 } });
        expect(await store.isMember(group.id, bob.id)).toBe(false);
        expect((await store.setTitle(group.id, 'New')).title).toBe('New');
      });

      test('lists the conversations of a user, oldest first, with members and receipts', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const direct = await store.openDirect(alice.id, bob.id, T0);
        const group = await store.createGroup(carol.id, 'g', [alice.id], T0 + 1);
        await store.createGroup(carol.id, 'without alice', [bob.id], T0 + 2);
        const list = await store.conversationsOf(alice.id);
        expect(list).toEqual([direct.conversation, group]);
        expect(await store.conversationsOf('unknown')).toEqual([]);
      });
    });

    describe('messages', () => {
      test('assigns seq 1, 2, 3… per conversation and returns the members', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const ab = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const ac = (await store.openDirect(alice.id, carol.id, T0)).conversation.id;
        const outcomes = await store.appendMessages(
          [draft(alice, ab, 'm1'), draft(alice, ac, 'm2'), draft(bob, ab, 'm3', 'reply', 1)],
          acceptAll,
          T0 + 7,
        );
        expect(outcomes).toEqual([
          {
            kind: 'stored',
            message: { conv: ab, seq: 1, cid: 'm1', from: alice.id, body: 'body m1', ts: T0 + 7 },
            members: [alice.id, bob.id],
          },
          {
            kind: 'stored',
            message: { conv: ac, seq: 1, cid: 'm2', from: alice.id, body: 'body m2', ts: T0 + 7 },
            members: [alice.id, carol.id],
          },
          {
            kind: 'stored',
            message: { conv: ab, seq: 2, cid: 'm3', from: bob.id, body: 'reply', ts: T0 + 7, replyTo: 1 },
            members: [alice.id, bob.id],
          },
        ]);
        expect((await store.conversation(ab))?.lastSeq).toBe(2);
      });

      test('keeps seq gap-free and unique under concurrent appends, deduplicating across them', async () => {
        // Several appends in flight at once, as several relay processes (or a
        // pooled PostgreSQL store) would issue them: every message gets its
        // own seq, 1..n with no gap, and a cid sent in two of them at once is
        // stored once.
        const alice = await user('alice');
        const bob = await user('bob');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const batches = Array.from({ length: 8 }, (_, b) =>
          Array.from({ length: 5 }, (_, i) => draft(b % 2 ? bob : alice, conv, `c-${b}-${i}`)),
        );
        batches.push([draft(alice, conv, 'c-0-0'), draft(bob, conv, 'c-1-4')]);
        const outcomes = (await Promise.all(batches.map((batch) => store.appendMessages(batch, acceptAll, T0)))).flat();
        const stored = outcomes.flatMap((outcome) => (outcome.kind === 'stored' ? [outcome.message] : []));
        expect(stored.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(outcomes.filter((outcome) => outcome.kind === 'duplicate')).toHaveLength(2);
        const page = await store.messagesAfter(conv, 0, 100);
        expect(page.map((m) => m.cid).sort()).toEqual(stored.map((m) => m.cid).sort());
        expect((await store.conversation(conv))?.lastSeq).toBe(40);
      });

      test('deduplicates on (sender, cid), within a batch and across batches', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const [first, repeat] = await store.appendMessages(
          [draft(alice, conv, 'same', 'one'), draft(alice, conv, 'same', 'two')],
          acceptAll,
          T0,
        );
        expect(first?.kind).toBe('stored');
        expect(repeat).toEqual({ kind: 'duplicate', message: first?.kind === 'stored' ? first.message : undefined });
        const [later] = await store.appendMessages([draft(alice, conv, 'same', 'three')], acceptAll, T0 + 1);
        expect(later).toEqual(repeat);
        // Another sender may use the same cid.
        const [other] = await store.appendMessages([draft(bob, conv, 'same')], acceptAll, T0);
        expect(other).toMatchObject({ kind: 'stored', message: { seq: 2 } });
      });

      test('deduplication comes before membership', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const group = await store.createGroup(alice.id, 'g', [bob.id], T0);
        await store.appendMessages([draft(bob, group.id, 'bob-1')], acceptAll, T0);
        await store.removeMember(group.id, bob.id);
        const [again] = await store.appendMessages([draft(bob, group.id, 'bob-1')], acceptAll, T0);
        expect(again?.kind).toBe('duplicate');
        const [fresh] = await store.appendMessages([draft(bob, group.id, 'bob-2')], acceptAll, T0);
        expect(fresh).toEqual({ kind: 'refused', refusal: { code: 'not_found', message: expect.any(String) } });
      });

      test('refuses non-members and unknown conversations without calling the judge', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const judged: string[] = [];
        const outcomes = await store.appendMessages(
          [draft(carol, conv, 'x1'), draft(alice, 'unknown', 'x2')],
          (d) => {
            judged.push(d.cid);
            return null;
          },
          T0,
        );
        expect(outcomes.map((outcome) => outcome.kind === 'refused' && outcome.refusal.code)).toEqual([
          'not_found',
          'not_found',
        ]);
        expect(judged).toEqual([]);
      });

      test('the judge sees lastSeq as of its place in the batch; refused drafts are not stored', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const seen: Array<[string, number]> = [];
        const judge: SendJudge = (d, conversation) => {
          seen.push([d.cid, conversation.lastSeq]);
          return d.body === 'bad' ? { code: 'invalid', message: 'bad body' } : null;
        };
        const outcomes = await store.appendMessages(
          [draft(alice, conv, 'a1'), draft(alice, conv, 'a2', 'bad'), draft(alice, conv, 'a3')],
          judge,
          T0,
        );
        expect(seen).toEqual([
          ['a1', 0],
          ['a2', 1],
          ['a3', 1],
        ]);
        expect(outcomes.map((outcome) => outcome.kind)).toEqual(['stored', 'refused', 'stored']);
        expect(outcomes[2]).toMatchObject({ message: { seq: 2 } });
        // A refused cid is judged afresh when sent again.
        const [retry] = await store.appendMessages([draft(alice, conv, 'a2', 'good now')], acceptAll, T0);
        expect(retry).toMatchObject({ kind: 'stored', message: { seq: 3, cid: 'a2' } });
      });

      test('a batch whose judge throws stores nothing', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        await expect(
          store.appendMessages(
            [draft(alice, conv, 'ok-1'), draft(alice, conv, 'boom')],
            (d) => {
              if (d.cid === 'boom') throw new Error('judge failed');
              return null;
            },
            T0,
          ),
        ).rejects.toThrow('judge failed');
        expect(await store.messagesAfter(conv, 0, 10)).toEqual([]);
        expect((await store.conversation(conv))?.lastSeq).toBe(0);
        const [stored] = await store.appendMessages([draft(alice, conv, 'ok-1')], acceptAll, T0);
        expect(stored).toMatchObject({ kind: 'stored', message: { seq: 1 } });
      });

      test('reads messages after a seq and pages before one', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        await store.appendMessages(
          Array.from({ length: 10 }, (_, i) => draft(alice, conv, `cid-${i + 1}`)),
          acceptAll,
          T0,
        );
        const seqs = (messages: { seq: number }[]) => messages.map((message) => message.seq);
        expect(seqs(await store.messagesAfter(conv, 7, 100))).toEqual([8, 9, 10]);
        expect(seqs(await store.messagesAfter(conv, 2, 3))).toEqual([3, 4, 5]);
        expect(await store.messagesAfter(conv, 10, 100)).toEqual([]);

        const newest = await store.messagesBefore(conv, undefined, 4);
        expect([seqs(newest.messages), newest.more]).toEqual([[7, 8, 9, 10], true]);
        const older = await store.messagesBefore(conv, 7, 4);
        expect([seqs(older.messages), older.more]).toEqual([[3, 4, 5, 6], true]);
        const oldest = await store.messagesBefore(conv, 3, 4);
        expect([seqs(oldest.messages), oldest.more]).toEqual([[1, 2], false]);
        const exact = await store.messagesBefore(conv, 5, 4);
        expect([seqs(exact.messages), exact.more]).toEqual([[1, 2, 3, 4], false]);
        expect(await store.messagesBefore(conv, 1, 4)).toEqual({ messages: [], more: false });
        const all = await store.messagesBefore(conv, undefined, 50);
        expect([all.messages.length, all.more]).toEqual([10, false]);
      });
    });

    describe('changes to messages', () => {
      async function directWithMessages(count: number): Promise<{ alice: User; bob: User; conv: string }> {
        const alice = await user('alice');
        const bob = await user('bob');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const drafts = Array.from({ length: count }, (_, i) => draft(i % 2 ? bob : alice, conv, `msg-${i + 1}`, `text ${i + 1}`));
        await store.appendMessages(drafts, acceptAll, T0);
        return { alice, bob, conv };
      }

      async function messageAt(conv: string, seq: number) {
        return (await store.messagesAfter(conv, seq - 1, 1))[0];
      }

      test('an edit is a log entry of its own; the target serves the latest body and editedAt everywhere', async () => {
        const { alice, bob, conv } = await directWithMessages(1);
        const outcomes = await store.appendMessages(
          [change(alice, conv, 'edit-1', 'edit', 1, 'first fix'), change(alice, conv, 'edit-2', 'edit', 1, 'second fix')],
          acceptAll,
          T0 + 10,
        );
        expect(outcomes).toEqual([
          {
            kind: 'stored',
            message: { conv, seq: 2, cid: 'edit-1', from: alice.id, body: 'first fix', ts: T0 + 10, kind: 'edit', target: 1 },
            members: [alice.id, bob.id],
          },
          {
            kind: 'stored',
            message: { conv, seq: 3, cid: 'edit-2', from: alice.id, body: 'second fix', ts: T0 + 10, kind: 'edit', target: 1 },
            members: [alice.id, bob.id],
          },
        ]);
        const current = { conv, seq: 1, cid: 'msg-1', from: alice.id, body: 'second fix', ts: T0, editedAt: T0 + 10 };
        expect(await store.messagesAfter(conv, 0, 10)).toEqual([current, outcomes[0]?.kind === 'stored' && outcomes[0].message, outcomes[1]?.kind === 'stored' && outcomes[1].message]);
        expect((await store.messagesBefore(conv, 2, 10)).messages).toEqual([current]);
        // A resent original answers with its current state.
        expect(await store.appendMessages([draft(alice, conv, 'msg-1', 'text 1')], acceptAll, T0 + 11)).toEqual([
          { kind: 'duplicate', message: current },
        ]);
        expect((await store.conversation(conv))?.lastSeq).toBe(3);
      });

      test('reactions: one per user, replaced by a new one, removed with ""; any member may react', async () => {
        const { alice, bob, conv } = await directWithMessages(1);
        await store.appendMessages(
          [change(alice, conv, 'react-1', 'react', 1, '👍'), change(bob, conv, 'react-2', 'react', 1, '❤️')],
          acceptAll,
          T0 + 1,
        );
        expect((await messageAt(conv, 1))?.reactions).toEqual({ [alice.id]: '👍', [bob.id]: '❤️' });
        await store.appendMessages([change(bob, conv, 'react-3', 'react', 1, '😂')], acceptAll, T0 + 2);
        expect((await messageAt(conv, 1))?.reactions).toEqual({ [alice.id]: '👍', [bob.id]: '😂' });
        await store.appendMessages(
          [change(bob, conv, 'react-4', 'react', 1, ''), change(alice, conv, 'react-5', 'react', 1, '')],
          acceptAll,
          T0 + 3,
        );
        const target = await messageAt(conv, 1);
        expect(target?.reactions).toBeUndefined();
        expect(target?.editedAt).toBeUndefined();
        // Every change was an entry: 1 message + 5 reactions.
        expect((await store.conversation(conv))?.lastSeq).toBe(6);
        expect(await messageAt(conv, 6)).toMatchObject({ kind: 'react', target: 1, body: '' });
      });

      test('a delete erases the target\'s body, file, reactions and its earlier edits\' bodies; the fact remains', async () => {
        const { alice, bob, conv } = await directWithMessages(2);
        await store.appendMessages(
          [
            change(alice, conv, 'edit-1', 'edit', 1, 'secret edit'),
            change(bob, conv, 'react-1', 'react', 1, '👍'),
            { ...draft(bob, conv, 'reply-1', 'quoting', 1) },
          ],
          acceptAll,
          T0 + 1,
        );
        const [outcome] = await store.appendMessages([change(alice, conv, 'delete-1', 'delete', 1, 'ignored text')], acceptAll, T0 + 2);
        expect(outcome).toEqual({
          kind: 'stored',
          message: { conv, seq: 6, cid: 'delete-1', from: alice.id, body: '', ts: T0 + 2, kind: 'delete', target: 1 },
          members: [alice.id, bob.id],
        });
        const log = await store.messagesAfter(conv, 0, 10);
        expect(log.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(log[0]).toEqual({ conv, seq: 1, cid: 'msg-1', from: alice.id, body: '', ts: T0, deleted: true });
        expect(log[2]).toEqual({ conv, seq: 3, cid: 'edit-1', from: alice.id, body: '', ts: T0 + 1, kind: 'edit', target: 1 });
        // Others' messages are theirs: the reaction entry and the reply stay as sent.
        expect(log[3]).toMatchObject({ kind: 'react', body: '👍' });
        expect(log[4]).toMatchObject({ body: 'quoting', replyTo: 1 });
        expect(log[1]).toMatchObject({ body: 'text 2' });
        expect(JSON.stringify(log)).not.toContain('secret edit');
        expect(JSON.stringify(log)).not.toContain('text 1');
      });

      test('a change in the same batch as its target, and a duplicate after it, see the current state', async () => {
        const { alice, conv } = await directWithMessages(0);
        const outcomes = await store.appendMessages(
          [
            draft(alice, conv, 'fresh-1', 'typo'),
            change(alice, conv, 'edit-1', 'edit', 1, 'fixed'),
            draft(alice, conv, 'fresh-1', 'typo'),
            change(alice, conv, 'delete-1', 'delete', 1),
            change(alice, conv, 'edit-1', 'edit', 1, 'fixed'),
          ],
          acceptAll,
          T0 + 1,
        );
        expect(outcomes.map((outcome) => outcome.kind)).toEqual(['stored', 'stored', 'duplicate', 'stored', 'duplicate']);
        expect(outcomes[2]).toMatchObject({ message: { seq: 1, body: 'fixed', editedAt: T0 + 1 } });
        expect(outcomes[4]).toMatchObject({ message: { seq: 2, body: '' } });
        expect(await messageAt(conv, 1)).toEqual({ conv, seq: 1, cid: 'fresh-1', from: alice.id, body: '', ts: T0 + 1, deleted: true });
      });

      test('refuses a target that is missing, not in the conversation, a change or deleted; stores nothing', async () => {
        const { alice, bob, conv } = await directWithMessages(1);
        const carol = await user('carol');
        const other = (await store.openDirect(alice.id, carol.id, T0)).conversation.id;
        await store.appendMessages([draft(alice, other, 'elsewhere-1'), draft(alice, other, 'elsewhere-2')], acceptAll, T0);
        await store.appendMessages([change(bob, conv, 'react-1', 'react', 1, '👍')], acceptAll, T0);
        await store.appendMessages([draft(alice, conv, 'gone-1'), change(alice, conv, 'delete-1', 'delete', 3)], acceptAll, T0);
        const before = await store.messagesAfter(conv, 0, 100);
        const outcomes = await store.appendMessages(
          [
            change(alice, conv, 'no-target', 'edit', undefined, 'x'),
            change(alice, conv, 'nonexistent', 'react', 99, '👍'),
            // seq 2 exists in the other conversation only… and is a change here: both refused.
            change(alice, conv, 'a-change', 'react', 2, '👍'),
            change(bob, conv, 'deleted', 'react', 3, '👍'),
            change(alice, conv, 'deleted-edit', 'edit', 3, 'again'),
            change(alice, conv, 'deleted-twice', 'delete', 3),
          ],
          acceptAll,
          T0 + 1,
        );
        for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'invalid' } });
        expect(await store.messagesAfter(conv, 0, 100)).toEqual(before);
        // Refused cids were not stored: sent again with a good target, they are new.
        const [again] = await store.appendMessages([change(alice, conv, 'nonexistent', 'react', 1, '👍')], acceptAll, T0 + 2);
        expect(again?.kind).toBe('stored');
      });

      test('only the author edits or deletes (forbidden otherwise); an edit only within the edit window', async () => {
        const { alice, bob, conv } = await directWithMessages(1);
        const outcomes = await store.appendMessages(
          [change(bob, conv, 'bob-edit', 'edit', 1, 'mine now'), change(bob, conv, 'bob-delete', 'delete', 1)],
          acceptAll,
          T0 + 1,
        );
        for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'forbidden' } });
        const [late] = await store.appendMessages([change(alice, conv, 'late-edit', 'edit', 1, 'late')], acceptAll, T0 + EDIT_WINDOW_MS + 1);
        expect(late).toMatchObject({ kind: 'refused', refusal: { code: 'invalid' } });
        const [inTime] = await store.appendMessages([change(alice, conv, 'edit-in-time', 'edit', 1, 'in time')], acceptAll, T0 + EDIT_WINDOW_MS);
        expect(inTime?.kind).toBe('stored');
        // Deleting has no window.
        const [deleted] = await store.appendMessages([change(alice, conv, 'late-delete', 'delete', 1)], acceptAll, T0 + 10 * EDIT_WINDOW_MS);
        expect(deleted?.kind).toBe('stored');
        expect((await messageAt(conv, 1))?.deleted).toBe(true);
      });

      test('changes pass the judge too, and a non-member may not change anything', async () => {
        const { alice, conv } = await directWithMessages(1);
        const carol = await user('carol');
        const refuseChanges: SendJudge = (candidate) =>
          candidate.kind ? { code: 'invalid', message: 'no changes today' } : null;
        const outcomes = await store.appendMessages(
          [change(alice, conv, 'judged', 'react', 1, '👍'), change(carol, conv, 'outsider', 'react', 1, '👍')],
          refuseChanges,
          T0,
        );
        expect(outcomes).toEqual([
          { kind: 'refused', refusal: { code: 'invalid', message: 'no changes today' } },
          { kind: 'refused', refusal: { code: 'not_found', message: 'no such conversation' } },
        ]);
        expect((await messageAt(conv, 1))?.reactions).toBeUndefined();
      });

      test('a message holds at most MAX_REACTIONS_PER_MESSAGE reactions; those who have one may still change it', async () => {
        const users = await Promise.all(Array.from({ length: MAX_REACTIONS_PER_MESSAGE }, (_, i) => user(`reactor${i}`)));
        const [creator, leaver, ...others] = users as [User, User, ...User[]];
        const group = await store.createGroup(creator.id, 'crowd', [leaver, ...others].map((each) => each.id), T0);
        await store.appendMessages([draft(creator, group.id, 'popular')], acceptAll, T0);
        const reacted = await store.appendMessages(
          users.map((each, i) => change(each, group.id, `react-${i}`, 'react', 1, '👍')),
          acceptAll,
          T0,
        );
        expect(reacted.every((outcome) => outcome.kind === 'stored')).toBe(true);
        // Who leaves keeps their reaction; a newcomer finds the message full.
        await store.removeMember(group.id, leaver.id);
        const newcomer = await user('newcomer');
        await store.addMembers(group.id, [newcomer.id], T0);
        const [full] = await store.appendMessages([change(newcomer, group.id, 'react-new', 'react', 1, '🎉')], acceptAll, T0);
        expect(full).toMatchObject({ kind: 'refused', refusal: { code: 'invalid' } });
        const [changed] = await store.appendMessages([change(creator, group.id, 'react-again', 'react', 1, '🎉')], acceptAll, T0);
        expect(changed?.kind).toBe('stored');
        await store.appendMessages([change(creator, group.id, 'react-off', 'react', 1, '')], acceptAll, T0);
        const [room] = await store.appendMessages([change(newcomer, group.id, 'react-new-2', 'react', 1, '🎉')], acceptAll, T0);
        expect(room?.kind).toBe('stored');
        const reactions = (await store.messagesAfter(group.id, 0, 1))[0]?.reactions ?? {};
        expect(Object.keys(reactions)).toHaveLength(MAX_REACTIONS_PER_MESSAGE);
        expect(reactions[leaver.id]).toBe('👍');
        expect(reactions[newcomer.id]).toBe('🎉');
      });

      test('forwarded is kept on the message', async () => {
        const { alice, conv } = await directWithMessages(0);
        const [outcome] = await store.appendMessages([{ ...draft(alice, conv, 'fwd-1', 'look'), forwarded: true }], acceptAll, T0);
        expect(outcome).toMatchObject({ kind: 'stored', message: { forwarded: true } });
        expect(await messageAt(conv, 1)).toEqual({ conv, seq: 1, cid: 'fwd-1', from: alice.id, body: 'look', ts: T0, forwarded: true });
      });
    });

    describe('receipts', () => {
      test('watermarks only move forward, read implies delivered, both clamp to lastSeq', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        await store.appendMessages(
          Array.from({ length: 5 }, (_, i) => draft(alice, conv, `r-${i}`)),
          acceptAll,
          T0,
        );
        expect(await store.advanceReceipt(conv, bob.id, { delivered: 2 })).toEqual({
          watermarks: { delivered: 2, read: 0 },
          changed: true,
        });
        expect(await store.advanceReceipt(conv, bob.id, { read: 3 })).toEqual({
          watermarks: { delivered: 3, read: 3 },
          changed: true,
        });
        expect(await store.advanceReceipt(conv, bob.id, { delivered: 1, read: 1 })).toEqual({
          watermarks: { delivered: 3, read: 3 },
          changed: false,
        });
        expect(await store.advanceReceipt(conv, bob.id, { delivered: 99 })).toEqual({
          watermarks: { delivered: 5, read: 3 },
          changed: true,
        });
        expect(await store.advanceReceipt(conv, bob.id, {})).toEqual({
          watermarks: { delivered: 5, read: 3 },
          changed: false,
        });
        expect(await store.advanceReceipt(conv, carol.id, { read: 1 })).toBeUndefined();
        expect((await store.conversation(conv))?.receipts[bob.id]).toEqual({ delivered: 5, read: 3 });
      });
    });

    describe('chat state', () => {
      test('starts at the defaults; a change sets only its fields and returns the whole state', async () => {
        const [alice, bob] = [await user('alice'), await user('bob')];
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        expect(await store.chatStatesOf(alice.id)).toEqual(new Map([[conv, DEFAULT_CHAT_STATE]]));
        expect(await store.setChatState(conv, alice.id, { pinned: true })).toEqual({ ...DEFAULT_CHAT_STATE, pinned: true });
        expect(await store.setChatState(conv, alice.id, { mutedUntil: T0 + 1 })).toEqual({
          pinned: true,
          archived: false,
          mutedUntil: T0 + 1,
        });
        expect(await store.setChatState(conv, alice.id, { archived: true, pinned: false })).toEqual({
          pinned: false,
          archived: true,
          mutedUntil: T0 + 1,
        });
        // Nothing to change reads the state back; null unmutes.
        expect(await store.setChatState(conv, alice.id, {})).toEqual({ pinned: false, archived: true, mutedUntil: T0 + 1 });
        expect(await store.setChatState(conv, alice.id, { mutedUntil: null })).toEqual({
          pinned: false,
          archived: true,
          mutedUntil: null,
        });
        expect(await store.setChatState(conv, alice.id, { mutedUntil: MUTED_FOREVER })).toMatchObject({
          mutedUntil: MUTED_FOREVER,
        });
      });

      test("is each member's own", async () => {
        const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
        const group = await store.createGroup(alice.id, 'g', [bob.id, carol.id], T0);
        const other = await store.createGroup(bob.id, 'h', [alice.id], T0 + 1);
        await store.setChatState(group.id, alice.id, { pinned: true });
        await store.setChatState(group.id, bob.id, { archived: true });
        await store.setChatState(other.id, alice.id, { mutedUntil: T0 + 5 });
        expect(await store.chatStatesIn(group.id)).toEqual(
          new Map([
            [alice.id, { ...DEFAULT_CHAT_STATE, pinned: true }],
            [bob.id, { ...DEFAULT_CHAT_STATE, archived: true }],
            [carol.id, DEFAULT_CHAT_STATE],
          ]),
        );
        expect(await store.chatStatesOf(alice.id)).toEqual(
          new Map([
            [group.id, { ...DEFAULT_CHAT_STATE, pinned: true }],
            [other.id, { ...DEFAULT_CHAT_STATE, mutedUntil: T0 + 5 }],
          ]),
        );
        expect(await store.chatStatesIn('unknown')).toEqual(new Map());
        expect(await store.chatStatesOf('unknown')).toEqual(new Map());
      });

      test('a non-member gets undefined and changes nothing', async () => {
        const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
        const conv = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        expect(await store.setChatState(conv, carol.id, { pinned: true })).toBeUndefined();
        expect(await store.setChatState('unknown', alice.id, { pinned: true })).toBeUndefined();
        expect(await store.chatStatesOf(carol.id)).toEqual(new Map());
        expect([...(await store.chatStatesIn(conv)).keys()].sort()).toEqual([alice.id, bob.id].sort());
      });

      test('leaving forgets it: added again, a member starts from the defaults', async () => {
        const [alice, bob] = [await user('alice'), await user('bob')];
        const group = await store.createGroup(alice.id, 'g', [bob.id], T0);
        await store.setChatState(group.id, bob.id, { pinned: true, archived: true, mutedUntil: T0 + 9 });
        await store.removeMember(group.id, bob.id);
        expect(await store.chatStatesOf(bob.id)).toEqual(new Map());
        await store.addMembers(group.id, [bob.id], T0 + 10);
        expect(await store.chatStatesOf(bob.id)).toEqual(new Map([[group.id, DEFAULT_CHAT_STATE]]));
      });
    });

    describe('privacy and caps', () => {
      test('counts the conversations of users', async () => {
        const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
        await store.openDirect(alice.id, bob.id, T0);
        await store.createGroup(alice.id, 'G', [bob.id], T0);
        const counts = await store.conversationCounts([alice.id, bob.id, carol.id]);
        expect(counts.get(alice.id)).toBe(2);
        expect(counts.get(bob.id)).toBe(2);
        expect(counts.has(carol.id)).toBe(false);
      });

      test('blocks and unblocks, oldest block first, and tells who blocked whom', async () => {
        const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
        expect(await store.privacyOf(alice.id)).toEqual({ groupAdds: 'everyone', blocked: [] });
        await store.block(alice.id, carol.id, T0);
        await store.block(alice.id, bob.id, T0 + 1);
        await store.block(alice.id, bob.id, T0 + 2);
        expect((await store.privacyOf(alice.id)).blocked).toEqual([carol, bob]);
        expect(await store.blockersOf(bob.id, [alice.id, carol.id])).toEqual([alice.id]);
        expect(await store.blockersOf(alice.id, [bob.id])).toEqual([]);
        await store.unblock(alice.id, carol.id);
        expect((await store.privacyOf(alice.id)).blocked).toEqual([bob]);
      });

      test('refuses a blocked sender in a direct conversation with forbidden, not in groups', async () => {
        const [alice, bob] = [await user('alice'), await user('bob')];
        const { conversation: direct } = await store.openDirect(alice.id, bob.id, T0);
        const group = await store.createGroup(alice.id, 'G', [bob.id], T0);
        await store.block(alice.id, bob.id, T0);
        const outcomes = await store.appendMessages(
          [draft(bob, direct.id, 'blocked-1'), draft(bob, group.id, 'group-1'), draft(alice, direct.id, 'alice-1')],
          acceptAll,
          T0,
        );
        expect(outcomes.map((outcome) => outcome.kind)).toEqual(['refused', 'stored', 'stored']);
        expect(outcomes[0]).toMatchObject({ refusal: { code: 'forbidden' } });
      });

      test('tells who refuses to be added to a group by whom', async () => {
        const [asker, open, closed, picky, friend, blocker] = [
          await user('asker'),
          await user('open'),
          await user('closed'),
          await user('picky'),
          await user('friend'),
          await user('blocker'),
        ];
        await store.setGroupAdds(closed.id, 'nobody');
        await store.setGroupAdds(picky.id, 'contacts');
        await store.setGroupAdds(friend.id, 'contacts');
        await store.openDirect(friend.id, asker.id, T0);
        await store.block(blocker.id, asker.id, T0);
        expect((await store.privacyOf(picky.id)).groupAdds).toBe('contacts');
        const refusing = await store.refusingGroupAdds(asker.id, [open.id, closed.id, picky.id, friend.id, blocker.id]);
        expect(refusing.sort()).toEqual([closed.id, picky.id, blocker.id].sort());
      });
    });

    describe('files', () => {
      const fileId = (n: number) => `file${String(n).padStart(20, '0')}`;

      async function finishedFile(owner: User, n: number, size = 10): Promise<string> {
        await store.createFile({ id: fileId(n), uploaderId: owner.id, name: `f${n}.jpg`, mime: 'image/jpeg', size }, T0);
        await store.finishFile(fileId(n), 'ab'.repeat(32), T0 + 1);
        return fileId(n);
      }

      test('records an upload, then its finish', async () => {
        const alice = await user('alice');
        await store.createFile({ id: fileId(1), uploaderId: alice.id, name: 'a.pdf', mime: 'application/pdf', size: 5 }, T0);
        expect(await store.fileRecord(fileId(1))).toEqual({
          id: fileId(1),
          uploaderId: alice.id,
          name: 'a.pdf',
          mime: 'application/pdf',
          size: 5,
          sha256: null,
          createdAt: T0,
          finishedAt: null,
        });
        await store.finishFile(fileId(1), 'cd'.repeat(32), T0 + 5);
        expect(await store.fileRecord(fileId(1))).toMatchObject({ sha256: 'cd'.repeat(32), finishedAt: T0 + 5 });
        expect(await store.fileRecord('unknown')).toBeUndefined();
        expect(await store.fileTotals()).toEqual({ files: 1, bytes: 5 });
      });

      test('records uploads that arrived whole, finished at their creation, in one call', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        await store.createFinishedFiles(
          [
            { id: fileId(1), uploaderId: alice.id, name: 'a.txt', mime: 'text/plain', size: 3, sha256: 'ef'.repeat(32) },
            { id: fileId(2), uploaderId: bob.id, name: 'b.bin', mime: 'application/octet-stream', size: 4, sha256: '01'.repeat(32) },
          ],
          T0,
        );
        expect(await store.fileRecord(fileId(1))).toEqual({
          id: fileId(1),
          uploaderId: alice.id,
          name: 'a.txt',
          mime: 'text/plain',
          size: 3,
          sha256: 'ef'.repeat(32),
          createdAt: T0,
          finishedAt: T0,
        });
        expect(await store.fileRecord(fileId(2))).toMatchObject({ uploaderId: bob.id, size: 4, sha256: '01'.repeat(32), finishedAt: T0 });
        expect(await store.mayReadFile(fileId(1), alice.id)).toBe(true);
        expect(await store.mayReadFile(fileId(1), bob.id)).toBe(false);
        expect(await store.fileTotals()).toEqual({ files: 2, bytes: 7 });
        expect(await store.storageUsedBy(alice.id)).toBe(3);
      });

      test('a batch of finished uploads with one bad record (an id taken) stores none of them', async () => {
        const alice = await user('alice');
        await store.createFile({ id: fileId(2), uploaderId: alice.id, name: 'u', mime: 'x/y', size: 9 }, T0);
        await expect(
          store.createFinishedFiles(
            [
              { id: fileId(1), uploaderId: alice.id, name: 'a', mime: 'x/y', size: 1, sha256: 'ab'.repeat(32) },
              { id: fileId(2), uploaderId: alice.id, name: 'b', mime: 'x/y', size: 1, sha256: 'ab'.repeat(32) },
            ],
            T0,
          ),
        ).rejects.toThrow();
        expect(await store.fileRecord(fileId(1))).toBeUndefined();
        expect(await store.fileRecord(fileId(2))).toMatchObject({ size: 9, finishedAt: null });
      });

      test('counts a user\'s storage, unfinished uploads at their declared size', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        await finishedFile(alice, 1, 100);
        await store.createFile({ id: fileId(2), uploaderId: alice.id, name: 'b', mime: 'x/y', size: 50 }, T0);
        await finishedFile(bob, 3, 7);
        expect(await store.storageUsedBy(alice.id)).toBe(150);
        expect(await store.storageUsedBy(bob.id)).toBe(7);
        expect(await store.storageUsedBy('nobody')).toBe(0);
      });

      test('a message carries a finished file the sender may read, with the record\'s name, type and size', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const { conversation } = await store.openDirect(alice.id, bob.id, T0);
        const id = await finishedFile(alice, 1);
        const ref = { id, width: 640, height: 480, thumb: 'data:image/jpeg;base64,AAAA' };
        const [outcome] = await store.appendMessages([{ ...draft(alice, conversation.id, 'c-file-1', ''), file: ref }], acceptAll, T0);
        const expected = { ...ref, name: 'f1.jpg', mime: 'image/jpeg', size: 10 };
        expect(outcome).toMatchObject({ kind: 'stored', message: { body: '', file: expected } });
        expect((await store.messagesAfter(conversation.id, 0, 10))[0]?.file).toEqual(expected);
        expect((await store.messagesBefore(conversation.id, undefined, 10)).messages[0]?.file).toEqual(expected);
      });

      test('a resent message answers with everything stored: file, reply, forwarding, reactions, edit', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const { conversation } = await store.openDirect(alice.id, bob.id, T0);
        const conv = conversation.id;
        const id = await finishedFile(alice, 1);
        await store.appendMessages([draft(bob, conv, 'first')], acceptAll, T0);
        const [sent] = await store.appendMessages(
          [{ ...draft(alice, conv, 'rich', 'caption', 1), file: { id, width: 2, height: 3 }, forwarded: true }],
          acceptAll,
          T0 + 1,
        );
        expect(sent?.kind).toBe('stored');
        await store.appendMessages(
          [change(bob, conv, 'react-1', 'react', 2, '👍'), change(alice, conv, 'edit-1', 'edit', 2, 'better caption')],
          acceptAll,
          T0 + 2,
        );
        const current = (await store.messagesAfter(conv, 1, 1))[0];
        expect(current).toMatchObject({ replyTo: 1, forwarded: true, file: { id, name: 'f1.jpg' }, reactions: { [bob.id]: '👍' }, editedAt: T0 + 2 });
        expect(await store.appendMessages([draft(alice, conv, 'rich', 'caption', 1)], acceptAll, T0 + 3)).toEqual([
          { kind: 'duplicate', message: current },
        ]);
      });

      test('refuses a file unknown, unfinished, or that the sender may not read', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const { conversation } = await store.openDirect(alice.id, bob.id, T0);
        await store.createFile({ id: fileId(2), uploaderId: alice.id, name: 'u', mime: 'x/y', size: 9 }, T0);
        const carols = await finishedFile(carol, 3);
        const outcomes = await store.appendMessages(
          [
            { ...draft(alice, conversation.id, 'c-unknown'), file: { id: fileId(9) } },
            { ...draft(alice, conversation.id, 'c-unfinished'), file: { id: fileId(2) } },
            { ...draft(alice, conversation.id, 'c-carols'), file: { id: carols } },
          ],
          acceptAll,
          T0,
        );
        for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'invalid' } });
        expect(await store.messagesAfter(conversation.id, 0, 10)).toEqual([]);
      });

      test('readableFile: the record of a finished file for its readers, nothing for others, unfinished or unknown files', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const { conversation } = await store.openDirect(alice.id, bob.id, T0);
        const id = await finishedFile(alice, 1);
        expect(await store.readableFile(id, alice.id)).toEqual(await store.fileRecord(id));
        expect(await store.readableFile(id, bob.id)).toBeUndefined();
        await store.appendMessages([{ ...draft(alice, conversation.id, 'c-share'), file: { id } }], acceptAll, T0);
        expect(await store.readableFile(id, bob.id)).toMatchObject({ id, uploaderId: alice.id, sha256: 'ab'.repeat(32) });
        await store.createFile({ id: fileId(2), uploaderId: alice.id, name: 'u', mime: 'x/y', size: 9 }, T0);
        expect(await store.readableFile(fileId(2), alice.id)).toBeUndefined();
        expect(await store.readableFile(fileId(3), alice.id)).toBeUndefined();
      });

      test('readers are the uploader and current members of a conversation holding a message with the file', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const dave = await user('dave');
        const group = await store.createGroup(alice.id, 'g', [bob.id, carol.id], T0);
        const id = await finishedFile(alice, 1);
        expect(await store.mayReadFile(id, alice.id)).toBe(true);
        expect(await store.mayReadFile(id, bob.id)).toBe(false);
        await store.appendMessages([{ ...draft(alice, group.id, 'c-share'), file: { id } }], acceptAll, T0);
        expect(await store.mayReadFile(id, bob.id)).toBe(true);
        expect(await store.mayReadFile(id, dave.id)).toBe(false);
        await store.removeMember(group.id, carol.id);
        expect(await store.mayReadFile(id, carol.id)).toBe(false);
        // Bob, who may read it, may forward it elsewhere; Carol, who left, may not.
        const { conversation } = await store.openDirect(bob.id, dave.id, T0);
        const [forwarded] = await store.appendMessages([{ ...draft(bob, conversation.id, 'c-fwd'), file: { id } }], acceptAll, T0);
        expect(forwarded?.kind).toBe('stored');
        expect(await store.mayReadFile(id, dave.id)).toBe(true);
        const direct = await store.openDirect(carol.id, dave.id, T0);
        const [refused] = await store.appendMessages([{ ...draft(carol, direct.conversation.id, 'c-left'), file: { id } }], acceptAll, T0);
        expect(refused?.kind).toBe('refused');
      });

      test('a delete leaves its file to erase when no other message carries it; deleted messages give no access', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const ab = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const ac = (await store.openDirect(alice.id, carol.id, T0)).conversation.id;
        const id = await finishedFile(alice, 1);
        await store.appendMessages(
          [{ ...draft(alice, ab, 'c-share-1'), file: { id } }, { ...draft(alice, ac, 'c-share-2'), file: { id } }],
          acceptAll,
          T0,
        );
        const [first] = await store.appendMessages([change(alice, ab, 'c-del-1', 'delete', 1)], acceptAll, T0 + 2);
        // Carol's copy still carries it.
        expect(first).toMatchObject({ kind: 'stored' });
        expect(first?.kind === 'stored' && first.unreferencedFile).toBeFalsy();
        expect(await store.mayReadFile(id, bob.id)).toBe(false);
        expect(await store.mayReadFile(id, carol.id)).toBe(true);
        expect((await store.messagesAfter(ab, 0, 1))[0]?.file).toBeUndefined();
        const [last] = await store.appendMessages([change(alice, ac, 'c-del-2', 'delete', 1)], acceptAll, T0 + 3);
        expect(last).toMatchObject({ kind: 'stored', unreferencedFile: id });
        expect(await store.mayReadFile(id, carol.id)).toBe(false);
        // Now unreferenced: the sweep's and the eraser's deleteFile may take it.
        expect(await store.expiredFiles(T0 + 2, 10)).toEqual([{ id, finished: true }]);
        expect(await store.deleteFile(id)).toBe(true);
      });

      test('a forward carries a file the sender may read, without a new upload', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const ab = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const bc = (await store.openDirect(bob.id, carol.id, T0)).conversation.id;
        const id = await finishedFile(alice, 1);
        await store.appendMessages([{ ...draft(alice, ab, 'c-orig', ''), file: { id } }], acceptAll, T0);
        const [forward] = await store.appendMessages([{ ...draft(bob, bc, 'c-fwd', ''), file: { id }, forwarded: true }], acceptAll, T0);
        expect(forward).toMatchObject({ kind: 'stored', message: { forwarded: true, file: { id, name: 'f1.jpg' } } });
        // Deleting the original leaves the forward (and Carol's access) alone.
        const [deleted] = await store.appendMessages([change(alice, ab, 'c-del', 'delete', 1)], acceptAll, T0);
        expect(deleted?.kind === 'stored' && deleted.unreferencedFile).toBeFalsy();
        expect(await store.mayReadFile(id, carol.id)).toBe(true);
      });

      test('photos: a user’s for everyone sharing a conversation with them, a group’s for its members; replacing one tells which', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const carol = await user('carol');
        const stranger = await user('stranger');
        await store.openDirect(alice.id, bob.id, T0);
        const group = await store.createGroup(bob.id, 'g', [carol.id], T0);
        const first = await finishedFile(alice, 1);
        expect(await store.updateProfile(alice.id, { photo: first })).toEqual({ user: { ...alice, photo: first }, replacedPhoto: null });
        expect((await store.usersByIds([alice.id]))[0]?.photo).toBe(first);
        for (const reader of [alice, bob]) expect(await store.mayReadFile(first, reader.id)).toBe(true);
        for (const outsider of [carol, stranger]) expect(await store.mayReadFile(first, outsider.id)).toBe(false);
        // A photo is not swept and not deleted while it is one.
        expect(await store.expiredFiles(T0 + 10, 10)).toEqual([]);
        expect(await store.deleteFile(first)).toBe(false);

        const second = await finishedFile(alice, 2);
        expect(await store.updateProfile(alice.id, { about: 'x', photo: second })).toMatchObject({ replacedPhoto: first });
        expect(await store.updateProfile(alice.id, { about: 'y' })).toMatchObject({ user: { photo: second }, replacedPhoto: null });
        expect(await store.deleteFile(first)).toBe(true);
        expect(await store.updateProfile(alice.id, { photo: null })).toEqual({ user: { ...alice, about: 'y' }, replacedPhoto: second });

        const groupPhoto = await finishedFile(bob, 3);
        const set = await store.setConversationPhoto(group.id, groupPhoto);
        expect(set).toEqual({ conversation: { ...group, photo: groupPhoto }, replacedPhoto: null });
        expect((await store.conversationsOf(carol.id))[0]?.photo).toBe(groupPhoto);
        expect(await store.mayReadFile(groupPhoto, carol.id)).toBe(true);
        expect(await store.mayReadFile(groupPhoto, alice.id)).toBe(false);
        expect(await store.deleteFile(groupPhoto)).toBe(false);
        expect(await store.setConversationPhoto(group.id, null)).toEqual({ conversation: group, replacedPhoto: groupPhoto });
      });

      test("deleting an account deletes its messages for everyone, takes back its reactions and leaves nothing of it", async () => {
        const alice = await user('alice', 'Alice');
        const bob = await user('bob');
        const carol = await user('carol');
        await store.addToken('a-1', alice.id, T0);
        await store.addToken('a-2', alice.id, T0);
        await store.addToken('b-1', bob.id, T0);
        const direct = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const group = await store.createGroup(bob.id, 'g', [alice.id, carol.id], T0);
        const left = await store.createGroup(carol.id, 'left', [alice.id], T0);
        const abandoned = await store.createGroup(alice.id, 'abandoned', [bob.id], T0);
        await store.block(bob.id, alice.id, T0);
        await store.unblock(bob.id, alice.id);
        await store.block(alice.id, carol.id, T0);
        const photo = await finishedFile(alice, 1);
        await store.updateProfile(alice.id, { about: 'about alice', photo });
        const carried = await finishedFile(alice, 2);
        const forwardedByBob = await finishedFile(alice, 3);
        await store.createFile({ id: fileId(4), uploaderId: alice.id, name: 'half', mime: 'x/y', size: 9 }, T0);
        const bobsFile = await finishedFile(bob, 5);
        await store.appendMessages(
          [
            draft(alice, direct, 'c-a1', 'secret one'), // direct 1
            { ...draft(alice, direct, 'c-a2', 'with file'), file: { id: carried } }, // direct 2
            draft(bob, direct, 'c-b1', 'bob says'), // direct 3
            change(alice, direct, 'c-edit', 'edit', 1, 'secret edited'), // direct 4
            change(alice, direct, 'c-react', 'react', 3, '👍'), // direct 5
            { ...draft(alice, group.id, 'c-g1', 'group words'), file: { id: forwardedByBob } }, // group 1
            { ...draft(bob, group.id, 'c-g2', ''), file: { id: forwardedByBob }, forwarded: true }, // group 2
            draft(alice, left.id, 'c-l1', 'before leaving'), // left 1
            draft(alice, abandoned.id, 'c-ab1', 'in an abandoned group'), // abandoned 1
          ],
          acceptAll,
          T0,
        );
        await store.removeMember(left.id, alice.id);
        // A group everyone has left keeps its log: her message there is erased too.
        await store.removeMember(abandoned.id, bob.id);
        await store.removeMember(abandoned.id, alice.id);
        await store.setChatState(group.id, alice.id, { pinned: true });

        const deletion = await store.deleteAccount(alice.id, T0 + 100);
        expect(deletion).toBeDefined();
        if (!deletion) return;
        expect(deletion.user).toEqual({ id: alice.id, username: 'alice', displayName: 'Deleted account' });
        expect(deletion.revokedTokens.sort()).toEqual(['a-1', 'a-2']);
        expect(deletion.contacts.sort()).toEqual([bob.id, carol.id].sort());
        // Deletes of alice's 4 messages (the one in the group she left too), then her reaction taken back.
        const summary = deletion.changes.map(({ message }) => [message.conv, message.kind, message.target, message.from, message.body]);
        expect(summary).toEqual(
          expect.arrayContaining([
            [direct, 'delete', 1, alice.id, ''],
            [direct, 'delete', 2, alice.id, ''],
            [direct, 'react', 3, alice.id, ''],
            [group.id, 'delete', 1, alice.id, ''],
            [left.id, 'delete', 1, alice.id, ''],
            [abandoned.id, 'delete', 1, alice.id, ''],
          ]),
        );
        expect(summary).toHaveLength(6);
        expect(deletion.changes.find(({ message }) => message.conv === abandoned.id)?.members).toEqual([]);
        const directChanges = deletion.changes.filter(({ message }) => message.conv === direct);
        expect(directChanges.map(({ message }) => message.seq)).toEqual([6, 7, 8]);
        expect(directChanges[0]?.members.sort()).toEqual([alice.id, bob.id].sort());
        expect(deletion.changes.find(({ message }) => message.conv === left.id)?.members).toEqual([carol.id]);
        // Her photo, the file only her messages carried, her unfinished upload; not the one Bob forwarded, not Bob's.
        expect(deletion.files).toHaveLength(3);
        expect(deletion.files).toEqual(
          expect.arrayContaining([
            { id: photo, finished: true },
            { id: carried, finished: true },
            { id: fileId(4), finished: false },
          ]),
        );
        // The conversations she was in, without her.
        expect(deletion.conversations.map((conversation) => conversation.id).sort()).toEqual([direct, group.id].sort());
        for (const conversation of deletion.conversations) {
          expect(conversation.members.map((member) => member.id)).not.toContain(alice.id);
        }

        // The log: deleted, without text, file or edits; Bob's message without her reaction.
        const log = await store.messagesAfter(direct, 0, 100);
        expect(log[0]).toMatchObject({ seq: 1, deleted: true, body: '' });
        expect(log[0]?.editedAt).toBeUndefined();
        expect(log[1]).toMatchObject({ seq: 2, deleted: true, body: '' });
        expect(log[1]?.file).toBeUndefined();
        expect(log[2]).toMatchObject({ seq: 3, body: 'bob says' });
        expect(log[2]?.reactions).toBeUndefined();
        expect(log[3]).toMatchObject({ seq: 4, kind: 'edit', body: '' });
        expect(JSON.stringify(await store.messagesAfter(left.id, 0, 10))).not.toContain('before leaving');
        expect(await store.messagesAfter(abandoned.id, 0, 10)).toMatchObject([{ seq: 1, deleted: true, body: '' }, { seq: 2, kind: 'delete' }]);
        expect(await store.conversation(abandoned.id)).toMatchObject({ lastSeq: 2, members: [] });
        expect(await store.conversation(direct)).toMatchObject({ lastSeq: 8 });

        // Nothing left to her: sign-ins, memberships, blocks, profile, sign-in by username, search.
        expect(await store.listTokens(alice.id)).toEqual([]);
        expect(await store.existingTokens(['a-1', 'b-1'])).toEqual(new Set(['b-1']));
        expect(await store.conversationsOf(alice.id)).toEqual([]);
        expect(await store.chatStatesOf(alice.id)).toEqual(new Map());
        expect(await store.privacyOf(alice.id)).toEqual({ groupAdds: 'everyone', blocked: [] });
        expect(await store.blockersOf(alice.id, [bob.id, carol.id])).toEqual([]);
        expect(await store.userByUsername('alice')).toBeUndefined();
        expect(await store.searchUsers('ali', bob.id, 10)).toEqual([]);
        expect(await store.usersByIds([alice.id])).toEqual([deletion.user]);
        expect(await store.contactsOf(bob.id)).toEqual([carol.id]);
        expect(await store.mayReadFile(forwardedByBob, carol.id)).toBe(true);
        expect(await store.fileRecord(bobsFile)).toBeDefined();
        const record = (await store.listUsers()).find((each) => each.user.id === alice.id);
        expect(record).toMatchObject({ deletedAt: T0 + 100, signIns: 0, lastSeen: null });

        // Nor can a frame still in flight give it a profile again.
        expect(await store.updateProfile(alice.id, { about: 'back again' })).toBeUndefined();
        // Its sockets closing afterwards leave no last-seen time.
        await store.setLastSeen([alice.id], T0 + 150);
        expect(await store.lastSeen([alice.id])).toEqual(new Map());

        // Deleting twice: nothing to delete.
        expect(await store.deleteAccount(alice.id, T0 + 200)).toBeUndefined();
        expect(await store.deleteAccount('unknown', T0 + 200)).toBeUndefined();
      });

      test('a deleted account keeps its username until released after the quarantine', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        await store.openDirect(alice.id, bob.id, T0);
        await store.deleteAccount(alice.id, T0 + 100);
        expect(await store.createUser({ username: 'alice', displayName: 'New', passwordHash: 'x' }, T0 + 150)).toBeNull();
        expect(await store.releaseUsername('alice', T0 + 100)).toBe(false);
        expect(await store.releaseUsername('bob', T0 + 1_000)).toBe(false);
        expect(await store.releaseUsername('alice', T0 + 101)).toBe(true);
        const newcomer = await store.createUser({ username: 'alice', displayName: 'New', passwordHash: 'x' }, T0 + 200);
        expect(newcomer).toMatchObject({ username: 'alice', displayName: 'New' });
        expect(newcomer?.id).not.toBe(alice.id);
        // The old account's messages keep their sender, under a name nobody can choose.
        expect((await store.usersByIds([alice.id]))[0]).toEqual({ id: alice.id, username: `~deleted~${alice.id}`, displayName: 'Deleted account' });
      });

      test('the export reads the messages a user sent, in pages, and the files they uploaded', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const one = (await store.openDirect(alice.id, bob.id, T0)).conversation.id;
        const two = (await store.createGroup(alice.id, 'g', [bob.id], T0)).id;
        await store.appendMessages(
          [draft(alice, one, 'c-1'), draft(bob, one, 'c-2'), draft(alice, one, 'c-3'), draft(alice, two, 'c-4'), change(alice, one, 'c-5', 'react', 2, '👍')],
          acceptAll,
          T0,
        );
        const all = await store.messagesBy(alice.id, null, 100);
        const keys = (messages: typeof all) => messages.map((message) => `${message.conv}/${message.seq}`);
        expect(all).toHaveLength(4);
        expect(all.every((message) => message.from === alice.id)).toBe(true);
        const firstPage = await store.messagesBy(alice.id, null, 2);
        const last = firstPage[1];
        if (!last) throw new Error('no page');
        const secondPage = await store.messagesBy(alice.id, { conv: last.conv, seq: last.seq }, 2);
        expect([...keys(firstPage), ...keys(secondPage)]).toEqual(keys(all));
        expect(await store.messagesBy(alice.id, { conv: all[3]?.conv ?? '', seq: all[3]?.seq ?? 0 }, 2)).toEqual([]);
        const photo = await finishedFile(alice, 1);
        await store.createFile({ id: fileId(2), uploaderId: alice.id, name: 'half', mime: 'x/y', size: 9 }, T0);
        await finishedFile(bob, 3);
        expect((await store.filesUploadedBy(alice.id)).map((record) => record.id)).toEqual([photo]);
      });

      test('expired files: unfinished or unreferenced, created before the cutoff; a carried file is never deleted', async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const { conversation } = await store.openDirect(alice.id, bob.id, T0);
        await store.createFile({ id: fileId(1), uploaderId: alice.id, name: 'u', mime: 'x/y', size: 9 }, T0);
        const loose = await finishedFile(alice, 2);
        const carried = await finishedFile(alice, 3);
        await store.appendMessages([{ ...draft(alice, conversation.id, 'c-carried'), file: { id: carried } }], acceptAll, T0);
        expect(await store.expiredFiles(T0, 10)).toEqual([]);
        const expired = await store.expiredFiles(T0 + 1, 10);
        expect(expired).toHaveLength(2);
        expect(expired).toEqual(expect.arrayContaining([{ id: fileId(1), finished: false }, { id: loose, finished: true }]));
        expect(await store.expiredFiles(T0 + 1, 1)).toHaveLength(1);
        expect(await store.deleteFile(carried)).toBe(false);
        expect(await store.deleteFile(loose)).toBe(true);
        expect(await store.fileRecord(loose)).toBeUndefined();
        expect(await store.fileRecord(carried)).toBeDefined();
      });
    });
  });
}
