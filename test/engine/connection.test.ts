// The connection over reconnecting-websocket, with a scripted WebSocket and
// fake timers. The first block holds one test per known problem of the
// library (docs/engine.md, "The connection"); each fails when its workaround in connection.ts is
// taken out.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection, type ConnectionOptions } from '../../src/shared/engine/connection.ts';
import { silentLogger } from '../../src/shared/engine/log.ts';
import { RelayNodes } from '../../src/shared/engine/relay-nodes.ts';
import { SUBPROTOCOL } from '../../src/shared/protocol/index.ts';
import { type FakeWebSocketKit, fakeWebSocketKit } from './helpers/fake-websocket.ts';

interface Harness {
  kit: FakeWebSocketKit;
  connection: Connection;
  closes: Array<{ code: number; final: boolean }>;
  frames: unknown[];
  /** Each backoff wait as it began: its length in ms. */
  waits: number[];
}

function connect(overrides: Partial<ConnectionOptions> = {}): Harness {
  const kit = fakeWebSocketKit();
  const closes: Harness['closes'] = [];
  const frames: unknown[] = [];
  const waits: number[] = [];
  const connection: Connection = new Connection(
    {
      nodes: relayNodes('http://relay.test'),
      WebSocket: kit.WebSocket,
      backoff: { baseMs: 500, maxMs: 30_000 },
      connectTimeoutMs: 10_000,
      pingIntervalMs: 25_000,
      pongTimeoutMs: 10_000,
      random: Math.random,
      log: silentLogger,
      ...overrides,
    },
    {
      // What the session does on open: say hello before anything else.
      onOpen: () => connection.send({ t: 'hello', v: 1, token: 't', cursors: {} }),
      onFrame: (frame) => frames.push(frame),
      onClose: (code, final) => closes.push({ code, final }),
      onStateChange: () => {
        const { phase, nextRetryAt } = connection.state;
        if (phase === 'waiting' && nextRetryAt !== null) waits.push(nextRetryAt - Date.now());
      },
    },
  );
  connection.start();
  return { kit, connection, closes, frames, waits };
}

/** Nodes for the connection alone: it never fetches. */
function relayNodes(...urls: string[]): RelayNodes {
  return new RelayNodes(urls, () => Promise.reject(new Error('no HTTP in these tests')));
}

/** Advances the clock until the connection opens its next socket. */
async function nextAttempt(kit: FakeWebSocketKit): Promise<void> {
  const before = kit.sockets.length;
  for (let waited = 0; kit.sockets.length === before; waited += 100) {
    if (waited > 60_000) throw new Error('no new attempt within 60 s');
    await vi.advanceTimersByTimeAsync(100);
  }
}

/** Lets the library's zero-delay timers and promise chains run. */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('reconnecting-websocket workarounds', () => {
  it('never replays a frame written while the socket was closing ahead of hello (library queue off)', async () => {
    const { kit, connection } = connect();
    await settle();
    kit.latest().accept();
    // The relay has begun closing; the close event has not arrived yet, so the
    // connection still believes it is open and hands the frame over.
    kit.latest().beginServerClose();
    connection.send({ t: 'typing', conv: 'c1', on: true });
    kit.latest().finishClose(1012, 'restart');
    await settle(1_000);
    expect(kit.sockets).toHaveLength(2);
    kit.latest().accept();
    expect(kit.latest().frames.map((f) => f.t)).toEqual(['hello']);
  });

  it('spreads the reconnects of 200 clients dropped at once over the backoff window (own full jitter)', async () => {
    const clients = Array.from({ length: 200 }, () => connect());
    await settle();
    for (const client of clients) {
      client.kit.latest().accept();
      client.connection.markHealthy();
    }
    const droppedAt = Date.now();
    for (const client of clients) client.kit.latest().fail();
    await settle(600);

    const delays = clients.map((client) => {
      expect(client.kit.sockets).toHaveLength(2);
      return client.kit.latest().createdAt - droppedAt;
    });
    // Full jitter on the first retry: uniform over [0, 500) ms.
    expect(Math.max(...delays)).toBeLessThan(500);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(300);
    const buckets = new Array<number>(10).fill(0);
    for (const delay of delays) buckets[Math.floor(delay / 50)]! += 1;
    // Uniform would put 20 in each 50 ms bucket; a herd would put 200 in one.
    expect(Math.max(...buckets)).toBeLessThan(50);
    expect(buckets.filter((count) => count > 0).length).toBeGreaterThanOrEqual(8);
    for (const client of clients) client.connection.stop();
  });

  it.each([
    [4001, 'unauthorized', 'Signed out: the relay no longer accepts this session. Sign in again.'],
    [4001, 'session expired', 'Your session expired; sign in again.'],
    [4002, 'unsupported_version', 'This version of Duplex is too old for the relay: update needed'],
  ])('stops for good after close %i %s', async (code, closeReason, reason) => {
    const { kit, connection, closes } = connect();
    await settle();
    kit.latest().accept();
    kit.latest().serverClose(code, closeReason);
    await settle(10 * 60_000);
    expect(kit.sockets).toHaveLength(1);
    expect(closes).toEqual([{ code, final: true }]);
    expect(connection.state).toEqual({ phase: 'stopped', nextRetryAt: null, lastCloseReason: reason });
    connection.retryNow();
    connection.wake();
    await settle(60_000);
    expect(kit.sockets).toHaveLength(1);
  });

  it('keeps retrying however many attempts fail, and retryNow still works (retries stay infinite)', async () => {
    const { kit, connection } = connect();
    await settle();
    for (let attempt = 1; attempt <= 60; attempt++) {
      kit.latest().fail();
      await nextAttempt(kit);
    }
    kit.latest().fail();
    await settle(1);
    expect(connection.state.phase).toBe('waiting');
    connection.retryNow();
    await settle(1);
    expect(kit.sockets).toHaveLength(62);
    kit.latest().accept();
    expect(connection.state.phase).toBe('open');
  });

  it('reconnects after a dropped connection although the library reports it as a clean close 1000', async () => {
    const { kit, connection, closes } = connect();
    await settle();
    kit.latest().accept();
    kit.latest().fail();
    expect(closes).toEqual([{ code: 1000, final: false }]);
    expect(connection.state.lastCloseReason).toBe('Connection lost');
    await settle(500);
    expect(kit.sockets).toHaveLength(2);
  });
});

describe('Connection', () => {
  it('connects at once with the duplex subprotocol and delivers valid frames only', async () => {
    const log = vi.fn();
    const { kit, frames } = connect({ log });
    await settle();
    expect(kit.sockets).toHaveLength(1);
    expect(kit.latest().protocols).toEqual([SUBPROTOCOL]);
    kit.latest().accept();
    kit.latest().deliver({ t: 'synced' });
    kit.latest().deliverText('not json');
    kit.latest().deliver({ t: 'msg', msg: { conv: 'c1' } });
    kit.latest().deliver({ t: 'no-such-frame' });
    expect(frames).toEqual([{ t: 'synced' }]);
    expect(log).toHaveBeenCalledTimes(3);
  });

  it('backs off exponentially with full jitter up to 30 s and reports the next retry time', async () => {
    // random() = 0.5 makes each delay half of its window.
    const { kit, waits } = connect({ random: () => 0.5 });
    await settle();
    for (let attempt = 1; attempt <= 9; attempt++) {
      kit.latest().fail();
      await nextAttempt(kit);
    }
    expect(waits).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  });

  it('starts the backoff afresh once a session was healthy', async () => {
    const { kit, connection, waits } = connect({ random: () => 0.5 });
    await settle();
    for (let i = 0; i < 4; i++) {
      kit.latest().fail();
      await nextAttempt(kit);
    }
    kit.latest().accept();
    connection.markHealthy();
    kit.latest().fail();
    await nextAttempt(kit);
    expect(waits).toEqual([250, 500, 1_000, 2_000, 250]);
  });

  it('cuts a backoff wait short on retryNow', async () => {
    const { kit, connection } = connect({ random: () => 0.999_999 });
    await settle();
    for (let i = 0; i < 6; i++) {
      kit.latest().fail();
      await nextAttempt(kit);
    }
    kit.latest().fail();
    await settle(1);
    expect(connection.state.nextRetryAt! - Date.now()).toBeGreaterThan(20_000);
    connection.retryNow();
    await settle(1);
    expect(kit.sockets).toHaveLength(8);
    expect(connection.state).toMatchObject({ phase: 'connecting', nextRetryAt: null });
  });

  it('pings every interval and reconnects when no pong comes within the deadline', async () => {
    const { kit, connection } = connect();
    await settle();
    kit.latest().accept();
    await settle(25_000);
    expect(kit.latest().frames.map((f) => f.t)).toEqual(['hello', 'ping']);
    kit.latest().deliver({ t: 'pong' });
    await settle(25_000);
    expect(kit.latest().frames.map((f) => f.t)).toEqual(['hello', 'ping', 'ping']);
    // This time the relay stays silent: a half-open connection.
    await settle(10_000);
    expect(connection.state.lastCloseReason).toBe('No answer from the relay within 10 s');
    await settle(500);
    expect(kit.sockets).toHaveLength(2);
  });

  it('reconnects at once when the host wakes it, whatever the backoff', async () => {
    const { kit, connection } = connect();
    await settle();
    kit.latest().accept();
    connection.markHealthy();
    connection.wake();
    await settle(1);
    expect(kit.sockets).toHaveLength(2);
    expect(kit.sockets[0]!.readyState).toBe(3);
    kit.latest().fail();
    await settle(1);
    connection.wake();
    await settle(1);
    expect(kit.sockets).toHaveLength(3);
  });

  it('moves to the next relay node after every close, a healthy session included, and round again', async () => {
    const nodes = relayNodes('http://a.test', 'http://b.test', 'http://c.test');
    const { kit, connection } = connect({ nodes });
    await settle();
    kit.latest().fail();
    await settle(500);
    expect(kit.sockets.map((s) => s.url)).toEqual(['ws://a.test/ws', 'ws://b.test/ws']);
    kit.latest().accept();
    connection.markHealthy();
    expect(nodes.current).toBe('http://b.test');
    // The node of a healthy session dies: the next attempt goes elsewhere at once.
    kit.latest().fail();
    expect(nodes.current).toBe('http://c.test');
    await settle(500);
    kit.latest().fail();
    await settle(1_000);
    expect(kit.sockets.map((s) => s.url)).toEqual(['ws://a.test/ws', 'ws://b.test/ws', 'ws://c.test/ws', 'ws://a.test/ws']);
  });

  it('does not reconnect after stop', async () => {
    const { kit, connection } = connect();
    await settle();
    kit.latest().accept();
    connection.stop();
    await settle(60_000);
    expect(kit.sockets).toHaveLength(1);
    expect(connection.state.phase).toBe('stopped');
    expect(connection.send({ t: 'ping' })).toBe(false);
  });
});
