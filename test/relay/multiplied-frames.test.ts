// Frames the relay multiplies to every member are limited per user: typing is
// coalesced, conversation changes draw on a token bucket, and nobody can be
// forced into more conversations than the cap (docs/protocol.md, "Limits on
// frames multiplied to others").
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthResponse } from '../../src/shared/protocol/index.ts';
import { register, TestClient } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({
    limits: { conversationChangeBurst: 5, conversationChangesPerMinute: 60, typingIntervalMs: 200, conversationsPerUser: 4 },
  });
});
afterAll(async () => {
  await relay.stop();
});

async function group(creator: TestClient, members: readonly AuthResponse[], title = 'Group'): Promise<string> {
  const answer = await creator.request({ t: 'create', kind: 'group', title, members: members.map((m) => m.user.id) });
  if (answer.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(answer)}`);
  return answer.conv.id;
}

describe('typing', () => {
  test('a flood of typing frames reaches members a few times a second, ending with the latest state', async () => {
    const { a, b, alice, conv } = await directPair(relay);
    const started = Date.now();
    for (let i = 0; i < 2000; i++) a.send({ t: 'typing', conv, on: i % 2 === 0 });
    // The last one sent is `on: false`, and it arrives in the end.
    await a.request({ t: 'ping' });
    await b.next('typing', (frame) => !frame.on && Date.now() - started > 150, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const relayed = b.frames.filter((frame) => frame.t === 'typing');
    const elapsedSeconds = (Date.now() - started) / 1000;
    // One at once, then at most one per 200 ms interval.
    expect(relayed.length).toBeLessThanOrEqual(2 + Math.ceil(elapsedSeconds * 5));
    expect(relayed.at(-1)).toMatchObject({ conv, user: alice.user.id, on: false });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('conversation changes', () => {
  test('renames beyond the bucket get error rate_limited with their rid, and members get only the accepted ones', async () => {
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [[a], [b]] = await Promise.all([TestClient.signIn(relay.wsUrl, alice.token), TestClient.signIn(relay.wsUrl, bob.token)]);
    const conv = await group(a, [bob]);
    await b.next('conv');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => a.request({ t: 'rename', conv, title: `title ${i}` })),
    );
    const accepted = answers.filter((answer) => answer.t === 'conv');
    const refused = answers.filter((answer) => answer.t === 'error');
    // The create took a token too; about one more refills per second meanwhile.
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(accepted.length).toBeLessThanOrEqual(6);
    expect(refused.length).toBe(30 - accepted.length);
    expect(refused.every((answer) => answer.t === 'error' && answer.code === 'rate_limited')).toBe(true);
    await b.expectNone(() => false, 300);
    expect(b.frames.filter((frame) => frame.t === 'conv')).toHaveLength(1 + accepted.length);
    // Another user's bucket is their own.
    expect(await b.request({ t: 'rename', conv, title: 'bob was here' })).toMatchObject({ t: 'conv' });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('conversations per user', () => {
  test('nobody can be put in more conversations than the cap; create and add say who', async () => {
    const [victim, ...adders] = await Promise.all(Array.from({ length: 6 }, () => register(relay.url)));
    if (!victim) throw new Error('register failed');
    const clients = await Promise.all(adders.map(async (adder) => (await TestClient.signIn(relay.wsUrl, adder.token))[0]));
    for (let i = 0; i < 4; i++) await group(clients[i] as TestClient, [victim], `group ${i}`);
    const [fifth] = clients.slice(4) as [TestClient];
    const refusedCreate = await fifth.request({ t: 'create', kind: 'group', title: 'one too many', members: [victim.user.id] });
    expect(refusedCreate).toMatchObject({ t: 'error', code: 'forbidden', users: [victim.user.id] });
    expect(refusedCreate.t === 'error' && refusedCreate.message).toContain(victim.user.displayName);
    const direct = await fifth.request({ t: 'create', kind: 'direct', with: victim.user.id });
    expect(direct).toMatchObject({ t: 'error', code: 'forbidden', users: [victim.user.id] });
    // An add with the victim among others adds nobody.
    const other = await register(relay.url);
    const own = await group(fifth, [other]);
    const refusedAdd = await fifth.request({ t: 'add', conv: own, users: [victim.user.id] });
    expect(refusedAdd).toMatchObject({ t: 'error', code: 'forbidden', users: [victim.user.id] });
    await Promise.all(clients.map((client) => client.close()));
  });
});
