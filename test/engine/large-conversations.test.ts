// The engine with conversations too large for one frame (docs/protocol.md,
// "Large conversations"), against a real relay: a 255-member group arrives
// as a partial `conv` plus `members` frames, and the welcome of a user in
// many conversations in pages. The engine must end up with every member and
// every conversation, exactly as if each had come in one frame.
import { expect, it } from 'vitest';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, type TestAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();
const client = (account: TestAccount) => suite.client(account);

async function accounts(count: number, displayName?: string): Promise<TestAccount[]> {
  const made: TestAccount[] = [];
  for (let i = 0; i < count; i += 16) {
    const size = Math.min(16, count - i);
    made.push(...(await Promise.all(Array.from({ length: size }, () => registerAccount(suite.relay.url, 'Member', displayName)))));
  }
  return made;
}

it('creates and receives a 255-member group with long names, members complete', async () => {
  const [creator, ...others] = await accounts(256, '🦜'.repeat(64));
  if (!creator) throw new Error('no accounts');
  const [creatorClient, memberClient] = await Promise.all([client(creator), client(others[100] as TestAccount)]);
  const everyone = [creator, ...others].map((account) => account.user.id);

  const created = await creatorClient.engine.createGroup('Everyone', others.map((account) => account.user.id));
  expect(created.members.map((member) => member.id)).toEqual(everyone);
  const received = await waitFor(() => memberClient.conversations.get(created.id), 'the group on the member');
  expect(received.members.map((member) => member.id)).toEqual(everyone);
  expect(Object.keys(received.receipts)).toHaveLength(256);

  // After a restart of the member's session, the welcome brings it whole again.
  const again = await client(others[7] as TestAccount);
  const listed = await again.engine.listConversations();
  expect(listed.map((conversation) => conversation.id)).toEqual([created.id]);
  expect(listed[0]?.members).toHaveLength(256);
});

it('takes a paged welcome: every conversation listed, none removed for being on a later page', async () => {
  const [member, creator, third] = await accounts(3);
  if (!member || !creator || !third) throw new Error('no accounts');
  const creatorClient = await client(creator);
  const ids: string[] = [];
  for (let i = 0; i < 120; i++) {
    ids.push((await creatorClient.engine.createGroup(`group ${i} ${'🦜'.repeat(54)}`, [member.user.id, third.user.id])).id);
  }
  // A first session stores them all; a second welcome (paged too) keeps them all.
  const first = new TestClient();
  await first.engine.signIn({ relayUrl: suite.relay.url, username: member.username, password: member.password });
  await first.waitForState('online');
  expect((await first.engine.listConversations()).map((conversation) => conversation.id).sort()).toEqual([...ids].sort());
  await first.dispose();
  const second = await suite.client(member, { storeDir: first.storeDir });
  expect((await second.engine.listConversations()).length).toBe(120);
  expect(second.events.filter((event) => event.type === 'conversation-removed')).toEqual([]);
});
