// 200 engines lose the relay at the same instant (one proxy drops every
// connection): their full-jitter backoff must spread the reconnects over the
// first backoff window (0..500 ms) instead of sending a herd at the relay.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryAccounts, TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, type RelayProcess, startRelay } from './helpers/relay.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';

const ENGINES = 200;
let relay: RelayProcess;
let proxy: TcpProxy;

beforeAll(async () => {
  relay = await startRelay(['--no-rate-limits', '--limit', `socketsPerUser=${ENGINES * 2}`]);
  proxy = await TcpProxy.start(relay.port);
});

afterAll(async () => {
  await proxy?.close();
  await relay?.cleanup();
});

it(`spreads the reconnects of ${ENGINES} engines dropped at once`, { timeout: 90_000 }, async () => {
  const account = await registerAccount(relay.url, 'Many');
  const tap = tappedWebSocket();
  const clients = Array.from({ length: ENGINES }, () => {
    const accounts = new MemoryAccounts();
    accounts.saved = { user: account.user, token: account.token, relayUrls: [proxy.url] };
    return new TestClient({ accounts, WebSocket: tap.WebSocket });
  });
  try {
    await Promise.all(clients.map((c) => c.engine.start()));
    await waitFor(() => clients.every((c) => c.status?.state === 'online'), 'all online', 60_000);

    const droppedAt = Date.now();
    const socketsBefore = tap.openedAt.length;
    proxy.dropAll();
    await waitFor(() => tap.openedAt.length >= socketsBefore + ENGINES, 'every engine reconnecting', 30_000);
    await waitFor(() => clients.every((c) => c.status?.state === 'online'), 'all online again', 60_000);

    const delays = tap.openedAt.slice(socketsBefore).map((at) => at - droppedAt);
    expect(delays.length).toBeGreaterThanOrEqual(ENGINES);
    const firstAttempts = delays.slice(0, ENGINES).sort((a, b) => a - b);
    const spread = firstAttempts.at(-1)! - firstAttempts[0]!;
    const buckets = new Map<number, number>();
    for (const delay of firstAttempts) buckets.set(Math.floor(delay / 50), (buckets.get(Math.floor(delay / 50)) ?? 0) + 1);
    const busiestBucket = Math.max(...buckets.values());
    console.log(
      `${ENGINES} reconnects: first after ${firstAttempts[0]} ms, last after ${firstAttempts.at(-1)} ms, ` +
        `median ${firstAttempts[ENGINES / 2]} ms; busiest 50 ms window held ${busiestBucket}`,
    );
    // Uniform over 500 ms puts ~20 in each 50 ms window; a herd puts all 200 in one.
    expect(spread).toBeGreaterThan(300);
    expect(busiestBucket).toBeLessThan(ENGINES / 4);
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
});
