// Every relay frame stays within 64 KiB, the welcome included: a 255-member
// group with long names goes out as a partial `conv` plus `members` frames,
// and the welcome of a user in many conversations is paged with `convs`
// frames (docs/protocol.md, "Large conversations"). TestClient records a
// violation for any frame over the limit.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AuthResponse, Conversation, RelayFrame } from '../../src/shared/protocol/index.ts';
import { register, TestClient, uniqueName } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  // Hundreds of creates from one user: the conversation-change limit is not what is tested here.
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

/** A display name of 64 characters that take 4 bytes each in UTF-8. */
const LONG_NAME = '🦜'.repeat(64);

async function registerMany(count: number, displayName?: string): Promise<AuthResponse[]> {
  const users: AuthResponse[] = [];
  // A few at a time: each registration hashes a password.
  for (let i = 0; i < count; i += 16) {
    const size = Math.min(16, count - i);
    users.push(...(await Promise.all(Array.from({ length: size }, () => register(relay.url, uniqueName(), displayName)))));
  }
  return users;
}

/** The conversations a client has been told about, its parts put together, as the engine does. */
function assembled(frames: readonly RelayFrame[]): Map<string, Conversation> {
  const conversations = new Map<string, Conversation>();
  for (const frame of frames) {
    const listed =
      frame.t === 'welcome' || frame.t === 'convs' ? frame.conversations : frame.t === 'conv' ? [frame.conv] : [];
    for (const conversation of listed) conversations.set(conversation.id, structuredClone(conversation));
    if (frame.t === 'members') {
      const conversation = conversations.get(frame.conv);
      if (!conversation?.partial) throw new Error(`members frame for ${frame.conv} without a partial conversation before it`);
      conversation.members.push(...frame.members);
      Object.assign(conversation.receipts, frame.receipts);
      if (!frame.more) delete conversation.partial;
    }
  }
  return conversations;
}

test('a 255-member group with long names reaches everyone in frames within 64 KiB, and so do later changes', async () => {
  const [creator, ...others] = await registerMany(256, LONG_NAME);
  if (!creator) throw new Error('register failed');
  const memberIds = others.map((other) => other.user.id);
  const [c] = await TestClient.signIn(relay.wsUrl, creator.token);
  const [m] = await TestClient.signIn(relay.wsUrl, (others[200] as AuthResponse).token);

  const answer = await c.request({ t: 'create', kind: 'group', title: 'Everyone', members: memberIds }, 15_000);
  if (answer.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(answer)}`);
  expect(answer.conv.partial).toBe(true);
  const conv = answer.conv.id;
  await c.next('members', (frame) => frame.conv === conv && !frame.more);
  await m.next('members', (frame) => frame.conv === conv && !frame.more);
  for (const client of [c, m]) {
    const whole = assembled(client.frames).get(conv);
    expect(whole?.partial).toBeUndefined();
    expect(whole?.members.map((member) => member.id)).toEqual([creator.user.id, ...memberIds]);
    expect(Object.keys(whole?.receipts ?? {}).sort()).toEqual([creator.user.id, ...memberIds].sort());
    expect(client.violations).toEqual([]);
  }
  // The parts of one conversation come one after the other, with nothing between them.
  const start = m.frames.findIndex((frame) => frame.t === 'conv');
  const end = m.frames.findIndex((frame) => frame.t === 'members' && !frame.more);
  expect(m.frames.slice(start + 1, end + 1).every((frame) => frame.t === 'members')).toBe(true);

  // Each member's own chat state rides in the first part of a partial conv.
  await m.request({ t: 'chatstate', conv, pinned: true });
  const renamed = await c.request({ t: 'rename', conv, title: 'Everyone, renamed' });
  expect(renamed).toMatchObject({ t: 'conv', conv: { title: 'Everyone, renamed', partial: true, mine: { pinned: false } } });
  expect((await m.next('conv', (frame) => frame.conv.title === 'Everyone, renamed')).conv).toMatchObject({
    partial: true,
    mine: { pinned: true, archived: false, mutedUntil: null },
  });
  await m.next('members', (frame) => frame.conv === conv && !frame.more);
  expect(m.violations).toEqual([]);

  // A fresh sign-in lists it in a welcome within the limit too.
  const [again, { welcome }] = await TestClient.signIn(relay.wsUrl, (others[10] as AuthResponse).token);
  expect(welcome.conversations.map((conversation) => conversation.id)).toEqual([conv]);
  expect(assembled(again.frames).get(conv)?.members).toHaveLength(256);
  expect(again.violations).toEqual([]);
  await Promise.all([c.close(), m.close(), again.close()]);
});

test('the welcome of a user in many conversations is paged with convs frames, each within 64 KiB', async () => {
  const [victim, creator, ...crowd] = await registerMany(12);
  if (!victim || !creator) throw new Error('register failed');
  const [c] = await TestClient.signIn(relay.wsUrl, creator.token);
  const created: string[] = [];
  for (let i = 0; i < 150; i++) {
    const members = [victim.user.id, (crowd[i % crowd.length] as AuthResponse).user.id];
    const answer = await c.request({ t: 'create', kind: 'group', title: `group ${i} ${'🦜'.repeat(54)}`, members });
    if (answer.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(answer)}`);
    created.push(answer.conv.id);
  }
  // The last one (listed on a later page) archived by its member.
  const archived = created.at(-1);
  const [earlier] = await TestClient.signIn(relay.wsUrl, victim.token);
  await earlier.request({ t: 'chatstate', conv: archived, archived: true });
  await earlier.close();
  const [v, { welcome }] = await TestClient.signIn(relay.wsUrl, victim.token);
  expect(welcome.more).toBe(true);
  const pages = v.frames.filter((frame) => frame.t === 'convs');
  expect(pages.length).toBeGreaterThan(1);
  expect(pages.at(-1)).toMatchObject({ more: false });
  expect(pages.slice(0, -1).every((page) => page.t === 'convs' && page.more)).toBe(true);
  // Every conversation once, with its whole membership;
  // the presence of every contact once.
  const listed = [welcome, ...pages].flatMap((page) => (page.t === 'welcome' || page.t === 'convs' ? page.conversations : []));
  expect(listed.map((conversation) => conversation.id).sort()).toEqual(created.sort());
  expect(listed.every((conversation) => conversation.members.length === 3 && !conversation.partial)).toBe(true);
  // Each with the user's own chat state.
  expect(listed.filter((conversation) => conversation.mine?.archived).map((conversation) => conversation.id)).toEqual([archived]);
  expect(welcome.conversations.some((conversation) => conversation.id === archived)).toBe(false);
  const presence = [welcome, ...pages].flatMap((page) => (page.t === 'welcome' || page.t === 'convs' ? page.presence : []));
  expect(presence.map((entry) => entry.user).sort()).toEqual([creator, ...crowd].map((user) => user.user.id).sort());
  // The listing ends before the backlog starts.
  const lastPage = v.frames.findIndex((frame) => frame.t === 'convs' && !frame.more);
  expect(v.frames.findIndex((frame) => frame.t === 'batch')).toBe(-1);
  expect(v.frames.findIndex((frame) => frame.t === 'synced')).toBeGreaterThan(lastPage);
  expect(v.violations).toEqual([]);
  await Promise.all([c.close(), v.close()]);
});
