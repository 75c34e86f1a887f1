// `rate_limited` is not final: the outbox pauses and sends the refused
// messages again later, keeping each conversation in the order written.
// Against a relay with a small send budget; each conversation's messages go
// on the wire together (the outbox's window), so the refusals fall in the
// middle of a window.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/api.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, type RelayProcess, startRelay } from './helpers/relay.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelay(['--limit', 'sendBurst=4', '--limit', 'sendsPerSecond=4']);
});

afterAll(async () => {
  await relay?.cleanup();
});

it('retries rate-limited messages later and stores every one, in order', { timeout: 60_000 }, async () => {
  const [alice, bob, carol] = await Promise.all([
    registerAccount(relay.url, 'Alice'),
    registerAccount(relay.url, 'Bob'),
    registerAccount(relay.url, 'Carol'),
  ]);
  const tap = tappedWebSocket();
  let refusals = 0;
  tap.hideIncoming = (frame) => {
    if (frame.t === 'nack' && frame.code === 'rate_limited') refusals++;
    return false;
  };
  const aliceClient = await TestClient.signedIn(relay.url, alice, { WebSocket: tap.WebSocket });
  try {
    const withBob = (await aliceClient.engine.createDirect(bob.user.id)).id;
    const withCarol = (await aliceClient.engine.createDirect(carol.user.id)).id;
    const written: Record<string, ChatMessage[]> = { [withBob]: [], [withCarol]: [] };
    // Twelve messages, written faster than the relay's budget of 4 a second.
    for (let i = 1; i <= 6; i++) {
      for (const conv of [withBob, withCarol]) written[conv]!.push(await aliceClient.engine.send(conv, `message ${i}`));
    }
    await waitFor(
      () => [withBob, withCarol].every((conv) => aliceClient.messages(conv).every((m) => m.seq !== null)),
      'every message stored',
      30_000,
    );
    expect(refusals).toBeGreaterThan(0);
    expect(aliceClient.events.some((e) => e.type === 'messages' && e.messages.some((m) => m.status === 'failed'))).toBe(false);
    for (const [conv, token] of [
      [withBob, bob.token],
      [withCarol, carol.token],
    ] as const) {
      const log = await relayLog(relay, token, conv);
      expect(log.map((m) => m.cid)).toEqual(written[conv]!.map((m) => m.cid));
    }
  } finally {
    await aliceClient.dispose();
  }
});
