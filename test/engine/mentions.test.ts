// Mentions through the engine, against a real relay: every ChatMessage it
// makes (outgoing, stored, in a page, as a conversation's last message)
// carries the members its body mentions as `@username`.
import { expect, it } from 'vitest';
import { waitFor } from './helpers/client.ts';
import { registerAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();

it('marks the members a message mentions, on both sides', async () => {
  const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
  const aliceClient = await suite.client(alice);
  const bobClient = await suite.client(bob);
  const group = (await aliceClient.engine.createGroup('Trip', [bob.user.id])).id;
  await waitFor(() => bobClient.conversations.get(group), 'the group at bob’s');

  const body = `@${bob.username}, ask @nobody_here or @${alice.username}.`;
  const expected = [
    { start: 0, end: bob.username.length + 1, user: bob.user.id },
    { start: body.lastIndexOf('@'), end: body.length - 1, user: alice.user.id },
  ];
  const sent = await aliceClient.engine.send(group, body);
  expect(sent.mentions).toEqual(expected);

  const received = await waitFor(() => bobClient.shown.get(group)?.get(sent.cid), 'the message at bob’s');
  expect(received.mentions).toEqual(expected);
  const page = await bobClient.engine.getMessages(group, { limit: 10 });
  expect(page.messages.at(-1)!.mentions).toEqual(expected);
  await waitFor(() => bobClient.conversations.get(group)?.lastMessage?.cid === sent.cid, 'the summary');
  expect(bobClient.conversations.get(group)!.lastMessage!.mentions).toEqual(expected);

  const plain = await aliceClient.engine.send(group, 'no one in particular');
  expect(plain).not.toHaveProperty('mentions');
});
