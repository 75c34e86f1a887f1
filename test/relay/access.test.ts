// Who may open a session, and for how long: the default origin policy of a
// relay that serves the web client, the cap on sockets that have not sent
// `hello` yet, and sign-ins that expire when left unused.
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { databaseFileIn } from '../../relay/store/sqlite.ts';
import { postJson, register, TestClient, UpgradeRefused } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

const running: TestRelay[] = [];
let webRoot: string;

beforeAll(async () => {
  webRoot = await mkdtemp(path.join(tmpdir(), 'duplex-web-'));
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>Duplex</title>');
});

afterAll(async () => {
  await Promise.all(running.map((relay) => relay.stop()));
  await rm(webRoot, { recursive: true, force: true });
});

async function relayWith(options: Parameters<typeof startTestRelay>[0]): Promise<TestRelay> {
  const relay = await startTestRelay(options);
  running.push(relay);
  return relay;
}

const refused = (status: number) => new UpgradeRefused(status);

describe('origins, by default', () => {
  test('a relay serving the web client takes browsers from its own origin only, and clients without Origin', async () => {
    const relay = await relayWith({ webRoot });
    const own = new URL(relay.url);
    const sameOrigin = await TestClient.connect(relay.wsUrl, { origin: own.origin });
    await sameOrigin.close();
    const withoutOrigin = await TestClient.connect(relay.wsUrl);
    await withoutOrigin.close();
    for (const origin of ['https://evil.example.com', `http://evil.example.com:${own.port}`, 'null']) {
      await expect(TestClient.connect(relay.wsUrl, { origin })).rejects.toEqual(refused(403));
    }
    // The public name a proxy passes through in Host is the relay's own origin too.
    const proxied = await TestClient.connect(relay.wsUrl, {
      origin: 'https://chat.example.com',
      headers: { Host: 'chat.example.com' },
    });
    await proxied.close();
  });

  test('behind a trusted proxy that sets X-Forwarded-Host, that is the host compared', async () => {
    const relay = await relayWith({ webRoot, trustProxy: true });
    const forwarded = { Host: '127.0.0.1', 'X-Forwarded-Host': 'chat.example.com' };
    const client = await TestClient.connect(relay.wsUrl, { origin: 'https://chat.example.com', headers: forwarded });
    await client.close();
    await expect(TestClient.connect(relay.wsUrl, { origin: 'https://evil.example.com', headers: forwarded })).rejects.toEqual(
      refused(403),
    );
    // Without --trust-proxy the header is anyone's to send, and ignored.
    const untrusting = await relayWith({ webRoot });
    await expect(
      TestClient.connect(untrusting.wsUrl, { origin: 'https://chat.example.com', headers: { 'X-Forwarded-Host': 'chat.example.com' } }),
    ).rejects.toEqual(refused(403));
  });

  test('a relay without the web client, or with --allowed-origins *, takes any origin', async () => {
    for (const relay of [await relayWith({ webRoot: path.join(webRoot, 'absent') }), await relayWith({ webRoot, allowedOrigins: ['*'] })]) {
      const client = await TestClient.connect(relay.wsUrl, { origin: 'https://elsewhere.example.com' });
      await client.close();
    }
  });
});

describe('sockets waiting for hello', () => {
  test('are capped per address: one more is refused 503 with Retry-After until one says hello', async () => {
    const relay = await relayWith({ trustProxy: true, limits: { unauthenticatedSocketsPerAddress: 3 } });
    const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
    const waiting = await Promise.all([1, 2, 3].map(() => TestClient.connect(relay.wsUrl, from('203.0.113.1'))));
    const over = await TestClient.connect(relay.wsUrl, from('203.0.113.1')).catch((error: unknown) => error);
    expect(over).toEqual(refused(503));
    // Another address is not affected.
    const other = await TestClient.connect(relay.wsUrl, from('203.0.113.2'));
    // Saying hello frees the slot.
    const alice = await register(relay.url);
    await waiting[0]!.hello(alice.token);
    const next = await TestClient.connect(relay.wsUrl, from('203.0.113.1'));
    // So does closing.
    await waiting[1]!.close();
    const another = await TestClient.connect(relay.wsUrl, from('203.0.113.1'));
    for (const client of [...waiting, other, next, another]) await client.close();
  });

  test('are capped in total', async () => {
    const relay = await relayWith({ trustProxy: true, limits: { unauthenticatedSockets: 2 } });
    const clients = await Promise.all(
      ['198.51.100.1', '198.51.100.2'].map((address) => TestClient.connect(relay.wsUrl, { headers: { 'X-Forwarded-For': address } })),
    );
    await expect(TestClient.connect(relay.wsUrl, { headers: { 'X-Forwarded-For': '198.51.100.3' } })).rejects.toEqual(refused(503));
    await clients[0]!.close();
    const later = await TestClient.connect(relay.wsUrl, { headers: { 'X-Forwarded-For': '198.51.100.3' } });
    for (const client of [...clients, later]) await client.close();
  });

  test('the refusal carries Retry-After', async () => {
    const relay = await relayWith({ limits: { unauthenticatedSockets: 1 } });
    const holder = await TestClient.connect(relay.wsUrl);
    const upgrade = request(`${relay.url}/ws`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    upgrade.end();
    const [response] = (await once(upgrade, 'response')) as [IncomingMessage];
    response.resume();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    await holder.close();
  });
});

describe('sign-ins left unused', () => {
  test('expire: hello closes 4001 "session expired", logout answers 401, and the token is gone', async () => {
    const relay = await relayWith({ limits: { sessionIdleMs: 1_000 } });
    const alice = await register(relay.url);
    const bob = await register(relay.url);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const client = await TestClient.connect(relay.wsUrl);
    client.send({ t: 'hello', v: 1, token: alice.token, cursors: {} });
    expect(await client.closed).toEqual({ code: 4001, reason: 'session expired' });
    const logout = await postJson(relay.url, '/api/logout', {}, { Authorization: `Bearer ${bob.token}` });
    expect(logout.status).toBe(401);
    expect(logout.body.error).toEqual({ code: 'unauthorized', message: 'session expired' });
    // Deleted when presented: now simply unknown.
    const again = await TestClient.connect(relay.wsUrl);
    again.send({ t: 'hello', v: 1, token: alice.token, cursors: {} });
    expect(await again.closed).toEqual({ code: 4001, reason: 'unauthorized' });
  });

  test('do not expire while used: each session start, and an open session, keep them alive', async () => {
    const relay = await relayWith({ limits: { sessionIdleMs: 1_500, tokenRecheckIntervalMs: 200 } });
    const alice = await register(relay.url);
    // Alice signs in again and again, each time within the idle time of the last.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 800));
      const [client] = await TestClient.signIn(relay.wsUrl, alice.token);
      await client.close();
    }
    // Bob stays connected for longer than the idle time, then signs in on another device.
    const bob = await register(relay.url);
    const [open] = await TestClient.signIn(relay.wsUrl, bob.token);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [second] = await TestClient.signIn(relay.wsUrl, bob.token);
    for (const client of [open, second]) await client.close();
  });

  test('a session still starts while the database cannot be written; only recording the use waits', async () => {
    // Idle limit 10 s: a use is recorded when the stored one is over 1 s old.
    const relay = await relayWith({ limits: { sessionIdleMs: 10_000 } });
    const alice = await register(relay.url);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Another connection holds the write lock (as in a stuck operator command).
    const locker = new DatabaseSync(databaseFileIn(relay.dataDir));
    locker.exec('BEGIN IMMEDIATE');
    try {
      const [client, { welcome }] = await TestClient.signIn(relay.wsUrl, alice.token);
      expect(welcome.user.id).toBe(alice.user.id);
      await client.close();
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
  });
});
