// Search on the device through the engine, against a real relay: messages
// that arrived live, were sent from here, or came in the session start are
// all found, with the matching words to highlight; a restarted engine finds
// them in its stored index; a conversation left is no longer searched.
import { expect, it } from 'vitest';
import { waitFor } from './helpers/client.ts';
import { registerAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();

it('finds stored messages of every conversation, newest first, with the words to highlight', async () => {
  const [alice, bob, carol] = await Promise.all([
    registerAccount(suite.relay.url, 'Alice'),
    registerAccount(suite.relay.url, 'Bob'),
    registerAccount(suite.relay.url, 'Carol'),
  ]);
  const aliceClient = await suite.client(alice);
  const bobClient = await suite.client(bob);
  const direct = (await aliceClient.engine.createDirect(bob.user.id)).id;
  const group = (await aliceClient.engine.createGroup('Trip', [bob.user.id, carol.user.id])).id;
  await waitFor(() => bobClient.conversations.get(group), 'the group on bob’s side');

  await aliceClient.engine.send(direct, 'Lunch at the Café?');
  await aliceClient.engine.send(group, 'Packing list: tent, café filters');
  const mine = await bobClient.engine.send(direct, 'sure, lunch works');
  await waitFor(() => bobClient.messages(direct).length === 2 && bobClient.messages(group).length === 1, 'the messages at bob’s');
  await waitFor(() => bobClient.shown.get(direct)?.get(mine.cid)?.seq, 'bob’s own message stored');

  const hits = await bobClient.engine.searchMessages('cafe', 10);
  expect(hits.map((hit) => [hit.message.conv, hit.message.body])).toEqual([
    [group, 'Packing list: tent, café filters'],
    [direct, 'Lunch at the Café?'],
  ]);
  expect(hits[1]!.highlights).toEqual([{ start: 13, end: 17 }]);
  expect(hits[1]!.message).toMatchObject({ mine: false, from: alice.user.id });

  const lunch = await bobClient.engine.searchMessages('LUNCH', 10);
  expect(lunch.map((hit) => [hit.message.body, hit.message.mine])).toEqual([
    ['sure, lunch works', true],
    ['Lunch at the Café?', false],
  ]);
  expect(lunch[0]!.message.status).toMatch(/sent|delivered|read/);
  expect(await bobClient.engine.searchMessages('lunch', 1)).toHaveLength(1);
  expect(await bobClient.engine.searchMessages('  ?! ', 10)).toEqual([]);
  expect(await bobClient.engine.searchMessages('tent lunch', 10)).toEqual([]);

  // Arguments the method table refuses.
  await expect(bobClient.engine.searchMessages('lunch', 0)).rejects.toThrow(/invalid arguments/);
  await expect(bobClient.engine.searchMessages(42 as unknown as string, 10)).rejects.toThrow(/invalid arguments/);

  // A restarted engine searches what it stored.
  const storeDir = bobClient.storeDir;
  await bobClient.dispose();
  const again = await suite.client(bob, { storeDir });
  expect((await again.engine.searchMessages('filters', 10)).map((hit) => hit.message.conv)).toEqual([group]);

  // A group left is no longer searched.
  await again.engine.leave(group);
  await waitFor(() => !again.conversations.has(group), 'the group gone');
  expect(await again.engine.searchMessages('filters', 10)).toEqual([]);
});
