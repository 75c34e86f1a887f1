// Conversations and users: create (direct, group), add, leave, rename,
// history, users, ping, and the membership check on every frame naming a
// conversation.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthResponse, Conversation, RelayFrame } from '../../src/shared/protocol/index.ts';
import { register, TestClient, uniqueCid, uniqueName } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

interface Member {
  account: AuthResponse;
  client: TestClient;
  id: string;
}

async function members(count: number): Promise<Member[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const account = await register(relay.url);
      const [client] = await TestClient.signIn(relay.wsUrl, account.token);
      return { account, client, id: account.user.id };
    }),
  );
}

async function closeAll(list: Member[]): Promise<void> {
  await Promise.all(list.map((member) => member.client.close()));
}

function convOf(answer: RelayFrame): Conversation {
  if (answer.t !== 'conv') throw new Error(`expected conv, got ${JSON.stringify(answer)}`);
  return answer.conv;
}

function expectError(answer: RelayFrame, code: string): void {
  expect(answer).toMatchObject({ t: 'error', code, message: expect.any(String) });
}

async function group(owner: Member, others: Member[], title = 'Group'): Promise<Conversation> {
  return convOf(await owner.client.request({ t: 'create', kind: 'group', title, members: others.map((o) => o.id) }));
}

describe('create direct', () => {
  test('answers conv with the rid; the other member gets conv and then the presence of the newcomer', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const answer = await alice.client.request({ t: 'create', kind: 'direct', with: bob.id });
    const conv = convOf(answer);
    expect(conv).toMatchObject({ kind: 'direct', title: null, lastSeq: 0, members: [alice.account.user, bob.account.user] });
    expect(await bob.client.next('conv')).toEqual({ t: 'conv', conv });
    expect(await bob.client.next('presence')).toEqual({ t: 'presence', user: alice.id, online: true });
    expect(await alice.client.next('presence', (p) => p.user === bob.id)).toEqual({ t: 'presence', user: bob.id, online: true });
    const convAt = bob.client.frames.findIndex((frame) => frame.t === 'conv');
    const presenceAt = bob.client.frames.findIndex((frame) => frame.t === 'presence' && frame.user === alice.id);
    expect(presenceAt).toBeGreaterThan(convAt);
    await closeAll(list);
  });

  test('asking again returns the existing conversation and tells nobody else', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const first = convOf(await alice.client.request({ t: 'create', kind: 'direct', with: bob.id }));
    await bob.client.next('conv');
    const fromBob = convOf(await bob.client.request({ t: 'create', kind: 'direct', with: alice.id }));
    expect(fromBob.id).toBe(first.id);
    await alice.client.expectNone((frame) => frame.t === 'conv');
    await closeAll(list);
  });

  test('refuses yourself as invalid and an unknown user as not_found', async () => {
    const list = await members(1);
    const [alice] = list as [Member];
    expectError(await alice.client.request({ t: 'create', kind: 'direct', with: alice.id }), 'invalid');
    expectError(await alice.client.request({ t: 'create', kind: 'direct', with: 'nobody' }), 'not_found');
    await closeAll(list);
  });
});

describe('create group', () => {
  test('sends conv to every member, followed by the presence of members they did not know', async () => {
    const list = await members(3);
    const [alice, bob, carol] = list as [Member, Member, Member];
    const conv = await group(alice, [bob, carol], '  Weekend plans ');
    expect(conv).toMatchObject({ kind: 'group', title: 'Weekend plans', lastSeq: 0 });
    expect(conv.members.map((member) => member.id)).toEqual([alice.id, bob.id, carol.id]);
    expect(conv.receipts[carol.id]).toEqual({ delivered: 0, read: 0 });
    for (const member of [bob, carol]) {
      expect(await member.client.next('conv')).toEqual({ t: 'conv', conv });
      const others = list.filter((other) => other !== member).map((other) => other.id);
      for (const other of others) await member.client.next('presence', (p) => p.user === other);
    }
    await closeAll(list);
  });

  test('only introduces the presence of members not already known from another conversation', async () => {
    const list = await members(3);
    const [alice, bob, carol] = list as [Member, Member, Member];
    convOf(await alice.client.request({ t: 'create', kind: 'direct', with: bob.id }));
    await bob.client.next('presence', (p) => p.user === alice.id);
    await group(alice, [bob, carol]);
    await bob.client.next('conv', (c) => c.conv.kind === 'group');
    await bob.client.next('presence', (p) => p.user === carol.id);
    await bob.client.expectNone((frame) => frame.t === 'presence' && frame.user === alice.id);
    await closeAll(list);
  });

  test.each<[string, { title?: string; members?: string[] | 'self' }]>([
    ['a blank title', { title: '   ' }],
    ['a title over 64 characters', { title: 't'.repeat(65) }],
    ['no other members', { members: [] }],
    ['only yourself as member', { members: 'self' }],
    ['more than 255 other members', { members: Array.from({ length: 256 }, () => uniqueCid()) }],
  ])('refuses %s as invalid', async (_, override) => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const memberIds = override.members === 'self' ? [alice.id] : (override.members ?? [bob.id]);
    const answer = await alice.client.request({ t: 'create', kind: 'group', title: override.title ?? 'ok', members: memberIds });
    expectError(answer, 'invalid');
    await closeAll(list);
  });

  test('accepts a title of 64 code points', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    expect((await group(alice, [bob], '🎉'.repeat(64))).title).toBe('🎉'.repeat(64));
    await closeAll(list);
  });

  test('refuses an unknown member as not_found', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const answer = await alice.client.request({ t: 'create', kind: 'group', title: 'x', members: [bob.id, 'ghost'] });
    expectError(answer, 'not_found');
    await bob.client.expectNone((frame) => frame.t === 'conv', 100);
    await closeAll(list);
  });
});

describe('add, leave, rename', () => {
  test('add sends conv to every member and introduces presence both ways', async () => {
    const list = await members(3);
    const [alice, bob, carol] = list as [Member, Member, Member];
    const conv = await group(alice, [bob]);
    await bob.client.next('conv');
    const added = convOf(await alice.client.request({ t: 'add', conv: conv.id, users: [carol.id, bob.id] }));
    expect(added.members.map((member) => member.id)).toEqual([alice.id, bob.id, carol.id]);
    expect(await bob.client.next('conv', (c) => c.conv.members.length === 3)).toEqual({ t: 'conv', conv: added });
    expect(await carol.client.next('conv')).toEqual({ t: 'conv', conv: added });
    await bob.client.next('presence', (p) => p.user === carol.id);
    await carol.client.next('presence', (p) => p.user === alice.id);
    await carol.client.next('presence', (p) => p.user === bob.id);
    await closeAll(list);
  });

  test('a new member sees the history; its watermarks start at the last message', async () => {
    const list = await members(3);
    const [alice, bob, carol] = list as [Member, Member, Member];
    const conv = await group(alice, [bob]);
    await alice.client.sendMessage(conv.id, 'before carol');
    const added = convOf(await alice.client.request({ t: 'add', conv: conv.id, users: [carol.id] }));
    expect(added.receipts[carol.id]).toEqual({ delivered: 1, read: 1 });
    const history = await carol.client.request({ t: 'history', conv: conv.id });
    expect(history).toMatchObject({ t: 'history', msgs: [{ body: 'before carol' }], more: false });
    await closeAll(list);
  });

  test('add refuses empty lists as invalid, unknown users as not_found, direct conversations as forbidden', async () => {
    const list = await members(3);
    const [alice, bob, carol] = list as [Member, Member, Member];
    const conv = await group(alice, [bob]);
    expectError(await alice.client.request({ t: 'add', conv: conv.id, users: [] }), 'invalid');
    expectError(await alice.client.request({ t: 'add', conv: conv.id, users: ['ghost'] }), 'not_found');
    const direct = convOf(await alice.client.request({ t: 'create', kind: 'direct', with: bob.id }));
    expectError(await alice.client.request({ t: 'add', conv: direct.id, users: [carol.id] }), 'forbidden');
    await closeAll(list);
  });

  test('leave answers left, tells the leaver’s other sockets, and sends conv to the rest', async () => {
    const list = await members(3);
    const [alice, bob, carol] = list as [Member, Member, Member];
    const [bob2] = await TestClient.signIn(relay.wsUrl, bob.account.token);
    const conv = await group(alice, [bob, carol]);
    await bob2.next('conv');
    const left = await bob.client.request({ t: 'leave', conv: conv.id });
    expect(left).toEqual({ t: 'left', rid: expect.any(String), conv: conv.id });
    expect(await bob2.next('left')).toEqual({ t: 'left', conv: conv.id });
    const update = await carol.client.next('conv', (c) => c.conv.members.length === 2);
    expect(update.conv.members.map((member) => member.id)).toEqual([alice.id, carol.id]);
    await alice.client.next('conv', (c) => c.conv.members.length === 2);
    await bob.client.expectNone((frame) => frame.t === 'conv' && frame.conv.members.length === 2, 100);
    // Gone means gone: sends and history are refused, and messages no longer arrive.
    expect(await bob.client.sendMessage(conv.id, 'still here?')).toMatchObject({ t: 'nack', code: 'not_found' });
    await alice.client.sendMessage(conv.id, 'after bob left');
    await carol.client.next('msg');
    await bob2.expectNone((frame) => frame.t === 'msg', 100);
    await bob2.close();
    await closeAll(list);
  });

  test('leave and rename refuse direct conversations as forbidden', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const direct = convOf(await alice.client.request({ t: 'create', kind: 'direct', with: bob.id }));
    expectError(await alice.client.request({ t: 'leave', conv: direct.id }), 'forbidden');
    expectError(await alice.client.request({ t: 'rename', conv: direct.id, title: 'x' }), 'forbidden');
    await closeAll(list);
  });

  test('rename sends conv to every member; bad titles are invalid', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const conv = await group(alice, [bob], 'Old');
    await bob.client.next('conv');
    const renamed = convOf(await bob.client.request({ t: 'rename', conv: conv.id, title: ' New ' }));
    expect(renamed.title).toBe('New');
    expect(await alice.client.next('conv', (c) => c.conv.title === 'New')).toEqual({ t: 'conv', conv: renamed });
    expectError(await bob.client.request({ t: 'rename', conv: conv.id, title: '' }), 'invalid');
    expectError(await bob.client.request({ t: 'rename', conv: conv.id, title: 'x'.repeat(65) }), 'invalid');
    await closeAll(list);
  });
});

describe('history', () => {
  test('pages backwards with before and limit, with more, clamping the limit to 1..100', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const conv = convOf(await alice.client.request({ t: 'create', kind: 'direct', with: bob.id }));
    const cids = Array.from({ length: 120 }, () => uniqueCid());
    cids.forEach((cid, i) => alice.client.send({ t: 'send', cid, conv: conv.id, body: `h${i + 1}` }));
    for (const cid of cids) await alice.client.next('ack', (ack) => ack.cid === cid);

    const seqs = (frame: RelayFrame) => (frame.t === 'history' ? frame.msgs.map((msg) => msg.seq) : []);
    const newest = await bob.client.request({ t: 'history', conv: conv.id });
    expect(seqs(newest)).toEqual(Array.from({ length: 50 }, (_, i) => i + 71));
    expect(newest).toMatchObject({ t: 'history', conv: conv.id, more: true });
    const page = await bob.client.request({ t: 'history', conv: conv.id, before: 11, limit: 5 });
    expect([seqs(page), page.t === 'history' && page.more]).toEqual([[6, 7, 8, 9, 10], true]);
    const start = await bob.client.request({ t: 'history', conv: conv.id, before: 4, limit: 10 });
    expect([seqs(start), start.t === 'history' && start.more]).toEqual([[1, 2, 3], false]);
    expect(seqs(await bob.client.request({ t: 'history', conv: conv.id, limit: 0 }))).toEqual([120]);
    expect(seqs(await bob.client.request({ t: 'history', conv: conv.id, limit: -5 }))).toEqual([120]);
    expect(seqs(await bob.client.request({ t: 'history', conv: conv.id, limit: 1000 }))).toHaveLength(100);
    expectError(await bob.client.request({ t: 'history', conv: conv.id, limit: 1.5 }), 'bad_frame');
    await closeAll(list);
  });

  test('keeps each answer within the frame size and says more when it left messages out', async () => {
    const list = await members(2);
    const [alice, bob] = list as [Member, Member];
    const conv = convOf(await alice.client.request({ t: 'create', kind: 'direct', with: bob.id }));
    for (let i = 0; i < 20; i++) await alice.client.sendMessage(conv.id, `${'y'.repeat(4096)}`);
    const answer = await bob.client.request({ t: 'history', conv: conv.id, limit: 20 });
    if (answer.t !== 'history') throw new Error('no history');
    expect(answer.msgs.length).toBeLessThan(20);
    expect(answer.msgs.at(-1)?.seq).toBe(20);
    expect(answer.more).toBe(true);
    expect(bob.client.violations).toEqual([]);
    await closeAll(list);
  });
});

describe('users', () => {
  test('finds users by username or display name prefix, ignoring case, without the asker', async () => {
    const tag = uniqueName('q').slice(2, 10);
    const anna = await register(relay.url, `anna_${tag}`, `Zoë ${tag}`);
    const other = await register(relay.url, `${tag}_other`, 'Someone');
    const [client] = await TestClient.signIn(relay.wsUrl, anna.token);
    const byUsername = await client.request({ t: 'users', q: tag.toUpperCase() });
    expect(byUsername).toEqual({ t: 'users', rid: expect.any(String), users: [other.user] });
    const [searcher] = await TestClient.signIn(relay.wsUrl, other.token);
    const byDisplayName = await searcher.request({ t: 'users', q: `ZOË ${tag}` });
    expect(byDisplayName).toMatchObject({ users: [anna.user] });
    expect(await searcher.request({ t: 'users', q: '%' })).toMatchObject({ users: [] });
    expect(await searcher.request({ t: 'users', q: '_' })).toMatchObject({ users: [] });
    await Promise.all([client.close(), searcher.close()]);
  });

  test('returns at most 20 users', async () => {
    const tag = `many${uniqueName('').slice(1, 7)}`;
    await Promise.all(Array.from({ length: 22 }, (_, i) => register(relay.url, `${tag}_${i}`)));
    const asker = await register(relay.url);
    const [client] = await TestClient.signIn(relay.wsUrl, asker.token);
    const answer = await client.request({ t: 'users', q: tag });
    expect(answer.t === 'users' && answer.users.length).toBe(20);
    await client.close();
  });
});

describe('ping', () => {
  test('answers pong, with the rid when there is one', async () => {
    const list = await members(1);
    const [alice] = list as [Member];
    expect(await alice.client.request({ t: 'ping' })).toEqual({ t: 'pong', rid: expect.any(String) });
    alice.client.send({ t: 'ping' });
    expect(await alice.client.next('pong', (pong) => pong.rid === undefined)).toEqual({ t: 'pong' });
    await closeAll(list);
  });
});

describe('membership', () => {
  test('a non-member gets not_found on every frame naming the conversation', async () => {
    const list = await members(3);
    const [alice, bob, outsider] = list as [Member, Member, Member];
    const conv = await group(alice, [bob]);
    await alice.client.sendMessage(conv.id, 'private');
    const o = outsider.client;
    expect(await o.sendMessage(conv.id, 'hi')).toMatchObject({ t: 'nack', code: 'not_found' });
    o.send({ t: 'receipt', conv: conv.id, read: 1 });
    expect(await o.next('error')).toMatchObject({ code: 'not_found' });
    o.send({ t: 'typing', conv: conv.id, on: true });
    expect(await o.next('error')).toMatchObject({ code: 'not_found' });
    expect(o.frames.filter((frame) => frame.t === 'error').every((frame) => !('rid' in frame))).toBe(true);
    expectError(await o.request({ t: 'history', conv: conv.id }), 'not_found');
    expectError(await o.request({ t: 'add', conv: conv.id, users: [outsider.id] }), 'not_found');
    expectError(await o.request({ t: 'leave', conv: conv.id }), 'not_found');
    expectError(await o.request({ t: 'rename', conv: conv.id, title: 'mine' }), 'not_found');
    // Unknown conversations look the same.
    expectError(await o.request({ t: 'history', conv: 'no-such-id' }), 'not_found');
    await alice.client.expectNone((frame) => frame.t === 'typing' || frame.t === 'receipt', 100);
    await closeAll(list);
  });
});
