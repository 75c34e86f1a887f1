// 200 engines lose the relay at the same instant (one proxy drops every
// connection): their full-jitter backoff must spread the reconnects over the
// first backoff window (0..500 ms) instead of sending a herd at the relay.
//
// The assertions are on the delays the engines chose (each announces its
// next retry in its status as it schedules it), because the times at which
// the sockets actually open also carry the test process's own scheduling:
// 200 engines, a proxy and a relay on two shared cores bunch them up by tens
// of milliseconds. The opening times are measured and printed as well.
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

    const chosenDelays: number[] = [];
    const unsubscribes = clients.map((c) => {
      let recorded = false;
      return c.engine.onEvent((event) => {
        if (recorded || event.type !== 'status' || event.status.nextRetryAt === null) return;
        recorded = true;
        chosenDelays.push(event.status.nextRetryAt - Date.now());
      });
    });
    const droppedAt = Date.now();
    const socketsBefore = tap.openedAt.length;
    proxy.dropAll();
    await waitFor(() => tap.openedAt.length >= socketsBefore + ENGINES, 'every engine reconnecting', 30_000);
    await waitFor(() => clients.every((c) => c.status?.state === 'online'), 'all online again', 60_000);

    for (const unsubscribe of unsubscribes) unsubscribe();

    const opened = spreadOf(tap.openedAt.slice(socketsBefore, socketsBefore + ENGINES).map((at) => at - droppedAt));
    console.log(`${ENGINES} reconnects opened: ${describe(opened)}`);
    const chosen = spreadOf(chosenDelays);
    console.log(`${ENGINES} reconnect delays chosen: ${describe(chosen)}`);

    // An engine whose draw rounds to 0 ms retries at once without announcing
    // a retry time, so a few may be missing here.
    expect(chosenDelays.length).toBeGreaterThan(ENGINES * 0.95);
    // Uniform over 500 ms puts ~20 in each 50 ms window; a herd puts all 200 in one.
    expect(chosen.last - chosen.first).toBeGreaterThan(300);
    expect(chosen.busiestWindow).toBeLessThan(ENGINES / 4);
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
});

interface Spread {
  first: number;
  median: number;
  last: number;
  /** The most reconnects in one 50 ms window. */
  busiestWindow: number;
}

function spreadOf(delays: number[]): Spread {
  const sorted = [...delays].sort((a, b) => a - b);
  const windows = new Map<number, number>();
  for (const delay of sorted) windows.set(Math.floor(delay / 50), (windows.get(Math.floor(delay / 50)) ?? 0) + 1);
  return {
    first: sorted[0] ?? 0,
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    last: sorted.at(-1) ?? 0,
    busiestWindow: Math.max(0, ...windows.values()),
  };
}

function describe({ first, median, last, busiestWindow }: Spread): string {
  return `first ${first} ms, median ${median} ms, last ${last} ms; busiest 50 ms window held ${busiestWindow}`;
}
