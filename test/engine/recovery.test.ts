// How the engine's connection recovers, or rightly refuses to, against a real
// relay: half-open connections, the host's resume signal, revoked tokens and
// a relay that wants a newer client.
import { describe, expect, it } from 'vitest';
import { MemoryAccounts, TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, revokeToken, startRelay } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';

const suite = relaySuite();

async function proxy(): Promise<TcpProxy> {
  const started = await TcpProxy.start(suite.relay.port);
  suite.afterThisTest(() => started.close());
  return started;
}

describe('connection recovery', () => {
  it('detects a half-open connection by the ping deadline and recovers', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    const path = await proxy();
    const tap = tappedWebSocket();
    const aliceClient = await TestClient.signedIn(path.url, alice, {
      WebSocket: tap.WebSocket,
      timing: { pingIntervalMs: 300, pongTimeoutMs: 2_000 },
    });
    suite.afterThisTest(() => aliceClient.dispose());
    const conv = (await aliceClient.engine.createDirect(bob.user.id)).id;
    const socketsBefore = tap.openedAt.length;

    // The path goes silent without closing: nothing tells the socket.
    path.freeze();
    await waitFor(
      () => aliceClient.status?.lastCloseReason === 'No answer from the relay within 2 s',
      'the ping deadline to pass',
    );
    await aliceClient.waitForState('online');
    expect(tap.openedAt.length).toBeGreaterThan(socketsBefore);
    await aliceClient.engine.send(conv, 'after the silence');
    await waitFor(() => aliceClient.messages(conv)[0]?.seq === 1, 'stored over the new connection');
  });

  it('reconnects at once, without waiting for the backoff, when the host wakes it', async () => {
    const alice = await registerAccount(suite.relay.url, 'Alice');
    const path = await proxy();
    const aliceClient = await TestClient.signedIn(path.url, alice, {
      timing: { reconnectBackoff: { baseMs: 60_000, maxMs: 60_000 } },
      random: () => 0.99,
    });
    suite.afterThisTest(() => aliceClient.dispose());
    path.goOffline();
    await waitFor(() => aliceClient.status?.nextRetryAt, 'a retry scheduled');
    expect(aliceClient.status!.nextRetryAt! - Date.now()).toBeGreaterThan(30_000);
    path.goOnline();
    // The next attempt may be a minute away; the resume signal does not wait.
    aliceClient.engine.wake();
    await aliceClient.waitForState('online', 5_000);
  });

  it('stops retrying and signs out when the relay revokes the token (4001)', async () => {
    const alice = await registerAccount(suite.relay.url, 'Alice');
    const tap = tappedWebSocket();
    const aliceClient = await TestClient.signedIn(suite.relay.url, alice, { WebSocket: tap.WebSocket });
    suite.afterThisTest(() => aliceClient.dispose());
    const token = aliceClient.accounts.saved!.token;

    // Signing out "on another device" with this device's token.
    await revokeToken(suite.relay.url, token);
    await waitFor(() => aliceClient.status?.stopped === 'signed_out', 'stopped: signed out');
    expect(aliceClient.events).toContainEqual({ type: 'account', account: null });
    expect(aliceClient.accounts.saved).toBeNull();
    expect(await aliceClient.engine.getAccount()).toBeNull();
    expect(aliceClient.status).toMatchObject({ state: 'offline', nextRetryAt: null });
    const attempts = tap.openedAt.length;
    await aliceClient.engine.retryNow();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(tap.openedAt).toHaveLength(attempts);
  });

  it('signed out by the relay, forgets only its own account, not one another tab saved since', async () => {
    const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
    // Two tabs of the web client share one account storage (localStorage).
    const shared = new MemoryAccounts();
    const aliceTab = await TestClient.signedIn(suite.relay.url, alice, { accounts: shared });
    suite.afterThisTest(() => aliceTab.dispose());
    const aliceToken = shared.saved!.token;
    const bobTab = await TestClient.signedIn(suite.relay.url, bob, { accounts: shared });
    suite.afterThisTest(() => bobTab.dispose());
    expect(shared.saved?.user.id).toBe(bob.user.id);

    await revokeToken(suite.relay.url, aliceToken);
    await waitFor(() => aliceTab.status?.stopped === 'signed_out', 'alice’s tab signed out');
    expect(shared.saved?.user.id).toBe(bob.user.id);
  });

  it('stops with "update needed" when the relay does not speak its protocol version (4002)', async () => {
    const alice = await registerAccount(suite.relay.url, 'Alice');
    const tap = tappedWebSocket();
    // A relay from the future: it refuses version 1, which this tap makes
    // the engine look like by changing the version it announces.
    tap.rewriteOutgoing = (frame) => (frame.t === 'hello' ? { ...frame, v: 99 } : frame);
    const aliceClient = new TestClient({ WebSocket: tap.WebSocket });
    suite.afterThisTest(() => aliceClient.dispose());
    const result = await aliceClient.engine.signIn({ relayUrl: suite.relay.url, username: alice.username, password: alice.password });
    expect(result.ok).toBe(true);
    await waitFor(() => aliceClient.status?.stopped === 'update_needed', 'stopped: update needed');
    expect(aliceClient.status?.lastCloseReason).toMatch(/update needed/);
    // Still signed in, with the local data in view.
    expect(await aliceClient.engine.getAccount()).toMatchObject({ user: { id: alice.user.id } });
    expect(await aliceClient.engine.listConversations()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(tap.openedAt).toHaveLength(1);
  });

  it('keeps its account and reconnects when a slow path makes its hello late (1008, not 4001)', async () => {
    // A relay of its own with a short hello timeout, and a path that holds the
    // first socket's hello for longer than that: the 11 s of a real stall
    // against the default 10 s, scaled down.
    const slowRelay = await startRelay(['--no-rate-limits', '--limit', 'helloTimeoutMs=1000']);
    suite.afterThisTest(() => slowRelay.cleanup());
    const alice = await registerAccount(slowRelay.url, 'Alice');
    const path = await TcpProxy.start(slowRelay.port);
    suite.afterThisTest(() => path.close());
    const tap = tappedWebSocket();
    const aliceClient = new TestClient({ WebSocket: tap.WebSocket, timing: { reconnectBackoff: { baseMs: 100, maxMs: 200 } } });
    suite.afterThisTest(() => aliceClient.dispose());
    path.stallNextUpgrade(1_600);
    const result = await aliceClient.engine.signIn({ relayUrl: path.url, username: alice.username, password: alice.password });
    expect(result.ok).toBe(true);

    await waitFor(() => tap.closes.length > 0, 'the relay to give up on the hello');
    expect(tap.closes[0]).toEqual({ code: 1008, reason: 'no hello in time' });
    await aliceClient.waitForState('online');
    expect(aliceClient.status?.stopped).toBeNull();
    expect(aliceClient.accounts.saved?.user.id).toBe(alice.user.id);
    expect(await aliceClient.engine.getAccount()).toMatchObject({ user: { id: alice.user.id } });
    expect(tap.openedAt.length).toBeGreaterThanOrEqual(2);
  });

  it('signs out, saying the session expired, when its token expired while it was away', async () => {
    // Sign-ins unused for 1 s expire; the sweep that keeps open sessions'
    // tokens fresh runs too rarely to matter here.
    const expiring = await startRelay(['--no-rate-limits', '--limit', 'sessionIdleMs=1000', '--limit', 'tokenRecheckIntervalMs=60000']);
    suite.afterThisTest(() => expiring.cleanup());
    const alice = await registerAccount(expiring.url, 'Alice');
    const path = await TcpProxy.start(expiring.port);
    suite.afterThisTest(() => path.close());
    const aliceClient = await TestClient.signedIn(path.url, alice, { timing: { reconnectBackoff: { baseMs: 100, maxMs: 200 } } });
    suite.afterThisTest(() => aliceClient.dispose());
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    path.dropAll();
    await waitFor(() => aliceClient.status?.stopped === 'signed_out', 'stopped: signed out');
    expect(aliceClient.status?.lastCloseReason).toBe('Your session expired; sign in again.');
    expect(aliceClient.accounts.saved).toBeNull();
    expect(await aliceClient.engine.getAccount()).toBeNull();
  });

  it('reports a dropped connection as lost, not as closed on purpose, and reconnects', async () => {
    const alice = await registerAccount(suite.relay.url, 'Alice');
    const path = await proxy();
    const aliceClient = await TestClient.signedIn(path.url, alice);
    suite.afterThisTest(() => aliceClient.dispose());
    path.dropAll();
    await waitFor(() => aliceClient.status?.state !== 'online', 'noticed the drop');
    expect(aliceClient.status?.lastCloseReason).toBe('Connection lost');
    await aliceClient.waitForState('online');
  });
});
