// The WebSocket upgrade and the session start: subprotocol, origin, hello
// (timeout, version, token), welcome, batches and synced.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { AuthResponse } from '../../src/shared/protocol/index.ts';
import { register, TestClient, UpgradeRefused, uniqueCid } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({
    allowedOrigins: ['https://chat.example.com'],
    rateLimits: false,
    limits: { helloTimeoutMs: 1_000, socketsPerUser: 3 },
  });
});
afterAll(async () => {
  await relay.stop();
});

async function createDirect(client: TestClient, withUser: string): Promise<string> {
  const answer = await client.request({ t: 'create', kind: 'direct', with: withUser });
  if (answer.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(answer)}`);
  return answer.conv.id;
}

/** Sends `count` messages without waiting for each ack, then waits for all. */
async function sendMany(client: TestClient, conv: string, count: number, body = (i: number) => `message ${i}`) {
  const cids = Array.from({ length: count }, () => uniqueCid());
  cids.forEach((cid, i) => client.send({ t: 'send', cid, conv, body: body(i + 1) }));
  for (const cid of cids) await client.next('ack', (ack) => ack.cid === cid, 15_000);
}

describe('upgrade', () => {
  test('selects duplex.v1 when offered', async () => {
    const client = await TestClient.connect(relay.wsUrl, { protocols: ['other', 'duplex.v1'] });
    expect(client.ws.protocol).toBe('duplex.v1');
    await client.close();
  });

  test('accepts a client that offers no subprotocol', async () => {
    const client = await TestClient.connect(relay.wsUrl, { protocols: [] });
    expect(client.ws.protocol).toBe('');
    await client.close();
  });

  test('refuses with 400 when subprotocols are offered but not duplex.v1', async () => {
    await expect(TestClient.connect(relay.wsUrl, { protocols: ['duplex.v2'] })).rejects.toEqual(new UpgradeRefused(400));
  });

  test('refuses another Origin with 403, allows the configured one and none', async () => {
    await expect(TestClient.connect(relay.wsUrl, { origin: 'https://evil.example.com' })).rejects.toEqual(
      new UpgradeRefused(403),
    );
    const allowed = await TestClient.connect(relay.wsUrl, { origin: 'https://chat.example.com' });
    const without = await TestClient.connect(relay.wsUrl);
    await allowed.close();
    await without.close();
  });

  test('refuses upgrades on other paths with 404', async () => {
    await expect(TestClient.connect(relay.wsUrl.replace('/ws', '/socket'))).rejects.toEqual(new UpgradeRefused(404));
  });

  test('refuses an upgrade whose target is not a valid URL with 400', async () => {
    const { port } = new URL(relay.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(
          'GET //[ HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
      );
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text)).on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  test('does not negotiate per-message compression', async () => {
    const ws = new WebSocket(relay.wsUrl, ['duplex.v1'], { perMessageDeflate: true });
    await new Promise((resolve) => ws.once('open', resolve));
    expect(ws.extensions).toBe('');
    ws.close();
  });
});

describe('hello', () => {
  test('closes with 1008, not 4001, when no hello arrives in time: a late hello is no verdict on the token', async () => {
    const client = await TestClient.connect(relay.wsUrl);
    expect(await client.closed).toEqual({ code: 1008, reason: 'no hello in time' });
  });

  test('closes with 4002 for another protocol version, before looking at the token', async () => {
    for (const hello of [
      { t: 'hello', v: 2, token: 'whatever', cursors: {} },
      { t: 'hello', v: 0 },
    ]) {
      const client = await TestClient.connect(relay.wsUrl);
      client.send(hello);
      const closed = await client.closed;
      expect(closed).toEqual({ code: 4002, reason: 'unsupported_version' });
    }
  });

  test('closes with 4001 for an unknown token', async () => {
    const client = await TestClient.connect(relay.wsUrl);
    client.send({ t: 'hello', v: 1, token: 'not-a-real-token' });
    expect((await client.closed).code).toBe(4001);
  });

  test('answers frames before hello with unauthenticated (bad_frame when invalid), then accepts hello', async () => {
    const { token } = await register(relay.url);
    const client = await TestClient.connect(relay.wsUrl);
    client.send({ t: 'ping', rid: 'r1' });
    expect(await client.next('error')).toMatchObject({ code: 'unauthenticated', rid: 'r1' });
    client.send({ t: 'send', cid: uniqueCid(), conv: 'c', body: 'hi' });
    expect(await client.next('error')).toMatchObject({ code: 'unauthenticated' });
    client.send('not json');
    expect(await client.next('error')).toMatchObject({ code: 'bad_frame' });
    client.send({ t: 'hello', v: 1 });
    expect(await client.next('error')).toMatchObject({ code: 'bad_frame' });
    await client.hello(token);
    await client.close();
  });

  test('a second hello is refused as invalid', async () => {
    const { token } = await register(relay.url);
    const [client] = await TestClient.signIn(relay.wsUrl, token);
    client.send({ t: 'hello', v: 1, token, cursors: {} });
    expect(await client.next('error')).toMatchObject({ code: 'invalid' });
    await client.close();
  });

  test('frames sent right after hello are answered after synced', async () => {
    const { token } = await register(relay.url);
    const client = await TestClient.connect(relay.wsUrl);
    client.send({ t: 'hello', v: 1, token, cursors: {} });
    client.send({ t: 'ping', rid: 'early' });
    await client.next('pong');
    const order = client.frames.map((frame) => frame.t);
    expect(order.indexOf('synced')).toBeLessThan(order.indexOf('pong'));
    await client.close();
  });

  test('refuses a socket over the per-user cap with 1013 and leaves the others alone', async () => {
    const { token } = await register(relay.url);
    const clients = await Promise.all([1, 2, 3].map(async () => (await TestClient.signIn(relay.wsUrl, token))[0]));
    const extra = await TestClient.connect(relay.wsUrl);
    extra.send({ t: 'hello', v: 1, token });
    expect((await extra.closed).code).toBe(1013);
    for (const client of clients) expect((await client.request({ t: 'ping' })).t).toBe('pong');
    // A freed slot can be taken again.
    await clients[0]?.close();
    const [again] = await TestClient.signIn(relay.wsUrl, token);
    await Promise.all([again, ...clients].map((client) => client?.close()));
  });
});

describe('session start', () => {
  let alice: AuthResponse;
  let bob: AuthResponse;
  let carol: AuthResponse;

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([register(relay.url), register(relay.url), register(relay.url)]);
  });

  test('welcome lists conversations with users and receipts, and the presence of contacts only', async () => {
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const direct = await createDirect(a, bob.user.id);
    const group = await a.request({ t: 'create', kind: 'group', title: 'Trio', members: [bob.user.id, carol.user.id] });
    if (group.t !== 'conv') throw new Error('group not created');
    await a.sendMessage(direct, 'hi');

    const [b, { welcome }] = await TestClient.signIn(relay.wsUrl, bob.token);
    expect(welcome.user).toEqual(bob.user);
    expect(Math.abs(welcome.serverTime - Date.now())).toBeLessThan(60_000);
    const listed = welcome.conversations.find((conversation) => conversation.id === direct);
    expect(listed).toEqual({
      id: direct,
      kind: 'direct',
      title: null,
      members: [alice.user, bob.user],
      lastSeq: 1,
      receipts: { [alice.user.id]: { delivered: 0, read: 0 }, [bob.user.id]: { delivered: 0, read: 0 } },
      createdAt: expect.any(Number),
      mine: { pinned: false, archived: false, mutedUntil: null },
    });
    expect(welcome.conversations.find((conversation) => conversation.id === group.conv.id)?.title).toBe('Trio');
    const presence = new Map(welcome.presence.map((entry) => [entry.user, entry]));
    expect(presence.get(alice.user.id)).toEqual({ user: alice.user.id, online: true });
    expect(presence.get(carol.user.id)).toEqual({ user: carol.user.id, online: false });
    expect(presence.has(bob.user.id)).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  test('with a cursor: everything after it; without: the newest 50 and more', async () => {
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const { token: daveToken, user: dave } = await register(relay.url);
    const conv = await createDirect(a, dave.id);
    await sendMany(a, conv, 60);

    const [withCursor, synced] = await TestClient.signIn(relay.wsUrl, daveToken, { [conv]: 55 });
    expect(synced.batches).toEqual([{ t: 'batch', conv, msgs: expect.any(Array), more: false }]);
    expect(synced.batches[0]?.msgs.map((msg) => msg.seq)).toEqual([56, 57, 58, 59, 60]);

    const [fresh, freshSynced] = await TestClient.signIn(relay.wsUrl, daveToken);
    expect(freshSynced.batches).toHaveLength(1);
    expect(freshSynced.batches[0]?.more).toBe(true);
    expect(freshSynced.batches[0]?.msgs.map((msg) => msg.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(freshSynced.batches[0]?.msgs[0]).toMatchObject({ conv, from: alice.user.id, body: 'message 11' });

    const [upToDate, upToDateSynced] = await TestClient.signIn(relay.wsUrl, daveToken, { [conv]: 60 });
    expect(upToDateSynced.batches).toEqual([]);
    await Promise.all([a, withCursor, fresh, upToDate].map((client) => client.close()));
  });

  test('a conversation without messages gets no batch, and more is false when nothing older exists', async () => {
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const { token, user } = await register(relay.url);
    const empty = await createDirect(a, user.id);
    const [b, synced] = await TestClient.signIn(relay.wsUrl, token);
    expect(synced.batches).toEqual([]);
    await a.sendMessage(empty, 'first');
    const [c, again] = await TestClient.signIn(relay.wsUrl, token);
    expect(again.batches).toEqual([expect.objectContaining({ conv: empty, more: false })]);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('a long backlog comes in ascending batches of at most 500 within the frame size', async () => {
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const { token, user } = await register(relay.url);
    const conv = await createDirect(a, user.id);
    // Small messages fill batches by count, large ones by bytes.
    await sendMany(a, conv, 1100, (i) => (i > 1050 ? `${'x'.repeat(4000)} ${i}` : `m${i}`));
    const [b, synced] = await TestClient.signIn(relay.wsUrl, token, { [conv]: 0 });
    const seqs = synced.batches.flatMap((batch) => batch.msgs.map((msg) => msg.seq));
    expect(seqs).toEqual(Array.from({ length: 1100 }, (_, i) => i + 1));
    expect(synced.batches.every((batch) => batch.msgs.length <= 500 && batch.more === false)).toBe(true);
    expect(synced.batches.length).toBeGreaterThanOrEqual(4);
    expect(b.violations).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  test('a message stored during the session start arrives once, after the batches', async () => {
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const { token, user } = await register(relay.url);
    const conv = await createDirect(a, user.id);
    await sendMany(a, conv, 1000);
    const b = await TestClient.connect(relay.wsUrl);
    b.send({ t: 'hello', v: 1, token, cursors: { [conv]: 0 } });
    await b.next('welcome');
    const late = await a.sendMessage(conv, 'during sync');
    await b.next('synced', undefined, 15_000);
    const lateSeq = late.t === 'ack' ? late.msg.seq : -1;
    const live = await b.next('msg', (msg) => msg.msg.seq === lateSeq).catch(() => undefined);
    const seen = b.frames.flatMap((frame) =>
      frame.t === 'batch' ? frame.msgs.map((msg) => msg.seq) : frame.t === 'msg' ? [frame.msg.seq] : [],
    );
    expect(seen).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
    const syncedAt = b.frames.findIndex((frame) => frame.t === 'synced');
    if (live) expect(b.frames.indexOf(live)).toBeGreaterThan(syncedAt);
    await Promise.all([a.close(), b.close()]);
  });
});
