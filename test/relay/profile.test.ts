// Profiles (docs/protocol.md, "Profiles"), against a real relay over real
// sockets: the display name and "about" line change for everyone who shares
// a conversation with the user, at once and in later session starts, and
// for nobody else; bad input is refused; changes are rate limited.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FrameOf, register, TestClient } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

describe('changing the profile', () => {
  test('reaches the user’s other devices and every contact at once, nobody else, and later session starts', async () => {
    const { a, b, alice, bob, conv } = await directPair(relay);
    const [aliceTablet] = await TestClient.signIn(relay.wsUrl, alice.token);
    const carol = await register(relay.url);
    const [c] = await TestClient.signIn(relay.wsUrl, carol.token);

    const answer = await a.request({ t: 'profile', displayName: '  Alice Liddell ', about: 'Down the rabbit hole' });
    const changed = { ...alice.user, displayName: 'Alice Liddell', about: 'Down the rabbit hole' };
    expect(answer).toEqual({ t: 'user', rid: expect.any(String), user: changed });
    expect(await b.next('user')).toEqual({ t: 'user', user: changed });
    expect(await aliceTablet.next('user')).toEqual({ t: 'user', user: changed });
    await c.expectNone((frame) => frame.t === 'user');

    // Only the name: the about line stays.
    expect(await a.request({ t: 'profile', displayName: 'Alice L.' })).toMatchObject({ user: { displayName: 'Alice L.', about: 'Down the rabbit hole' } });
    // "" clears the about line, which is then absent.
    const cleared = (await a.request({ t: 'profile', about: '' })) as FrameOf<'user'>;
    expect(cleared.user).toEqual({ ...alice.user, displayName: 'Alice L.' });
    await a.request({ t: 'profile', about: 'Back again' });

    const [aliceLater, synced] = await TestClient.signIn(relay.wsUrl, alice.token);
    expect(synced.welcome.user).toEqual({ ...alice.user, displayName: 'Alice L.', about: 'Back again' });
    const [bobLater, bobAgain] = await TestClient.signIn(relay.wsUrl, bob.token);
    const member = bobAgain.welcome.conversations.find((each) => each.id === conv)?.members.find((m) => m.id === alice.user.id);
    expect(member).toEqual({ ...alice.user, displayName: 'Alice L.', about: 'Back again' });
    // Search finds the new name.
    expect(await c.request({ t: 'users', q: 'alice l' })).toMatchObject({ users: [{ id: alice.user.id }] });
    await Promise.all([a.close(), b.close(), c.close(), aliceTablet.close(), aliceLater.close(), bobLater.close()]);
  });

  test('refusals: blank or long names, long or multi-line about lines, wrong types', async () => {
    const alice = await register(relay.url);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    for (const bad of [{ displayName: '   ' }, { displayName: 'x'.repeat(65) }, { about: 'y'.repeat(141) }, { about: 'two\nlines' }]) {
      expect(await a.request({ t: 'profile', ...bad })).toMatchObject({ t: 'error', code: 'invalid' });
    }
    for (const bad of [{ displayName: 42 }, { about: null }, { displayName: 'z'.repeat(2000) }]) {
      expect(await a.request({ t: 'profile', ...bad })).toMatchObject({ t: 'error', code: 'bad_frame' });
    }
    // Nothing changed; an empty change answers the profile as it is.
    expect(await a.request({ t: 'profile' })).toMatchObject({ t: 'user', user: alice.user });
    await a.close();
  });

  test('changes are limited like conversation changes: they are multiplied to every contact', async () => {
    const limited = await startTestRelay({ limits: { conversationChangeBurst: 2, conversationChangesPerMinute: 1 } });
    try {
      const alice = await register(limited.url);
      const [a] = await TestClient.signIn(limited.wsUrl, alice.token);
      expect((await a.request({ t: 'profile', about: 'one' })).t).toBe('user');
      expect((await a.request({ t: 'profile', about: 'two' })).t).toBe('user');
      expect(await a.request({ t: 'profile', about: 'three' })).toMatchObject({ t: 'error', code: 'rate_limited' });
      await a.close();
    } finally {
      await limited.stop();
    }
  });
});
