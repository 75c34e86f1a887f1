// Changes to messages through the engine against a real relay on loopback
// (docs/engine.md, "Changes to messages", "Changes in the outbox"): changes
// made offline wait behind the message they target and go out once, in
// order; changes from others fold into their targets without counting as
// unread or moving the conversation; the state survives a restart.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/api.ts';
import type { SendFrame } from '../../src/shared/protocol/index.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, type TestAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';

const suite = relaySuite();

function account(name: string): Promise<TestAccount> {
  return registerAccount(suite.relay.url, name);
}

function ref(message: ChatMessage) {
  return { cid: message.cid, seq: message.seq };
}

describe('changes to messages', () => {
  it('sends changes made offline behind the message they target, once and in order', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const path = await TcpProxy.start(suite.relay.port);
    suite.afterThisTest(() => path.close());
    const tap = tappedWebSocket();
    const sent: SendFrame[] = [];
    tap.rewriteOutgoing = (frame) => {
      if (frame.t === 'send') sent.push(frame);
      return frame;
    };
    const alice = await suite.client(aliceAccount, { relayUrl: path.url, WebSocket: tap.WebSocket });
    const bob = await suite.client(bobAccount);
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    await waitFor(() => bob.conversations.get(conv), 'bob learns of the conversation');
    const fromBob = await bob.engine.send(conv, 'from bob');
    await waitFor(() => alice.messages(conv).find((m) => m.cid === fromBob.cid && m.seq !== null), 'alice has bob’s message');
    const bobsMessage = alice.messages(conv).find((m) => m.cid === fromBob.cid)!;

    path.goOffline();
    await alice.waitForDisconnect();
    const hello = await alice.engine.send(conv, 'helo');
    await alice.engine.edit(conv, ref(hello), 'hello');
    await alice.engine.react(conv, ref(hello), '😂');
    await alice.engine.react(conv, ref(bobsMessage), '👍');
    const doomed = await alice.engine.send(conv, 'wrong chat');
    await alice.engine.deleteForEveryone(conv, ref(doomed));
    // Shown at once, with the changes applied.
    expect(alice.messages(conv).map((m) => [m.body, m.editedAt !== undefined, m.reactions, m.deleted])).toEqual([
      ['from bob', false, { [aliceAccount.user.id]: '👍' }, undefined],
      ['hello', true, { [aliceAccount.user.id]: '😂' }, undefined],
      ['', false, undefined, true],
    ]);
    // Nothing of it went out while offline, and the conversation is not unread.
    expect(sent.filter((f) => f.kind !== undefined)).toEqual([]);

    path.goOnline();
    await waitFor(async () => (await alice.engine.listConversations())[0] && alice.status?.state === 'online', 'back online');
    await waitFor(
      () => bob.messages(conv).map((m) => [m.body, m.deleted ?? false, m.reactions?.[aliceAccount.user.id]]).join('|') ===
        ['from bob,false,👍', 'hello,false,😂', ',true,'].join('|'),
      'bob sees the changes',
    );
    const [helloSeq, doomedSeq] = [hello, doomed].map((m) => alice.messages(conv).find((x) => x.cid === m.cid)!.seq);
    // Each job went out once, in the order written, the changes naming the
    // seqs their targets got.
    const unique = [...new Map(sent.map((f) => [f.cid, f])).values()];
    expect(unique.map((f) => [f.kind ?? 'send', f.target ?? null, f.body])).toEqual([
      ['send', null, 'helo'],
      ['edit', helloSeq, 'hello'],
      ['react', helloSeq, '😂'],
      ['react', bobsMessage.seq, '👍'],
      ['send', null, 'wrong chat'],
      ['delete', doomedSeq, ''],
    ]);
    expect(sent.length).toBe(unique.length);
    expect(bob.messages(conv)).toHaveLength(3);
    await waitFor(async () => (await alice.engine.listConversations())[0]?.lastMessage?.deleted === true, 'alice: preview deleted');
    expect((await alice.engine.getMessages(conv, { limit: 10 })).messages.map((m) => m.body)).toEqual(['from bob', 'hello', '']);
  });

  it('folds changes from others without unread, notification-worthy activity or a new message, and keeps them across a restart', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const alice = await suite.client(aliceAccount);
    const bob = await suite.client(bobAccount);
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    await waitFor(() => bob.conversations.get(conv), 'bob learns of the conversation');
    const mine = await alice.engine.send(conv, 'react to me');
    const theirs = await bob.engine.send(conv, 'I will fix this');
    await waitFor(() => alice.messages(conv).filter((m) => m.seq !== null).length === 2, 'alice has both');
    await alice.engine.markRead(conv, alice.messages(conv).at(-1)!.seq!);
    const before = await waitFor(() => {
      const summary = alice.conversations.get(conv);
      return summary?.unread === 0 && summary.lastMessage?.body === 'I will fix this' ? summary : undefined;
    }, 'read, with bob’s message last');
    const mineOnBob = await waitFor(() => bob.messages(conv).find((m) => m.cid === mine.cid && m.seq !== null), 'bob has it');
    const theirsStored = await waitFor(() => bob.messages(conv).find((m) => m.cid === theirs.cid && m.seq !== null), 'stored');

    await bob.engine.react(conv, ref(mineOnBob), '❤️');
    await bob.engine.edit(conv, ref(theirsStored), 'I fixed this');
    await waitFor(() => alice.messages(conv).at(-1)?.body === 'I fixed this', 'alice sees the edit');
    await waitFor(() => alice.messages(conv)[0]?.reactions?.[bobAccount.user.id] === '❤️', 'alice sees the reaction');
    // The list says who reacted, until a message comes after the reaction.
    await waitFor(() => alice.conversations.get(conv)?.lastReaction?.emoji === '❤️', 'the list shows the reaction');
    const after = alice.conversations.get(conv)!;
    expect(after.lastReaction).toMatchObject({ from: bobAccount.user.id, body: 'react to me' });
    expect(after.unread).toBe(0);
    expect(after.lastActivity).toBe(before.lastActivity);
    expect(after.lastMessage?.seq).toBe(before.lastMessage?.seq);
    expect(alice.messages(conv)).toHaveLength(2);

    // Toggling off, and a delete, then a restart on the same files.
    await bob.engine.react(conv, ref(mineOnBob), '');
    await bob.engine.deleteForEveryone(conv, ref(theirsStored));
    await waitFor(() => alice.messages(conv).at(-1)?.deleted === true, 'alice sees the delete');
    await waitFor(() => alice.messages(conv)[0]?.reactions === undefined, 'the reaction is gone');
    await bob.engine.send(conv, 'a new message');
    await waitFor(() => alice.conversations.get(conv)?.lastMessage?.body === 'a new message', 'alice gets it');
    expect(alice.conversations.get(conv)?.lastReaction).toBeUndefined();
    await alice.dispose();
    const again = new TestClient({ storeDir: alice.storeDir, accounts: alice.accounts });
    suite.afterThisTest(() => again.dispose());
    await again.engine.start();
    const page = await again.engine.getMessages(conv, { limit: 10 });
    expect(page.messages.map((m) => [m.body, m.deleted ?? false, m.reactions ?? null])).toEqual([
      ['react to me', false, null],
      ['', true, null],
      ['a new message', false, null],
    ]);
  });

  it('refuses changes the relay would refuse, before they enter the outbox', async () => {
    const [aliceAccount, bobAccount] = await Promise.all([account('Alice'), account('Bob')]);
    const alice = await suite.client(aliceAccount);
    const bob = await suite.client(bobAccount);
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    await waitFor(() => bob.conversations.get(conv), 'bob learns of the conversation');
    const theirs = await bob.engine.send(conv, 'bob’s');
    const stored = await waitFor(() => alice.messages(conv).find((m) => m.cid === theirs.cid && m.seq !== null), 'stored');
    await expect(alice.engine.edit(conv, ref(stored), 'mine now')).rejects.toThrow(/own messages/);
    await expect(alice.engine.deleteForEveryone(conv, ref(stored))).rejects.toThrow(/own messages/);
    await expect(alice.engine.react(conv, ref(stored), 'ok')).rejects.toThrow(/one emoji/);
    await expect(alice.engine.react(conv, ref(stored), '👍👍')).rejects.toThrow(/one emoji/);
    await expect(alice.engine.react(conv, { cid: stored.cid, seq: stored.seq! + 5 }, '👍')).rejects.toThrow(/not on this device/);
    const mine = await alice.engine.send(conv, 'mine');
    await expect(alice.engine.edit(conv, ref(mine), '   ')).rejects.toThrow(/empty/);
    await expect(alice.engine.forward(conv, conv, 999)).rejects.toThrow(/not on this device/);
    expect((await alice.engine.getMessages(conv, { limit: 10 })).messages.map((m) => m.body)).toEqual(['bob’s', 'mine']);
  });

  it('forwards a stored message as a new one marked forwarded', async () => {
    const [aliceAccount, bobAccount, carolAccount] = await Promise.all([account('Alice'), account('Bob'), account('Carol')]);
    const alice = await suite.client(aliceAccount);
    const carol = await suite.client(carolAccount);
    const withBob = (await alice.engine.createDirect(bobAccount.user.id)).id;
    const withCarol = (await alice.engine.createDirect(carolAccount.user.id)).id;
    const original = await alice.engine.send(withBob, 'worth passing on');
    const stored = await waitFor(() => alice.messages(withBob).find((m) => m.cid === original.cid && m.seq !== null), 'stored');
    const forwarded = await alice.engine.forward(withCarol, withBob, stored.seq!);
    expect(forwarded).toMatchObject({ body: 'worth passing on', forwarded: true, status: 'queued' });
    await waitFor(() => carol.messages(withCarol).find((m) => m.forwarded && m.body === 'worth passing on'), 'carol gets it forwarded');
  });
});
