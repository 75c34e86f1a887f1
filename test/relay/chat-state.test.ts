// Pin, archive and mute that follow a user to every device (docs/protocol.md,
// "Chat state"), against a real relay over real sockets.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_CHAT_STATE, MUTED_FOREVER } from '../../src/shared/protocol/index.ts';
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

describe('chatstate', () => {
  test('is stored and answered with the whole state on every socket of the user, and nobody else', async () => {
    const { a, b, alice, conv } = await directPair(relay);
    const [aliceTablet] = await TestClient.signIn(relay.wsUrl, alice.token);
    const until = Date.now() + 8 * 3_600_000;

    const answer = await a.request({ t: 'chatstate', conv, pinned: true, mutedUntil: until });
    expect(answer).toEqual({ t: 'chatstate', rid: expect.any(String), conv, pinned: true, archived: false, mutedUntil: until });
    expect(await aliceTablet.next('chatstate')).toEqual({ t: 'chatstate', conv, pinned: true, archived: false, mutedUntil: until });
    // Absent fields stay; null unmutes.
    expect(await a.request({ t: 'chatstate', conv, archived: true, mutedUntil: null })).toMatchObject({
      pinned: true,
      archived: true,
      mutedUntil: null,
    });
    // Without a rid the requesting socket still gets its answer.
    a.send({ t: 'chatstate', conv, pinned: false });
    expect(await a.next('chatstate', (frame) => frame.rid === undefined)).toEqual({
      t: 'chatstate',
      conv,
      pinned: false,
      archived: true,
      mutedUntil: null,
    });
    await b.expectNone((frame) => frame.t === 'chatstate', 300);

    // A new session's welcome carries the state as the conversation's `mine`.
    const [, again] = await TestClient.signIn(relay.wsUrl, alice.token);
    expect(again.welcome.conversations.find((c) => c.id === conv)?.mine).toEqual({
      pinned: false,
      archived: true,
      mutedUntil: null,
    });
    await Promise.all([a.close(), b.close(), aliceTablet.close()]);
  });

  test("every conv frame carries the recipient's own state only", async () => {
    const [alice, bob, carol] = await Promise.all([register(relay.url), register(relay.url), register(relay.url)]);
    const [[a], [b], [c]] = await Promise.all([
      TestClient.signIn(relay.wsUrl, alice.token),
      TestClient.signIn(relay.wsUrl, bob.token),
      TestClient.signIn(relay.wsUrl, carol.token),
    ]);
    const created = await a.request({ t: 'create', kind: 'group', title: 'Team', members: [bob.user.id] });
    if (created.t !== 'conv') throw new Error('create failed');
    expect(created.conv.mine).toEqual(DEFAULT_CHAT_STATE);
    const conv = created.conv.id;
    expect((await b.next('conv')).conv.mine).toEqual(DEFAULT_CHAT_STATE);

    await a.request({ t: 'chatstate', conv, pinned: true });
    await b.request({ t: 'chatstate', conv, mutedUntil: MUTED_FOREVER });

    const renamed = await a.request({ t: 'rename', conv, title: 'Team 2' });
    expect(renamed).toMatchObject({ t: 'conv', conv: { title: 'Team 2', mine: { pinned: true, mutedUntil: null } } });
    expect((await b.next('conv', (frame) => frame.conv.title === 'Team 2')).conv.mine).toEqual({
      pinned: false,
      archived: false,
      mutedUntil: MUTED_FOREVER,
    });

    // A newcomer starts from the defaults; the others keep theirs.
    expect(await b.request({ t: 'add', conv, users: [carol.user.id] })).toMatchObject({
      conv: { mine: { mutedUntil: MUTED_FOREVER } },
    });
    expect((await c.next('conv')).conv.mine).toEqual(DEFAULT_CHAT_STATE);
    expect((await a.next('conv', (frame) => frame.conv.members.length === 3)).conv.mine).toMatchObject({ pinned: true });

    // The frames on the wire say nothing of another member's state.
    const raw = JSON.stringify(c.frames);
    expect(raw).not.toContain(String(MUTED_FOREVER));
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('leaving forgets it: added again, the member starts from the defaults', async () => {
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [[a], [b]] = await Promise.all([
      TestClient.signIn(relay.wsUrl, alice.token),
      TestClient.signIn(relay.wsUrl, bob.token),
    ]);
    const created = await a.request({ t: 'create', kind: 'group', title: 'G', members: [bob.user.id] });
    if (created.t !== 'conv') throw new Error('create failed');
    const conv = created.conv.id;
    await b.next('conv');
    await b.request({ t: 'chatstate', conv, pinned: true, archived: true });
    expect(await b.request({ t: 'leave', conv })).toMatchObject({ t: 'left' });
    // No longer a member: not_found, as for a conversation that does not exist.
    expect(await b.request({ t: 'chatstate', conv, pinned: true })).toMatchObject({ t: 'error', code: 'not_found' });
    await a.request({ t: 'add', conv, users: [bob.user.id] });
    expect((await b.next('conv', (frame) => frame.conv.id === conv)).conv.mine).toEqual(DEFAULT_CHAT_STATE);
    await Promise.all([a.close(), b.close()]);
  });

  test('bad requests are refused clearly, and the socket keeps serving', async () => {
    const { a, b, conv } = await directPair(relay);
    const stranger = await register(relay.url);
    const [s] = await TestClient.signIn(relay.wsUrl, stranger.token);
    const refused = async (frame: Record<string, unknown>, code: string) =>
      expect(await a.request({ t: 'chatstate', conv, ...frame })).toMatchObject({ t: 'error', code });

    await refused({ pinned: 'yes' }, 'bad_frame');
    await refused({ archived: 1 }, 'bad_frame');
    await refused({ mutedUntil: '2030-01-01' }, 'bad_frame');
    await refused({ mutedUntil: -1 }, 'bad_frame');
    await refused({ mutedUntil: 1.5 }, 'bad_frame');
    await refused({ mutedUntil: 1e300 }, 'bad_frame');
    await refused({ conv: 42 }, 'bad_frame');
    await refused({ mutedUntil: Date.now() - 1_000 }, 'invalid');
    await refused({ mutedUntil: 0 }, 'invalid');
    await refused({ mutedUntil: MUTED_FOREVER + 1 }, 'invalid');
    await refused({ conv: 'no-such-conversation' }, 'not_found');
    expect(await s.request({ t: 'chatstate', conv, pinned: true })).toMatchObject({ t: 'error', code: 'not_found' });
    // None of those changed anything.
    expect(await a.request({ t: 'chatstate', conv })).toMatchObject(DEFAULT_CHAT_STATE);
    // Unknown fields are dropped, as the protocol module does for every frame.
    expect(await a.request({ t: 'chatstate', conv, pinned: true, colour: 'red' })).toEqual({
      t: 'chatstate',
      rid: expect.any(String),
      conv,
      pinned: true,
      archived: false,
      mutedUntil: null,
    });
    expect(await a.sendMessage(conv, 'still here')).toMatchObject({ t: 'ack' });
    await Promise.all([a.close(), b.close(), s.close()]);
  });
});

describe('chatstate and the conversation-change bucket', () => {
  let limited: TestRelay;

  beforeAll(async () => {
    limited = await startTestRelay({ limits: { conversationChangeBurst: 3, conversationChangesPerMinute: 1 } });
  });
  afterAll(async () => {
    await limited.stop();
  });

  test('draws on it: over it, error rate_limited with the rid, and nothing stored', async () => {
    const { a, b, conv } = await directPair(limited);
    // The create took one token; two more fit.
    expect(await a.request({ t: 'chatstate', conv, pinned: true })).toMatchObject({ t: 'chatstate', pinned: true });
    expect(await a.request({ t: 'chatstate', conv, archived: true })).toMatchObject({ t: 'chatstate', archived: true });
    const rid = 'over-the-limit';
    a.send({ t: 'chatstate', rid, conv, pinned: false });
    expect(await a.next('error', (frame) => frame.rid === rid)).toMatchObject({ code: 'rate_limited' });
    // Bob's bucket is his own.
    expect(await b.request({ t: 'chatstate', conv, pinned: true })).toMatchObject({ t: 'chatstate', pinned: true });
    await Promise.all([a.close(), b.close()]);
  });
});
