// Live state: receipts (watermarks), typing, presence.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { register, TestClient } from './support/client.ts';
import { type DirectPair, directPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

const PRESENCE_GRACE_MS = 800;
/** Generous: the protocol asks for 1 s, but a loaded CI machine must not fail the suite. */
const PRESENCE_WAIT_MS = PRESENCE_GRACE_MS + 3_000;
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false, limits: { presenceGraceMs: PRESENCE_GRACE_MS } });
});
afterAll(async () => {
  await relay.stop();
});

async function pair(): Promise<DirectPair> {
  const pair = await directPair(relay);
  const { alice, bob, a, b } = pair;
  // The new conversation introduces each one's presence to the other.
  await a.next('presence', (p) => p.user === bob.user.id);
  await b.next('presence', (p) => p.user === alice.user.id);
  return pair;
}

describe('receipts', () => {
  test('are relayed to every member’s sockets, the sender’s included', async () => {
    const { alice, bob, a, b, conv } = await pair();
    const [b2] = await TestClient.signIn(relay.wsUrl, bob.token);
    for (let i = 0; i < 3; i++) await a.sendMessage(conv, `m${i}`);
    b.send({ t: 'receipt', conv, delivered: 3 });
    const expected = { t: 'receipt', conv, user: bob.user.id, delivered: 3, read: 0 };
    for (const client of [a, b, b2]) expect(await client.next('receipt')).toEqual(expected);
    expect(alice.user.id).not.toBe(bob.user.id);
    await Promise.all([a.close(), b.close(), b2.close()]);
  });

  test('only move forward, read implies delivered, and clamp to the last message', async () => {
    const { bob, a, b, conv } = await pair();
    for (let i = 0; i < 5; i++) await a.sendMessage(conv, `m${i}`);
    b.send({ t: 'receipt', conv, read: 2 });
    expect(await a.next('receipt')).toMatchObject({ delivered: 2, read: 2 });
    b.send({ t: 'receipt', conv, delivered: 1, read: 1 });
    b.send({ t: 'receipt', conv, delivered: 50 });
    expect(await a.next('receipt')).toMatchObject({ user: bob.user.id, delivered: 5, read: 2 });
    await a.expectNone((frame) => frame.t === 'receipt', 150);
    // The watermarks persist: a new session sees them in welcome.
    const [a2, { welcome }] = await TestClient.signIn(relay.wsUrl, (await register(relay.url)).token);
    expect(welcome.conversations).toEqual([]);
    const [b2, bobWelcome] = await TestClient.signIn(relay.wsUrl, bob.token);
    const listed = bobWelcome.welcome.conversations.find((conversation) => conversation.id === conv);
    expect(listed?.receipts[bob.user.id]).toEqual({ delivered: 5, read: 2 });
    await Promise.all([a.close(), b.close(), a2.close(), b2.close()]);
  });

  test('with a bad shape answer bad_frame', async () => {
    const { a, b, conv } = await pair();
    a.send({ t: 'receipt', conv, read: -1 });
    expect(await a.next('error')).toMatchObject({ code: 'bad_frame' });
    a.send({ t: 'receipt', conv, delivered: 'all' });
    expect(await a.next('error')).toMatchObject({ code: 'bad_frame' });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('typing', () => {
  test('is relayed to the other members only', async () => {
    const { alice, a, b, conv } = await pair();
    const [a2] = await TestClient.signIn(relay.wsUrl, alice.token);
    a.send({ t: 'typing', conv, on: true });
    expect(await b.next('typing')).toEqual({ t: 'typing', conv, user: alice.user.id, on: true });
    a.send({ t: 'typing', conv, on: false });
    expect(await b.next('typing')).toEqual({ t: 'typing', conv, user: alice.user.id, on: false });
    await a2.expectNone((frame) => frame.t === 'typing', 100);
    await a.expectNone((frame) => frame.t === 'typing', 0);
    await Promise.all([a.close(), a2.close(), b.close()]);
  });
});

describe('presence', () => {
  test('a contact going offline and back online is announced, offline with lastSeen', async () => {
    const { bob, a, b } = await pair();
    await b.close();
    const before = Date.now();
    const offline = await a.next('presence', (p) => p.user === bob.user.id && !p.online, PRESENCE_WAIT_MS);
    expect(offline.lastSeen).toBeGreaterThanOrEqual(before - 50);
    expect(offline.lastSeen).toBeLessThanOrEqual(Date.now());
    const [b2, { welcome }] = await TestClient.signIn(relay.wsUrl, bob.token);
    expect(await a.next('presence', (p) => p.user === bob.user.id && p.online, PRESENCE_WAIT_MS)).toEqual({
      t: 'presence',
      user: bob.user.id,
      online: true,
    });
    expect(welcome.presence.some((entry) => entry.user === bob.user.id)).toBe(false);
    await Promise.all([a.close(), b2.close()]);
  });

  test('welcome carries lastSeen of offline contacts', async () => {
    const { alice, bob, a, b } = await pair();
    await b.close();
    const offline = await a.next('presence', (p) => p.user === bob.user.id && !p.online, PRESENCE_WAIT_MS);
    await a.close();
    const [a2, { welcome }] = await TestClient.signIn(relay.wsUrl, alice.token);
    expect(welcome.presence).toContainEqual({ user: bob.user.id, online: false, lastSeen: offline.lastSeen });
    await a2.close();
  });

  test('a quick reconnect within the grace announces nothing', async () => {
    const { bob, a, b } = await pair();
    await b.close();
    const [b2] = await TestClient.signIn(relay.wsUrl, bob.token);
    await a.expectNone((frame) => frame.t === 'presence' && frame.user === bob.user.id, PRESENCE_GRACE_MS + 400);
    await Promise.all([a.close(), b2.close()]);
  });

  test('a second device does not announce anything; the last one closing does', async () => {
    const { bob, a, b } = await pair();
    const [b2] = await TestClient.signIn(relay.wsUrl, bob.token);
    await b.close();
    await a.expectNone((frame) => frame.t === 'presence' && frame.user === bob.user.id, PRESENCE_GRACE_MS + 400);
    await b2.close();
    await a.next('presence', (p) => p.user === bob.user.id && !p.online, PRESENCE_WAIT_MS);
    await a.close();
  });

  test('is sent only to users sharing a conversation, and never to the user about themselves', async () => {
    const { alice, a, b } = await pair();
    const stranger = await register(relay.url);
    const [s] = await TestClient.signIn(relay.wsUrl, stranger.token);
    await b.close();
    await a.next('presence', (p) => !p.online, PRESENCE_WAIT_MS);
    await s.expectNone((frame) => frame.t === 'presence', 0);
    expect(a.frames.some((frame) => frame.t === 'presence' && frame.user === alice.user.id)).toBe(false);
    await Promise.all([a.close(), s.close()]);
  });
});
