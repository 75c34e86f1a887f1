import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConversationSummary } from '../../src/shared/api.ts';
import { PAGE_SIZE, type ChatStore } from '../../src/renderer/store/chatState.ts';
import { createChatStore } from '../../src/renderer/store/chatStore.ts';
import { MAX_CACHED_WINDOWS } from '../../src/renderer/store/messagesSlice.ts';
import { selectVisibleConversations } from '../../src/renderer/store/selectors.ts';
import { FakeDuplexApi, alice, bob, carol, makeDirect, makeGroup, makeMessage } from './fake-api.ts';

async function started(api: FakeDuplexApi): Promise<ChatStore> {
  const store = createChatStore(api, null);
  store.getState().actions.start();
  await vi.waitFor(() => expect(store.getState().auth).not.toBe('loading'));
  await vi.waitFor(() => expect(store.getState().conversationsLoaded || store.getState().auth === 'signed-out').toBe(true));
  return store;
}

function titles(store: ChatStore): string[] {
  return selectVisibleConversations(store.getState()).map((c) => c.title);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('chat store', () => {
  it('starts signed out without an account, and signed in with the engine snapshot', async () => {
    expect((await started(new FakeDuplexApi())).getState().auth).toBe('signed-out');

    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    const store = await started(api);
    expect(store.getState()).toMatchObject({ auth: 'signed-in', account: { user: alice }, status: { state: 'online' } });
    expect(titles(store)).toEqual([bob.displayName]);
  });

  it('upserts conversations from events and keeps the list sorted by last activity', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { lastActivity: 2_000 }));
    api.addConversation(makeDirect(alice, carol, { lastActivity: 1_000 }));
    const store = await started(api);
    expect(titles(store)).toEqual([bob.displayName, carol.displayName]);

    api.emit({ type: 'conversation', conversation: makeDirect(alice, carol, { lastActivity: 3_000, unread: 2 }) });
    expect(titles(store)).toEqual([carol.displayName, bob.displayName]);
    expect(store.getState().conversations.get(`d-${carol.id}`)!.unread).toBe(2);

    api.emit({ type: 'conversation', conversation: makeGroup('g1', 'Hikers', [alice, bob, carol], { lastActivity: 2_500 }) });
    expect(titles(store)).toEqual([carol.displayName, 'Hikers', bob.displayName]);

    api.emit({ type: 'conversation-removed', id: 'g1' });
    expect(titles(store)).toEqual([carol.displayName, bob.displayName]);
  });

  it('filters the visible list by title, ignoring case', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    api.addConversation(makeDirect(alice, carol));
    const store = await started(api);
    store.getState().actions.setFilter('  CAROL ');
    expect(titles(store)).toEqual([carol.displayName]);
  });

  it('replays events that arrive while the snapshot loads, so the newest state wins', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { unread: 1 }));
    let answerList: (conversations: ConversationSummary[]) => void = () => {};
    api.listConversations = () => new Promise((resolve) => (answerList = resolve));
    const store = createChatStore(api, null);
    store.getState().actions.start();
    await vi.waitFor(() => expect(store.getState().auth).toBe('signed-in'));

    // The engine moves on while the (older) snapshot is still on its way.
    api.emit({ type: 'conversation', conversation: makeDirect(alice, bob, { unread: 5 }) });
    answerList([makeDirect(alice, bob, { unread: 1 })]);
    await vi.waitFor(() => expect(store.getState().conversationsLoaded).toBe(true));
    expect(store.getState().conversations.get(`d-${bob.id}`)!.unread).toBe(5);
  });

  it('loads the newest page when a conversation opens and applies message events to it', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const direct = makeDirect(alice, bob);
    api.addConversation(direct, [makeMessage({ conv: direct.id, seq: 1 }), makeMessage({ conv: direct.id, seq: 2 })]);
    const store = await started(api);
    store.getState().actions.openConversation(direct.id);
    await vi.waitFor(() => expect(store.getState().windows.get(direct.id)?.loaded).toBe(true));
    expect(api.callsOf('getMessages')).toEqual([[direct.id, { limit: PAGE_SIZE }]]);

    const window = store.getState().windows.get(direct.id)!;
    const version = window.version;
    api.emit({ type: 'messages', conv: direct.id, messages: [makeMessage({ conv: direct.id, seq: 3, cid: 'new-one' })] });
    expect(window.size).toBe(3);
    expect(window.version).toBe(version + 1);
    api.emit({ type: 'message-removed', conv: direct.id, cid: 'new-one' });
    expect(window.size).toBe(2);
  });

  it('ignores message events for conversations that were never opened', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    const store = await started(api);
    api.emit({ type: 'messages', conv: `d-${bob.id}`, messages: [makeMessage({ conv: `d-${bob.id}` })] });
    expect(store.getState().windows.size).toBe(0);
  });

  it('fixes the unread divider at the read watermark when opening, and marks the conversation read', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const direct = makeDirect(alice, bob, { unread: 2, lastSeq: 5, receipts: { [alice.id]: { delivered: 5, read: 3 } } });
    api.addConversation(direct, [1, 2, 3, 4, 5].map((seq) => makeMessage({ conv: direct.id, seq })));
    const store = await started(api);
    store.getState().actions.openConversation(direct.id);
    expect(store.getState().unreadMarker).toEqual({ conv: direct.id, afterSeq: 3, count: 2 });
    await vi.waitFor(() => expect(store.getState().windows.get(direct.id)?.loaded).toBe(true));

    store.getState().actions.markRead(direct.id);
    store.getState().actions.markRead(direct.id);
    expect(api.callsOf('markRead')).toEqual([[direct.id, 5]]);
  });

  it('shows the typing users the engine reports, with no expiry of its own (the engine expires them)', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    const store = await started(api);
    vi.useFakeTimers();
    const conv = `d-${bob.id}`;

    api.emit({ type: 'typing', conv, users: [bob.id] });
    expect(store.getState().typing.get(conv)).toEqual([bob.id]);
    vi.advanceTimersByTime(60_000);
    expect(store.getState().typing.get(conv)).toEqual([bob.id]);
    api.emit({ type: 'typing', conv, users: [] });
    expect(store.getState().typing.has(conv)).toBe(false);
  });

  it('keeps the windows of the most recently opened conversations only, reloading one evicted', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const peers = Array.from({ length: MAX_CACHED_WINDOWS + 2 }, (_, i) => ({
      id: `u-${i}`,
      username: `user${i}`,
      displayName: `User ${i}`,
    }));
    for (const peer of peers) api.addConversation(makeDirect(alice, peer), [makeMessage({ conv: `d-${peer.id}`, from: peer.id })]);
    const store = await started(api);
    const { actions } = store.getState();
    for (const peer of peers) {
      actions.openConversation(`d-${peer.id}`);
      await vi.waitFor(() => expect(store.getState().windows.get(`d-${peer.id}`)?.loaded).toBe(true));
    }
    // The first two are gone; the first is loaded again from the store when reopened.
    expect(store.getState().windows.size).toBe(MAX_CACHED_WINDOWS);
    expect(store.getState().windows.has(`d-${peers[0]!.id}`)).toBe(false);
    expect(store.getState().windows.has(`d-${peers[2]!.id}`)).toBe(true);
    const loadsBefore = api.callsOf('getMessages').length;
    actions.openConversation(`d-${peers[0]!.id}`);
    await vi.waitFor(() => expect(store.getState().windows.get(`d-${peers[0]!.id}`)?.size).toBe(1));
    expect(api.callsOf('getMessages').length).toBe(loadsBefore + 1);
    // Reopening a cached one reads nothing and makes it the most recent.
    actions.openConversation(`d-${peers[3]!.id}`);
    actions.openConversation(`d-${peers[4]!.id}`);
    expect(api.callsOf('getMessages').length).toBe(loadsBefore + 1);
    expect([...store.getState().windows.keys()].at(-1)).toBe(`d-${peers[4]!.id}`);
    expect(store.getState().windows.size).toBe(MAX_CACHED_WINDOWS);
  });

  it("reads the presence of everyone in the snapshot's conversations but the user, and of new group members", async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    api.addConversation(makeGroup('g-1', 'Team', [alice, bob]));
    const store = await started(api);
    await vi.waitFor(() => expect(api.callsOf('getPresence')).toEqual([[[bob.id]]]));
    api.presence.set(carol.id, { user: carol.id, online: true });
    await store.getState().actions.addGroupMembers('g-1', [carol.id]);
    await vi.waitFor(() => expect(store.getState().presence.get(carol.id)?.online).toBe(true));
    expect(api.callsOf('getPresence').at(-1)).toEqual([expect.arrayContaining([bob.id, carol.id])]);
    expect(api.callsOf('getPresence').at(-1)?.[0]).not.toContain(alice.id);
  });

  it("reads an opened chat's peer's presence only when it is not known", async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const store = await started(api);
    api.addConversation(makeDirect(alice, bob));
    api.addConversation(makeDirect(alice, carol));
    api.emit({ type: 'conversation', conversation: api.conversations.get(`d-${bob.id}`)! });
    api.emit({ type: 'conversation', conversation: api.conversations.get(`d-${carol.id}`)! });
    api.presence.set(bob.id, { user: bob.id, online: true });
    api.emit({ type: 'presence', presence: { user: carol.id, online: false, lastSeen: 5 } });
    store.getState().actions.openConversation(`d-${bob.id}`);
    await vi.waitFor(() => expect(store.getState().presence.get(bob.id)?.online).toBe(true));
    store.getState().actions.openConversation(`d-${carol.id}`);
    expect(api.callsOf('getPresence')).toEqual([[[bob.id]]]);
  });

  it('keeps presence from events over an older snapshot', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    api.presence.set(bob.id, { user: bob.id, online: false, lastSeen: 1 });
    const store = await started(api);
    await vi.waitFor(() => expect(store.getState().presence.get(bob.id)?.online).toBe(false));
    api.emit({ type: 'presence', presence: { user: bob.id, online: true } });
    expect(store.getState().presence.get(bob.id)).toEqual({ user: bob.id, online: true });
  });

  it('clears the account when the user is signed out', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    const store = await started(api);
    store.getState().actions.openConversation(`d-${bob.id}`);
    api.emit({ type: 'account', account: null });
    await vi.waitFor(() => expect(store.getState().auth).toBe('signed-out'));
    expect(store.getState()).toMatchObject({ account: null, openId: null });
    expect(store.getState().conversations.size).toBe(0);
    expect(store.getState().windows.size).toBe(0);
  });

  it('sends with the reply target and shows the queued message at once', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const direct = makeDirect(alice, bob);
    const quoted = makeMessage({ conv: direct.id, seq: 7 });
    api.addConversation(direct, [quoted]);
    const store = await started(api);
    store.getState().actions.openConversation(direct.id);
    await vi.waitFor(() => expect(store.getState().windows.get(direct.id)?.loaded).toBe(true));

    store.getState().actions.setReplyTarget(quoted);
    await store.getState().actions.send(direct.id, 'hi');
    expect(api.callsOf('send')).toEqual([[direct.id, 'hi', 7]]);
    expect(store.getState().replyTarget).toBeNull();
    const window = store.getState().windows.get(direct.id)!;
    expect(window.at(window.size - 1)).toMatchObject({ body: 'hi', status: 'queued', seq: null });
  });

  it('pages older messages in from the local store before asking the relay', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const direct = makeDirect(alice, bob, { hasMoreHistory: true });
    const all = Array.from({ length: PAGE_SIZE + 10 }, (_, i) => makeMessage({ conv: direct.id, seq: i + 1 }));
    api.addConversation(direct, all);
    const store = await started(api);
    store.getState().actions.openConversation(direct.id);
    await vi.waitFor(() => expect(store.getState().windows.get(direct.id)?.loaded).toBe(true));
    const window = store.getState().windows.get(direct.id)!;
    expect(window.size).toBe(PAGE_SIZE);
    expect(window.hasMoreLocal).toBe(true);

    await store.getState().actions.loadOlderMessages(direct.id);
    expect(window.size).toBe(PAGE_SIZE + 10);
    expect(window.oldestSeq()).toBe(1);
    expect(api.callsOf('loadOlder')).toEqual([]);

    await store.getState().actions.loadOlderMessages(direct.id);
    expect(api.callsOf('loadOlder')).toEqual([[direct.id]]);
  });

  it('reveals an old quoted message by loading the pages up to it', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const direct = makeDirect(alice, bob);
    api.addConversation(direct, Array.from({ length: 500 }, (_, i) => makeMessage({ conv: direct.id, seq: i + 1 })));
    const store = await started(api);
    store.getState().actions.openConversation(direct.id);
    await vi.waitFor(() => expect(store.getState().windows.get(direct.id)?.loaded).toBe(true));

    const index = await store.getState().actions.revealMessage(direct.id, 20);
    expect(store.getState().windows.get(direct.id)!.at(index)!.seq).toBe(20);
    expect(await store.getState().actions.revealMessage(direct.id, 9_999)).toBe(-1);
  });

  it('opens the next and previous conversation of the visible list', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { lastActivity: 2 }));
    api.addConversation(makeDirect(alice, carol, { lastActivity: 1 }));
    const store = await started(api);
    const { openAdjacentConversation } = store.getState().actions;
    openAdjacentConversation(1);
    expect(store.getState().openId).toBe(`d-${bob.id}`);
    openAdjacentConversation(1);
    expect(store.getState().openId).toBe(`d-${carol.id}`);
    openAdjacentConversation(1);
    expect(store.getState().openId).toBe(`d-${carol.id}`);
    openAdjacentConversation(-1);
    expect(store.getState().openId).toBe(`d-${bob.id}`);
  });
});
