// Blocking a user and choosing who may add you to groups (docs/protocol.md,
// "Privacy"), against a real relay.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { register, TestClient } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

describe('blocking', () => {
  test('a blocked user cannot message, type to, open a chat with or add the blocker; unblocking undoes it', async () => {
    const { a, b, alice, bob, conv } = await directPair(relay);
    const [aliceTablet] = await TestClient.signIn(relay.wsUrl, alice.token);
    const blocked = await a.request({ t: 'block', user: bob.user.id });
    expect(blocked).toMatchObject({ t: 'privacy', groupAdds: 'everyone', blocked: [bob.user] });
    // The blocker's other devices learn it too.
    expect(await aliceTablet.next('privacy')).toMatchObject({ blocked: [bob.user] });

    expect(await b.sendMessage(conv, 'hello?')).toMatchObject({ t: 'nack', code: 'forbidden' });
    b.send({ t: 'typing', conv, on: true });
    await a.expectNone((frame) => frame.t === 'typing' || frame.t === 'msg', 500);
    expect(await b.request({ t: 'create', kind: 'direct', with: alice.user.id })).toMatchObject({
      t: 'error',
      code: 'forbidden',
    });
    const carol = await register(relay.url);
    expect(await b.request({ t: 'create', kind: 'group', title: 'G', members: [alice.user.id, carol.user.id] })).toMatchObject({
      t: 'error',
      code: 'forbidden',
      users: [alice.user.id],
    });
    // The blocker still writes; the conversation is not gone.
    expect(await a.sendMessage(conv, 'not you')).toMatchObject({ t: 'ack' });

    // A new session hears the settings right after the welcome.
    const [again] = await TestClient.signIn(relay.wsUrl, alice.token);
    expect(again.frames.map((frame) => frame.t).filter((t) => t !== 'batch')).toEqual(['welcome', 'privacy', 'synced']);

    expect(await a.request({ t: 'unblock', user: bob.user.id })).toMatchObject({ t: 'privacy', blocked: [] });
    expect(await b.sendMessage(conv, 'hello again')).toMatchObject({ t: 'ack' });
    await Promise.all([a.close(), b.close(), aliceTablet.close(), again.close()]);
  });

  test('bad block requests are refused clearly', async () => {
    const alice = await register(relay.url);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    expect(await a.request({ t: 'block', user: alice.user.id })).toMatchObject({ t: 'error', code: 'invalid' });
    expect(await a.request({ t: 'block', user: 'nobody-at-all' })).toMatchObject({ t: 'error', code: 'not_found' });
    expect(await a.request({ t: 'block', user: 42 })).toMatchObject({ t: 'error', code: 'bad_frame' });
    expect(await a.request({ t: 'privacy', groupAdds: 'friends' })).toMatchObject({ t: 'error', code: 'bad_frame' });
    // Unblocking someone who is not blocked changes nothing.
    expect(await a.request({ t: 'unblock', user: 'nobody-at-all' })).toMatchObject({ t: 'privacy', blocked: [] });
    await a.close();
  });
});

describe('who may add me to groups', () => {
  test('nobody, contacts (a direct chat exists) and everyone', async () => {
    const [dora, friend, stranger] = await Promise.all([register(relay.url), register(relay.url), register(relay.url)]);
    const [[d], [f], [s]] = await Promise.all([
      TestClient.signIn(relay.wsUrl, dora.token),
      TestClient.signIn(relay.wsUrl, friend.token),
      TestClient.signIn(relay.wsUrl, stranger.token),
    ]);
    await f.request({ t: 'create', kind: 'direct', with: dora.user.id });
    const groupWithDora = (client: TestClient) =>
      client.request({ t: 'create', kind: 'group', title: 'G', members: [dora.user.id] });

    expect(await d.request({ t: 'privacy', groupAdds: 'nobody' })).toMatchObject({ t: 'privacy', groupAdds: 'nobody' });
    expect(await groupWithDora(f)).toMatchObject({ t: 'error', code: 'forbidden', users: [dora.user.id] });
    expect(await groupWithDora(s)).toMatchObject({ t: 'error', code: 'forbidden' });

    await d.request({ t: 'privacy', groupAdds: 'contacts' });
    expect(await groupWithDora(f)).toMatchObject({ t: 'conv' });
    expect(await groupWithDora(s)).toMatchObject({ t: 'error', code: 'forbidden' });
    const ownGroup = await s.request({ t: 'create', kind: 'group', title: 'Mine', members: [friend.user.id] });
    if (ownGroup.t !== 'conv') throw new Error('create failed');
    expect(await s.request({ t: 'add', conv: ownGroup.conv.id, users: [dora.user.id] })).toMatchObject({
      t: 'error',
      code: 'forbidden',
      users: [dora.user.id],
    });

    await d.request({ t: 'privacy', groupAdds: 'everyone' });
    expect(await s.request({ t: 'add', conv: ownGroup.conv.id, users: [dora.user.id] })).toMatchObject({ t: 'conv' });
    // Reading the settings without changing them.
    expect(await d.request({ t: 'privacy' })).toMatchObject({ t: 'privacy', groupAdds: 'everyone', blocked: [] });
    await Promise.all([d.close(), f.close(), s.close()]);
  });
});
