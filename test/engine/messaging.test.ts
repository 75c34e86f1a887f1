// The engine against a real relay on loopback: the outbox, receipts, gaps,
// several devices, history and conversations. Every wait is a poll with a
// generous deadline; nothing depends on how fast this machine is.
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DuplexEvent } from '../../src/shared/api.ts';
import { type ClientOptions, TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, revokeToken, type TestAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { TestClient as RelayClient } from '../relay/support/client.ts';

const suite = relaySuite();

async function account(name: string): Promise<TestAccount> {
  return registerAccount(suite.relay.url, name);
}

function client(acc: TestAccount, options: ClientOptions & { relayUrl?: string } = {}): Promise<TestClient> {
  return suite.client(acc, options);
}

async function proxy(): Promise<TcpProxy> {
  const started = await TcpProxy.start(suite.relay.port);
  suite.afterThisTest(() => started.close());
  return started;
}

function bodiesAndStatus(messages: ChatMessage[]): Array<[string, string | undefined]> {
  return messages.map((m) => [m.body, m.status]);
}

/** The seqs of a conversation in the order a UI first learned of them. */
function firstShownOrder(events: DuplexEvent[], conv: string): number[] {
  const seen: number[] = [];
  for (const event of events) {
    if (event.type !== 'messages' || event.conv !== conv) continue;
    for (const message of event.messages) if (message.seq !== null && !seen.includes(message.seq)) seen.push(message.seq);
  }
  return seen;
}

describe('the outbox', () => {
  it('queues sends while offline, shows them at once, and flushes them once, in order, after reconnecting', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const path = await proxy();
    const tap = tappedWebSocket();
    const sentCids: string[] = [];
    tap.rewriteOutgoing = (frame) => {
      if (frame.t === 'send') sentCids.push(frame.cid);
      return frame;
    };
    const alice = await client(aliceAccount, { relayUrl: path.url, WebSocket: tap.WebSocket });
    const bob = await client(bobAccount);
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;

    path.goOffline();
    await alice.waitForDisconnect();
    const bodies = Array.from({ length: 20 }, (_, i) => `offline ${i + 1}`);
    const written: ChatMessage[] = [];
    for (const body of bodies) written.push(await alice.engine.send(conv, body));
    expect(bodiesAndStatus(written)).toEqual(bodies.map((body) => [body, 'queued']));
    expect(bodiesAndStatus(alice.messages(conv))).toEqual(bodies.map((body) => [body, 'queued']));
    expect(await relayLog(suite.relay, bobAccount.token, conv)).toEqual([]);

    path.goOnline();
    await alice.engine.retryNow();
    await waitFor(() => alice.messages(conv).every((m) => m.seq !== null), 'every message stored');
    const log = await relayLog(suite.relay, bobAccount.token, conv);
    expect(log.map((m) => m.body)).toEqual(bodies);
    expect(log.map((m) => m.cid)).toEqual(written.map((m) => m.cid));
    expect(log.map((m) => m.seq)).toEqual(bodies.map((_, i) => i + 1));
    // Once: each went on the wire a single time (no reconnect happened in between).
    expect(sentCids).toEqual(written.map((m) => m.cid));
    // One entry per message in the UI, the queued echo replaced by the stored one.
    expect(alice.messages(conv).map((m) => m.cid)).toEqual(written.map((m) => m.cid));
    await waitFor(() => bob.messages(conv).length === 20, 'bob has all 20');
    expect(bob.messages(conv).map((m) => m.body)).toEqual(bodies);
  });

  it('refuses a message padded past the frame size limit rather than let it break the connection for ever', async () => {
    const [alice, bob] = await Promise.all([account('Alice'), account('Bob')]);
    const aliceClient = await client(alice);
    const conv = (await aliceClient.engine.createDirect(bob.user.id)).id;
    const onlineBefore = aliceClient.events.filter((e) => e.type === 'status' && e.status.state === 'online').length;

    // Within 4096 characters once trimmed, and within the API's bound on a
    // body's length, but the send frame would be over 64 KiB: the relay
    // would close the socket with 1009 at every resend.
    await expect(aliceClient.engine.send(conv, `hello${' '.repeat(65_000)}`)).rejects.toThrow(RangeError);
    await aliceClient.engine.send(conv, 'next');
    await waitFor(() => aliceClient.messages(conv).at(-1)?.status === 'sent', 'the next message stored');
    expect(aliceClient.messages(conv).map((m) => m.body)).toEqual(['next']);
    expect(aliceClient.status?.state).toBe('online');
    expect(aliceClient.events.filter((e) => e.type === 'status' && e.status.state === 'online').length).toBe(onlineBefore);
  });

  it('sends what a previous run of the engine left in the outbox', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const path = await proxy();
    const first = await TestClient.signedIn(path.url, aliceAccount);
    const conv = (await first.engine.createDirect(bobAccount.user.id)).id;
    path.goOffline();
    await first.waitForDisconnect();
    const bodies = Array.from({ length: 10 }, (_, i) => `before restart ${i + 1}`);
    for (const body of bodies) await first.engine.send(conv, body);
    await first.dispose();

    // A new engine on the same store and the same saved account.
    const second = new TestClient({ storeDir: first.storeDir, accounts: first.accounts });
    suite.afterThisTest(() => second.dispose());
    await second.engine.start();
    const page = await second.engine.getMessages(conv, { limit: 50 });
    expect(bodiesAndStatus(page.messages)).toEqual(bodies.map((body) => [body, 'queued']));

    path.goOnline();
    await second.engine.retryNow();
    await waitFor(async () => (await relayLog(suite.relay, bobAccount.token, conv)).length === 10, 'the relay has all 10');
    const log = await relayLog(suite.relay, bobAccount.token, conv);
    expect(log.map((m) => m.body)).toEqual(bodies);
    expect(log.map((m) => m.cid)).toEqual(page.messages.map((m) => m.cid));
    await waitFor(async () => {
      const stored = (await second.engine.getMessages(conv, { limit: 50 })).messages;
      return stored.length === 10 && stored.every((m) => m.seq !== null);
    }, 'the outbox empty and every message stored once');
  });

  it('turns a final nack into failed, then retries or deletes it', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const tap = tappedWebSocket();
    const alice = await client(aliceAccount, { WebSocket: tap.WebSocket });
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    // The relay refuses messages for a conversation that does not exist.
    tap.rewriteOutgoing = (frame) =>
      frame.t === 'send' && frame.body.startsWith('doomed') ? { ...frame, conv: 'no-such-conversation' } : frame;
    const retried = await alice.engine.send(conv, 'doomed, then retried');
    const deleted = await alice.engine.send(conv, 'doomed, then deleted');
    await waitFor(() => alice.messages(conv).every((m) => m.status === 'failed'), 'both failed');
    expect(alice.messages(conv)[0]!.error).toBeTruthy();

    tap.rewriteOutgoing = null;
    await alice.engine.retry(conv, retried.cid);
    await alice.engine.deleteUnsent(conv, deleted.cid);
    await waitFor(() => alice.messages(conv)[0]?.status === 'sent', 'the retried one sent');
    expect(alice.messages(conv).map((m) => m.cid)).toEqual([retried.cid]);
    expect((await alice.engine.getMessages(conv, { limit: 10 })).messages.map((m) => [m.cid, m.seq])).toEqual([
      [retried.cid, 1],
    ]);
    expect((await relayLog(suite.relay, bobAccount.token, conv)).map((m) => m.body)).toEqual(['doomed, then retried']);
  });
});

describe('receipts', () => {
  it('turns into ticks and unread counts both ways', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const alice = await client(aliceAccount);
    const bob = await client(bobAccount);
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    for (const body of ['one', 'two', 'three']) await alice.engine.send(conv, body);

    // Bob's engine reports delivery by itself.
    await waitFor(() => alice.messages(conv).filter((m) => m.status === 'delivered').length === 3, 'two ticks');
    await waitFor(() => bob.conversations.get(conv)?.unread === 3, 'bob: 3 unread');

    await bob.engine.markRead(conv, 2);
    await waitFor(
      () => alice.messages(conv).map((m) => m.status).join() === 'read,read,delivered',
      'blue ticks up to the second',
    );
    await waitFor(() => bob.conversations.get(conv)?.unread === 1, 'bob: 1 unread');
    await bob.engine.markRead(conv, 3);
    await waitFor(() => alice.messages(conv).every((m) => m.status === 'read'), 'all read');
    await waitFor(() => bob.conversations.get(conv)?.unread === 0, 'bob: none unread');
    expect((await alice.engine.listConversations())[0]!.unread).toBe(0);
  });
});

describe('changes to messages from other clients', () => {
  // Edits, deletes and reactions fold into their targets (docs/engine.md,
  // "Changes to messages"); they must never show as messages of their own.
  it('folds them into their targets, moving the cursor without storing or counting them as unread', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const alice = await client(aliceAccount);
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    await alice.engine.send(conv, 'from alice');
    const [bob] = await RelayClient.signIn(suite.relay.wsUrl, bobAccount.token);
    suite.afterThisTest(() => bob.close());
    const fromBob = await bob.sendMessage(conv, 'from bob');
    if (fromBob.t !== 'ack') throw new Error('send failed');
    expect(await bob.sendMessage(conv, 'edited', { kind: 'edit', target: 2 })).toMatchObject({ t: 'ack' });
    expect(await bob.sendMessage(conv, '👍', { kind: 'react', target: 1 })).toMatchObject({ t: 'ack' });
    // Alice's engine reports delivery up to its cursor: past the changes once it handled them.
    await bob.next('receipt', (receipt) => receipt.user === aliceAccount.user.id && receipt.delivered >= 4);

    const [summary] = await alice.engine.listConversations();
    expect(summary).toMatchObject({ unread: 1, lastActivity: fromBob.msg.ts, lastMessage: { seq: 2, body: 'edited' } });
    expect(alice.messages(conv).map((m) => [m.seq, m.body, m.reactions, m.editedAt !== undefined])).toEqual([
      [1, 'from alice', { [bobAccount.user.id]: '👍' }, false],
      [2, 'edited', undefined, true],
    ]);
    expect((await alice.engine.getMessages(conv, { limit: 10 })).messages.map((m) => m.seq)).toEqual([1, 2]);

    // The next message follows without a gap to fill.
    expect(await bob.sendMessage(conv, 'after the changes')).toMatchObject({ t: 'ack', msg: { seq: 5 } });
    await waitFor(() => alice.messages(conv).length === 3, 'alice sees the third message');
    expect(alice.messages(conv).map((m) => m.seq)).toEqual([1, 2, 5]);
    await waitFor(() => alice.conversations.get(conv)?.unread === 2, 'two unread: the changes do not count');
  });

  it('pages older messages in past a page made only of changes', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const [bob] = await RelayClient.signIn(suite.relay.wsUrl, bobAccount.token);
    suite.afterThisTest(() => bob.close());
    const created = await bob.request({ t: 'create', kind: 'direct', with: aliceAccount.user.id });
    if (created.t !== 'conv') throw new Error('create failed');
    const conv = created.conv.id;
    // seq 1 a message, 2..61 reactions to it, 62 a message.
    expect(await bob.sendMessage(conv, 'first')).toMatchObject({ t: 'ack' });
    for (let i = 0; i < 60; i++) {
      expect(await bob.sendMessage(conv, i % 2 ? '👍' : '🎉', { kind: 'react', target: 1 })).toMatchObject({ t: 'ack' });
    }
    expect(await bob.sendMessage(conv, 'last')).toMatchObject({ t: 'ack', msg: { seq: 62 } });

    // A new device gets seq 13..62, of which only 62 is a message; below it lie only reactions down to 13.
    const alice = await client(aliceAccount);
    await waitFor(() => alice.messages(conv).length === 1, 'the newest message');
    expect(await alice.engine.loadOlder(conv)).toBe(12);
    expect(alice.messages(conv).map((m) => [m.seq, m.body])).toEqual([
      [1, 'first'],
      [62, 'last'],
    ]);
  });
});

describe('gaps', () => {
  it('fills a missing message and shows the conversation in order', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const tap = tappedWebSocket();
    const alice = await client(aliceAccount);
    const bob = await client(bobAccount, { WebSocket: tap.WebSocket });
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    await waitFor(() => bob.conversations.has(conv), 'bob knows the conversation');
    // Bob's engine never sees the live `msg` with seq 2.
    let hidden = 0;
    tap.hideIncoming = (frame) => {
      if (frame.t !== 'msg' || frame.msg.seq !== 2) return false;
      hidden++;
      return true;
    };
    for (const body of ['one', 'two', 'three', 'four']) await alice.engine.send(conv, body);

    await waitFor(() => bob.messages(conv).length === 4, 'bob has all four');
    expect(hidden).toBe(1);
    expect(bob.messages(conv).map((m) => m.body)).toEqual(['one', 'two', 'three', 'four']);
    expect(firstShownOrder(bob.events, conv)).toEqual([1, 2, 3, 4]);
    expect((await bob.engine.getMessages(conv, { limit: 10 })).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe('two devices of one user', () => {
  it('converge on the same messages and read state', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const laptop = await client(aliceAccount);
    const phone = await client(aliceAccount);
    const bob = await client(bobAccount);
    const conv = (await laptop.engine.createDirect(bobAccount.user.id)).id;
    await waitFor(() => phone.conversations.has(conv), 'the phone learns of the conversation');

    await Promise.all([
      (async () => {
        for (let i = 1; i <= 5; i++) await laptop.engine.send(conv, `laptop ${i}`);
      })(),
      (async () => {
        for (let i = 1; i <= 5; i++) await phone.engine.send(conv, `phone ${i}`);
      })(),
      (async () => {
        for (let i = 1; i <= 5; i++) await bob.engine.send(conv, `bob ${i}`);
      })(),
    ]);
    const everything = async (device: TestClient) => (await device.engine.getMessages(conv, { limit: 100 })).messages;
    await waitFor(async () => (await everything(laptop)).filter((m) => m.seq !== null).length === 15, 'laptop has 15');
    await waitFor(async () => (await everything(phone)).filter((m) => m.seq !== null).length === 15, 'phone has 15');
    const view = (messages: ChatMessage[]) => messages.map((m) => [m.seq, m.cid, m.body, m.mine]);
    expect(view(await everything(phone))).toEqual(view(await everything(laptop)));
    expect((await everything(phone)).map((m) => m.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // Both devices count Bob's five as unread until either reads them.
    await waitFor(() => phone.conversations.get(conv)?.unread === 5 && laptop.conversations.get(conv)?.unread === 5, '5 unread on both');
    await laptop.engine.markRead(conv, 15);
    await waitFor(() => phone.conversations.get(conv)?.unread === 0, 'read on the phone too');
  });
});

describe('a device that was away', () => {
  it('drops a conversation left on another device meanwhile, with its unsent messages', async () => {
    const [alice, bob] = await Promise.all([account('Alice'), account('Bob')]);
    const phone = await client(alice);
    const path = await proxy();
    const laptop = await client(alice, { relayUrl: path.url });
    const group = (await phone.engine.createGroup('Short-lived', [bob.user.id])).id;
    await waitFor(() => laptop.conversations.has(group), 'the laptop knows the group');

    path.goOffline();
    await laptop.waitForDisconnect();
    await laptop.engine.send(group, 'written on the laptop, offline');
    await phone.engine.leave(group);
    path.goOnline();
    await laptop.engine.retryNow();
    await waitFor(() => laptop.events.some((e) => e.type === 'conversation-removed' && e.id === group), 'removed');
    await laptop.waitForState('online');
    expect(await laptop.engine.listConversations()).toEqual([]);
    expect((await laptop.engine.getMessages(group, { limit: 10 })).messages).toEqual([]);
  });
});

describe('history', () => {
  it('pages older messages in from the relay and then from the store', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const bob = await client(bobAccount);
    const conv = (await bob.engine.createDirect(aliceAccount.user.id)).id;
    for (let i = 1; i <= 120; i++) await bob.engine.send(conv, `history ${i}`);
    await waitFor(() => bob.messages(conv).every((m) => m.seq !== null), 'all 120 stored');

    // A new device: the session start brings the newest 50 only.
    const alice = await client(aliceAccount);
    await waitFor(() => alice.messages(conv).length === 50, 'the newest 50');
    expect(alice.messages(conv)[0]!.seq).toBe(71);
    expect((await alice.engine.listConversations())[0]!.hasMoreHistory).toBe(true);
    expect(await alice.engine.loadOlder(conv)).toBe(50);
    expect(await alice.engine.loadOlder(conv)).toBe(20);
    expect((await alice.engine.listConversations())[0]!.hasMoreHistory).toBe(false);
    expect(alice.messages(conv).map((m) => m.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));

    const newest = await alice.engine.getMessages(conv, { limit: 30 });
    expect(newest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 91 + i));
    expect(newest.hasMoreLocal).toBe(true);
    const oldest = await alice.engine.getMessages(conv, { beforeSeq: 11, limit: 30 });
    expect(oldest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 1 + i));
    expect(oldest.hasMoreLocal).toBe(false);
  });
});

describe('joining a conversation with a past', () => {
  it('shows its newest messages at once and pages older ones on demand', async () => {
    const [alice, bob, carol] = await Promise.all([account('Alice'), account('Bob'), account('Carol')]);
    const aliceClient = await client(alice);
    const carolClient = await client(carol);
    const group = (await aliceClient.engine.createGroup('Old group', [bob.user.id])).id;
    for (let i = 1; i <= 60; i++) await aliceClient.engine.send(group, `before carol ${i}`);
    await waitFor(() => aliceClient.messages(group).every((m) => m.seq !== null), 'all 60 stored');

    await aliceClient.engine.addMembers(group, [carol.user.id]);
    await waitFor(() => carolClient.messages(group).length === 50, 'carol sees the newest 50');
    expect(carolClient.messages(group)[0]!.seq).toBe(11);
    await aliceClient.engine.send(group, 'welcome carol');
    await waitFor(() => carolClient.messages(group).at(-1)?.body === 'welcome carol', 'the live message');
    expect(await carolClient.engine.loadOlder(group)).toBe(10);
    expect(carolClient.messages(group).map((m) => m.seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
  });

  it('gets only the newest messages of a conversation whose first session start broke off before its batch', async () => {
    const [alice, bob] = await Promise.all([account('Alice'), account('Bob')]);
    const aliceClient = await client(alice);
    const group = (await aliceClient.engine.createGroup('Long group', [bob.user.id])).id;
    for (let i = 1; i <= 60; i++) await aliceClient.engine.send(group, `old ${i}`);
    await waitFor(() => aliceClient.messages(group).every((m) => m.seq !== null), 'all 60 stored');

    // Bob's new device hears of the group in `welcome`, but its batch is lost
    // with the connection.
    const tap = tappedWebSocket();
    const hellos: Array<Record<string, number>> = [];
    tap.rewriteOutgoing = (frame) => {
      if (frame.t === 'hello') hellos.push(frame.cursors);
      return frame;
    };
    tap.hideIncoming = (frame) => frame.t === 'batch';
    const bobClient = await client(bob, { WebSocket: tap.WebSocket });
    expect(bobClient.messages(group)).toEqual([]);
    tap.hideIncoming = null;
    bobClient.engine.wake();
    await waitFor(() => hellos.length === 2, 'the second hello');
    await bobClient.waitForState('online');
    await waitFor(() => bobClient.messages(group).length === 50, 'the newest 50');

    // Holding nothing of it, the device asks for it like a new one: the
    // newest 50, not all 60 from seq 1.
    expect(Object.hasOwn(hellos[1]!, group)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bobClient.messages(group).map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(bobClient.conversations.get(group)?.hasMoreHistory).toBe(true);
  });
});

describe('a device that held a conversation while it was empty', () => {
  it('gets every message written while it was away, from seq 1, not just the newest page', async () => {
    const [alice, bob] = await Promise.all([account('Alice'), account('Bob')]);
    const aliceClient = await client(alice);
    // One conversation Bob's device learns of in `welcome`, one live (`conv`).
    const known = (await aliceClient.engine.createDirect(bob.user.id)).id;
    const first = await TestClient.signedIn(suite.relay.url, bob);
    const joined = (await aliceClient.engine.createGroup('Grows later', [bob.user.id])).id;
    await waitFor(() => first.conversations.has(known) && first.conversations.has(joined), 'the device knows both, empty');
    await first.dispose();

    for (let i = 1; i <= 60; i++) {
      await aliceClient.engine.send(known, `direct ${i}`);
      await aliceClient.engine.send(joined, `group ${i}`);
    }
    await waitFor(() => aliceClient.messages(joined).every((m) => m.seq !== null), 'all stored');

    // The same device comes back: it held both (at seq 0), so it gets all 60
    // of each, and counts all of them unread.
    const again = new TestClient({ storeDir: first.storeDir, accounts: first.accounts });
    suite.afterThisTest(() => again.dispose());
    await again.engine.start();
    await again.waitForState('online');
    const all = Array.from({ length: 60 }, (_, i) => i + 1);
    for (const conv of [known, joined]) {
      expect((await again.engine.getMessages(conv, { limit: 100 })).messages.map((m) => m.seq)).toEqual(all);
      await waitFor(() => again.conversations.get(conv)?.unread === 60, `60 unread in ${conv}`);
      expect(again.conversations.get(conv)?.hasMoreHistory).toBe(false);
    }
  });
});

describe('conversations, people and drafts', () => {
  it('creates, renames, grows and leaves a group', async () => {
    const [alice, bob, carol] = await Promise.all([account('Alice'), account('Bob'), account('Carol')]);
    const aliceClient = await client(alice);
    const bobClient = await client(bob);
    const group = await aliceClient.engine.createGroup('Plans', [bob.user.id]);
    expect(group).toMatchObject({ kind: 'group', title: 'Plans', peerId: null, unread: 0 });
    await waitFor(() => bobClient.conversations.get(group.id)?.title === 'Plans', 'bob sees the group');

    expect((await aliceClient.engine.rename(group.id, 'Better plans')).title).toBe('Better plans');
    await waitFor(() => bobClient.conversations.get(group.id)?.title === 'Better plans', 'bob sees the new title');
    const grown = await aliceClient.engine.addMembers(group.id, [carol.user.id]);
    expect(grown.members.map((m) => m.id).sort()).toEqual([alice.user.id, bob.user.id, carol.user.id].sort());

    await bobClient.engine.leave(group.id);
    expect((await bobClient.engine.listConversations()).map((c) => c.id)).not.toContain(group.id);
    expect(bobClient.events).toContainEqual({ type: 'conversation-removed', id: group.id });
    await waitFor(() => aliceClient.conversations.get(group.id)?.members.length === 2, 'alice sees bob gone');
    await expect(bobClient.engine.send(group.id, 'still here?')).rejects.toThrow(/No such conversation/);
  });

  it('finds users, opens a direct conversation titled after the other person, and shows presence', async () => {
    const [alice, bob] = await Promise.all([account('Alice'), account('Bob')]);
    const aliceClient = await client(alice);
    const found = await aliceClient.engine.searchUsers(bob.username.slice(0, 12));
    expect(found.map((u) => u.id)).toContain(bob.user.id);
    const direct = await aliceClient.engine.createDirect(bob.user.id);
    expect(direct).toMatchObject({ kind: 'direct', title: 'Bob', peerId: bob.user.id });

    const bobClient = await client(bob);
    await waitFor(
      async () => (await aliceClient.engine.getPresence([bob.user.id]))[0]?.online === true,
      'bob online for alice',
    );
    await bobClient.dispose();
    await waitFor(async () => {
      const [presence] = await aliceClient.engine.getPresence([bob.user.id]);
      return presence?.online === false && presence.lastSeen !== undefined;
    }, 'bob offline, last seen set');
  });

  it('searches by a query longer than the relay takes in one frame, without a bad frame', async () => {
    const alice = await account('Alice');
    // 40 code points, 80 UTF-16 units: a valid display name longer than a
    // `users` query may be.
    const displayName = `Zed ${'\u{1F600}'.repeat(38)}`;
    const response = await fetch(`${suite.relay.url}/api/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: `zed_${process.pid}`, password: 'correct horse battery', displayName }),
    });
    expect(response.status).toBe(201);
    const aliceClient = await client(alice);

    const found = await aliceClient.engine.searchUsers(displayName);
    expect(found.map((user) => user.displayName)).toEqual([displayName]);
    expect(await aliceClient.engine.searchUsers(`${displayName} and more`)).toEqual([]);
    expect(await aliceClient.engine.searchUsers('q'.repeat(200))).toEqual([]);
  });

  it('shows typing while the other person types, not after they send or go quiet', async () => {
    const [alice, bob] = await Promise.all([account('Alice'), account('Bob')]);
    const aliceClient = await client(alice, { timing: { typingIdleMs: 60_000 } });
    const bobClient = await client(bob, { timing: { remoteTypingExpiryMs: 500 } });
    const conv = (await aliceClient.engine.createDirect(bob.user.id)).id;
    const typingOf = () =>
      bobClient.events.filter((e) => e.type === 'typing' && e.conv === conv).map((e) => (e.type === 'typing' ? e.users : []));
    await waitFor(() => bobClient.conversations.has(conv), 'bob knows the conversation');

    await aliceClient.engine.setTyping(conv, true);
    await waitFor(() => typingOf().at(-1)?.[0] === alice.user.id, 'bob sees alice typing');
    await aliceClient.engine.send(conv, 'done typing');
    await waitFor(() => typingOf().at(-1)?.length === 0, 'off once sent');

    // No `off` this time (alice's idle timeout is long): the state expires.
    await aliceClient.engine.setTyping(conv, true);
    await waitFor(() => typingOf().at(-1)?.length === 1, 'typing again');
    await waitFor(() => typingOf().at(-1)?.length === 0, 'expired without a refresh');
  });

  it('keeps drafts per conversation across a restart', async () => {
    const [alice, bob, carol] = await Promise.all([account('Alice'), account('Bob'), account('Carol')]);
    const first = await TestClient.signedIn(suite.relay.url, alice);
    const withBob = (await first.engine.createDirect(bob.user.id)).id;
    const withCarol = (await first.engine.createDirect(carol.user.id)).id;
    await first.engine.setDraft(withBob, 'half a thought for Bob');
    await first.engine.setDraft(withCarol, 'something for Carol');
    await first.dispose();
    const second = new TestClient({ storeDir: first.storeDir, accounts: first.accounts });
    suite.afterThisTest(() => second.dispose());
    await second.engine.start();
    const drafts = Object.fromEntries((await second.engine.listConversations()).map((c) => [c.id, c.draft]));
    expect(drafts).toEqual({ [withBob]: 'half a thought for Bob', [withCarol]: 'something for Carol' });
    await second.waitForState('online');
    await second.engine.send(withBob, 'the whole thought');
    expect((await second.engine.listConversations()).find((c) => c.id === withBob)!.draft).toBe('');
  });
});

describe('accounts', () => {
  it('never shows one user’s data to another on the same device, and keeps each user’s own', async () => {
    const [alice, bob, carol] = await Promise.all([account('Alice'), account('Bob'), account('Carol')]);
    const device = new TestClient();
    suite.afterThisTest(() => device.dispose());
    const signIn = async (who: TestAccount) => {
      const result = await device.engine.signIn({ relayUrl: suite.relay.url, username: who.username, password: who.password });
      expect(result).toMatchObject({ ok: true, account: { user: { id: who.user.id }, relayUrl: suite.relay.url } });
      await device.waitForState('online');
    };

    await signIn(alice);
    const conv = (await device.engine.createDirect(carol.user.id)).id;
    await device.engine.send(conv, 'from alice');
    await device.engine.setDraft(conv, 'more from alice');
    const aliceToken = device.accounts.saved!.token;
    await device.engine.signOut();
    expect(await device.engine.getAccount()).toBeNull();
    expect(device.status).toMatchObject({ state: 'offline', stopped: 'signed_out' });
    await expect(device.engine.listConversations()).rejects.toThrow(/Not signed in/);
    // Signing out revoked the token on the relay.
    await expect(revokeToken(suite.relay.url, aliceToken)).rejects.toThrow(/401/);

    const eventsBeforeBob = device.events.length;
    await signIn(bob);
    expect(await device.engine.listConversations()).toEqual([]);
    expect(JSON.stringify(device.events.slice(eventsBeforeBob))).not.toContain(conv);
    await device.engine.signOut();

    await signIn(alice);
    const [summary] = await device.engine.listConversations();
    expect(summary).toMatchObject({ id: conv, draft: 'more from alice', lastMessage: { body: 'from alice' } });
  });

  it('answers failed sign-ins and registrations with their reason', async () => {
    const alice = await account('Alice');
    const device = new TestClient();
    suite.afterThisTest(() => device.dispose());
    const attempt = (relayUrl: string, password = alice.password) =>
      device.engine.signIn({ relayUrl, username: alice.username, password });
    expect(await attempt(suite.relay.url, 'not the password')).toMatchObject({ ok: false, code: 'bad_credentials' });
    expect(await attempt('http://127.0.0.1:9')).toMatchObject({ ok: false, code: 'unreachable' });
    expect(await attempt('relay.example.com')).toMatchObject({ ok: false, code: 'invalid' });
    expect(
      await device.engine.register({ relayUrl: suite.relay.url, username: alice.username, password: 'long enough', displayName: ' ' }),
    ).toMatchObject({ ok: false, code: 'taken' });
    expect(await device.engine.getAccount()).toBeNull();
  });
});
