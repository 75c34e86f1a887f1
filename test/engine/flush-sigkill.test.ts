// The outbox's promise under the worst timing: 1,000 messages queued while
// the relay is down, and the relay killed with SIGKILL in the middle of
// flushing them. After it comes back, each message is stored exactly once,
// in the order written, on the relay and on the device.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/api.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, type RelayProcess, startRelay } from './helpers/relay.ts';

const COUNT = 1_000;
let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  await relay?.cleanup();
});

it('stores each of 1,000 queued messages exactly once, in order, across a SIGKILL mid-flush', { timeout: 90_000 }, async () => {
  const [aliceAccount, bobAccount] = await Promise.all([
    registerAccount(relay.url, 'Alice'),
    registerAccount(relay.url, 'Bob'),
  ]);
  const alice = await TestClient.signedIn(relay.url, aliceAccount);
  try {
    const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
    await relay.stop('SIGTERM');
    await alice.waitForDisconnect();

    const written: ChatMessage[] = [];
    for (let i = 1; i <= COUNT; i++) written.push(await alice.engine.send(conv, `message ${String(i).padStart(4, '0')}`));

    // Kill the relay the moment a fifth of the flush is acknowledged.
    let storedAtKill = -1;
    let killed: Promise<unknown> | null = null;
    alice.engine.onEvent((event) => {
      if (killed || event.type !== 'messages') return;
      const stored = alice.messages(conv).filter((m) => m.seq !== null).length;
      if (stored >= COUNT / 5) {
        storedAtKill = stored;
        killed = relay.stop('SIGKILL');
      }
    });
    await relay.restart();
    await alice.engine.retryNow();
    await waitFor(() => killed, 'the flush under way', 30_000);
    await killed;
    expect(storedAtKill).toBeLessThan(COUNT);

    await relay.restart();
    await alice.engine.retryNow();
    await waitFor(() => alice.messages(conv).every((m) => m.seq !== null), 'every message stored', 60_000);

    const expected = written.map((m, i) => [i + 1, m.cid, m.body]);
    const log = await relayLog(relay, bobAccount.token, conv);
    expect(log.map((m) => [m.seq, m.cid, m.body])).toEqual(expected);
    // The largest page the API allows; nothing stored beyond it either.
    const onDevice = await alice.engine.getMessages(conv, { limit: COUNT });
    expect(onDevice.messages.map((m) => [m.seq, m.cid, m.body])).toEqual(expected);
    expect(onDevice.hasMoreLocal).toBe(false);
    expect(alice.messages(conv).map((m) => [m.seq, m.cid, m.body])).toEqual(expected);
  } finally {
    await alice.dispose();
  }
});
