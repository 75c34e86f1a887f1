// Liveness and shutdown of an in-process relay: the WebSocket heartbeat, and
// what clients and load balancers see while the relay shuts down.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { postJson, register, TestClient, UpgradeRefused } from './support/client.ts';
import { startTestRelay } from './support/relay.ts';

describe('heartbeat', () => {
  test('keeps answering sockets open and terminates one that stopped answering pings', async () => {
    const relay = await startTestRelay({ limits: { pingIntervalMs: 300 } });
    try {
      const { token } = await register(relay.url);
      const [lively] = await TestClient.signIn(relay.wsUrl, token);
      const [silent] = await TestClient.signIn(relay.wsUrl, token);
      silent.ws.pause();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      silent.ws.resume();
      expect((await silent.closed).code).toBe(1006);
      expect((await lively.request({ t: 'ping' })).t).toBe('pong');
      await lively.close();
    } finally {
      await relay.stop();
    }
  });
});

describe('shutdown', () => {
  test('answers 503 to health, upgrades and API calls while sockets are closing, closes them with 1012', async () => {
    const relay = await startTestRelay({ limits: { closeGraceMs: 1_500 } });
    const { token } = await register(relay.url);
    const [client] = await TestClient.signIn(relay.wsUrl, token);
    const [stuck] = await TestClient.signIn(relay.wsUrl, token);
    // A client that does not read keeps the close handshake (and so the shutdown) open.
    stuck.ws.pause();
    const stopped = relay.stop();
    expect((await client.closed).code).toBe(1012);
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(503);
    expect((await health.json()).error.code).toBe('shutting_down');
    expect((await postJson(relay.url, '/api/login', { username: 'x', password: 'y' })).status).toBe(503);
    await expect(TestClient.connect(relay.wsUrl)).rejects.toEqual(new UpgradeRefused(503));
    await stopped;
    await expect(fetch(`${relay.url}/healthz`)).rejects.toThrow();
  });

  test('records lastSeen of users online at shutdown', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'duplex-lifecycle-'));
    try {
      const first = await startTestRelay({ dataDir });
      const [alice, bob] = await Promise.all([register(first.url), register(first.url)]);
      const [a] = await TestClient.signIn(first.wsUrl, alice.token);
      await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
      const [b] = await TestClient.signIn(first.wsUrl, bob.token);
      const before = Date.now();
      await first.stop();
      expect((await b.closed).code).toBe(1012);

      const second = await startTestRelay({ dataDir });
      const [a2, { welcome }] = await TestClient.signIn(second.wsUrl, alice.token);
      const bobPresence = welcome.presence.find((entry) => entry.user === bob.user.id);
      expect(bobPresence?.online).toBe(false);
      expect(bobPresence?.lastSeen).toBeGreaterThanOrEqual(before);
      await Promise.all([a.closed, a2.close()]);
      await second.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
