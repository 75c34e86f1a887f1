// Pin, archive and mute through the engine, against a real relay
// (docs/engine.md, "Chat state"): shown at once, on every device of the
// user, kept on the device while offline and across a restart, coalesced,
// and sent again after a `rate_limited` refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatState } from '../../src/shared/api.ts';
import {
  type ChatStateRequestFrame,
  type ClientFrame,
  DEFAULT_CHAT_STATE,
  MUTED_FOREVER,
} from '../../src/shared/protocol/index.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, type RelayProcess, startRelay } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';

const suite = relaySuite();

async function proxy(relay: RelayProcess = suite.relay): Promise<TcpProxy> {
  const started = await TcpProxy.start(relay.port);
  suite.afterThisTest(() => started.close());
  return started;
}

const stateOn = (client: TestClient, conv: string): ChatState | undefined => client.conversations.get(conv)?.chatState;

/** A tap that records the chatstate frames the engine sends. */
function chatStateTap() {
  const tap = tappedWebSocket();
  const sent: ClientFrame[] = [];
  tap.rewriteOutgoing = (frame) => {
    if (frame.t === 'chatstate') sent.push(frame);
    return frame;
  };
  return { tap, sent };
}

describe('chat state', () => {
  it('is shown at once and reaches every device of the user, and nobody else', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    const [phone, laptop, bobClient] = await Promise.all([suite.client(alice), suite.client(alice), suite.client(bob)]);
    const conv = (await phone.engine.createDirect(bob.user.id)).id;
    await waitFor(() => laptop.conversations.get(conv), 'the chat on the laptop');

    // A field given as undefined leaves it as it is.
    const pinned = await phone.engine.setChatState(conv, { pinned: true, mutedUntil: undefined });
    expect(pinned.chatState).toEqual({ ...DEFAULT_CHAT_STATE, pinned: true });
    await waitFor(() => stateOn(laptop, conv)?.pinned, 'the pin on the laptop');

    await laptop.engine.setChatState(conv, { archived: true, mutedUntil: MUTED_FOREVER });
    await waitFor(() => stateOn(phone, conv)?.mutedUntil === MUTED_FOREVER, 'the mute on the phone');
    expect(stateOn(phone, conv)).toEqual({ pinned: true, archived: true, mutedUntil: MUTED_FOREVER });

    // A new device hears it in its session start; Bob's own state is untouched.
    const tablet = await suite.client(alice);
    expect((await tablet.engine.listConversations()).find((c) => c.id === conv)?.chatState).toEqual({
      pinned: true,
      archived: true,
      mutedUntil: MUTED_FOREVER,
    });
    expect((await bobClient.engine.listConversations()).find((c) => c.id === conv)?.chatState).toEqual(DEFAULT_CHAT_STATE);
  });

  it('sends a change made while the previous one is on the wire after its answer, and ends at the last', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    const tap = tappedWebSocket();
    const sent: ChatStateRequestFrame[] = [];
    let meanwhile: Promise<unknown> | undefined;
    // The user changes the chat again the moment the first frame goes out,
    // before its answer can be back.
    tap.rewriteOutgoing = (frame) => {
      if (frame.t !== 'chatstate') return frame;
      sent.push(frame);
      meanwhile ??= phone.engine.setChatState(frame.conv, { pinned: false, archived: true });
      return frame;
    };
    const phone = await TestClient.signedIn(suite.relay.url, alice, { WebSocket: tap.WebSocket });
    suite.afterThisTest(() => phone.dispose());
    const laptop = await suite.client(alice);
    const conv = (await phone.engine.createDirect(bob.user.id)).id;
    await waitFor(() => laptop.conversations.get(conv), 'the chat on the laptop');

    await phone.engine.setChatState(conv, { pinned: true });
    await waitFor(() => meanwhile, 'the change made meanwhile');
    await meanwhile;
    await waitFor(() => stateOn(laptop, conv)?.archived, 'the second change on the laptop');
    expect(stateOn(laptop, conv)).toEqual({ pinned: false, archived: true, mutedUntil: null });
    // One frame per conversation on the wire at a time: the first, then what changed after it.
    expect(sent.map(({ rid: _rid, ...frame }) => frame)).toEqual([
      { t: 'chatstate', conv, pinned: true },
      { t: 'chatstate', conv, pinned: false, archived: true },
    ]);
    // The first answer (pinned) did not stick on the phone; the second did, and nothing is left to send.
    await waitFor(() => stateOn(phone, conv)?.archived && !stateOn(phone, conv)?.pinned, 'the phone settled');
    const reopened = await phone.engine.listConversations();
    expect(reopened.find((c) => c.id === conv)?.chatState).toEqual({ pinned: false, archived: true, mutedUntil: null });
  });

  it('refuses a mute that has ended and an unknown conversation, changing nothing', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    const phone = await suite.client(alice);
    const conv = (await phone.engine.createDirect(bob.user.id)).id;
    await expect(phone.engine.setChatState(conv, { mutedUntil: Date.now() - 1 })).rejects.toThrow(/in the future/);
    await expect(phone.engine.setChatState('no-such-chat', { pinned: true })).rejects.toThrow(/No such conversation/);
    await expect(phone.engine.setChatState(conv, { pinned: 'yes' } as never)).rejects.toThrow(/invalid arguments/);
    expect((await phone.engine.listConversations())[0]?.chatState).toEqual(DEFAULT_CHAT_STATE);
  });

  it('keeps a change made offline across a restart, and sends only the outcome of many when back', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    const path = await proxy();
    const laptop = await suite.client(alice);
    const first = await TestClient.signedIn(path.url, alice);
    const conv = (await first.engine.createDirect(bob.user.id)).id;
    path.goOffline();
    await first.waitForDisconnect();
    for (const pinned of [true, false, true]) await first.engine.setChatState(conv, { pinned });
    const shown = await first.engine.setChatState(conv, { archived: true });
    expect(shown.chatState).toEqual({ pinned: true, archived: true, mutedUntil: null });
    await first.dispose();

    // A new engine on the same store: still shown, still to be sent.
    const { tap, sent } = chatStateTap();
    const second = new TestClient({ storeDir: first.storeDir, accounts: first.accounts, WebSocket: tap.WebSocket });
    suite.afterThisTest(() => second.dispose());
    await second.engine.start();
    expect((await second.engine.listConversations())[0]?.chatState).toEqual({ pinned: true, archived: true, mutedUntil: null });

    path.goOnline();
    await second.engine.retryNow();
    await waitFor(() => stateOn(laptop, conv)?.archived, 'the change on the laptop');
    expect(stateOn(laptop, conv)).toEqual({ pinned: true, archived: true, mutedUntil: null });
    expect(sent).toEqual([{ t: 'chatstate', rid: expect.any(String), conv, pinned: true, archived: true }]);
    // The welcome's older `mine` (unpinned, unarchived) never undid it on screen.
    expect(second.events.flatMap((event) => (event.type === 'conversation' ? [event.conversation.chatState] : []))).not.toContainEqual(
      DEFAULT_CHAT_STATE,
    );

    // Confirmed: a later session start sends nothing again.
    path.goOffline();
    await second.waitForDisconnect();
    path.goOnline();
    await second.engine.retryNow();
    await second.waitForState('online');
    expect(sent).toHaveLength(1);
  });

  it('sends a mute that ended while it waited as an unmute', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    const path = await proxy();
    const laptop = await suite.client(alice);
    const { tap, sent } = chatStateTap();
    const phone = await TestClient.signedIn(path.url, alice, { WebSocket: tap.WebSocket });
    suite.afterThisTest(() => phone.dispose());
    const conv = (await phone.engine.createDirect(bob.user.id)).id;
    await waitFor(() => laptop.conversations.get(conv), 'the chat on the laptop');
    await laptop.engine.setChatState(conv, { mutedUntil: MUTED_FOREVER });
    await waitFor(() => stateOn(phone, conv)?.mutedUntil === MUTED_FOREVER, 'the mute on the phone');

    path.goOffline();
    await phone.waitForDisconnect();
    await phone.engine.setChatState(conv, { mutedUntil: Date.now() + 200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    path.goOnline();
    await phone.engine.retryNow();
    await waitFor(() => stateOn(laptop, conv)?.mutedUntil === null, 'the unmute on the laptop');
    expect(sent.at(-1)).toMatchObject({ conv, mutedUntil: null });
    await waitFor(() => stateOn(phone, conv)?.mutedUntil === null, 'the relay’s state on the phone');
  });
});

describe('chat state over the conversation-change limit', () => {
  let limited: RelayProcess;

  beforeAll(async () => {
    limited = await startRelay(['--limit', 'conversationChangeBurst=2', '--limit', 'conversationChangesPerMinute=60']);
  });
  afterAll(async () => {
    await limited.cleanup();
  });

  it('is sent again after a rate_limited refusal, and arrives', async () => {
    const [alice, bob] = await Promise.all([registerAccount(limited.url, 'Alice'), registerAccount(limited.url, 'Bob')]);
    const { tap, sent } = chatStateTap();
    const phone = await TestClient.signedIn(limited.url, alice, {
      WebSocket: tap.WebSocket,
      timing: { sendRetryBackoff: { baseMs: 200, maxMs: 1_000 } },
    });
    suite.afterThisTest(() => phone.dispose());
    // The create takes one token, these two more: the third is refused at first.
    const conv = (await phone.engine.createDirect(bob.user.id)).id;
    const convB = (await phone.engine.createGroup('Second', [bob.user.id])).id;
    await phone.engine.setChatState(conv, { pinned: true });
    await phone.engine.setChatState(convB, { archived: true });
    const tablet = await TestClient.signedIn(limited.url, alice);
    suite.afterThisTest(() => tablet.dispose());
    await waitFor(() => stateOn(tablet, conv)?.pinned && stateOn(tablet, convB)?.archived, 'both changes on the tablet', 10_000);
    expect(sent.length).toBeGreaterThan(2);
  });
});
