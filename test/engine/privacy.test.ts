// The engine's privacy calls against a real relay: block, unblock and who may
// add me to groups, the `privacy` event on every device of the user, the
// settings after a fresh sign-in, and a blocked sender's message failing.
import { expect, it } from 'vitest';
import type { DuplexEvent } from '../../src/shared/api.ts';
import { waitFor } from './helpers/client.ts';
import { registerAccount, type TestAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();
const client = (account: TestAccount) => suite.client(account);

function privacyEvents(events: DuplexEvent[]) {
  return events.flatMap((event) => (event.type === 'privacy' ? [event.privacy] : []));
}

it('blocks and unblocks, on every device, and a blocked sender’s message fails', async () => {
  const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
  const [phone, laptop, bobClient] = await Promise.all([client(alice), client(alice), client(bob)]);
  expect(await phone.engine.getPrivacy()).toEqual({ groupAdds: 'everyone', blocked: [] });
  const conv = (await bobClient.engine.createDirect(alice.user.id)).id;
  await waitFor(() => phone.conversations.get(conv), 'the chat on alice’s phone');

  expect(await phone.engine.block(bob.user.id)).toEqual({ groupAdds: 'everyone', blocked: [bob.user] });
  await waitFor(() => privacyEvents(laptop.events).at(-1)?.blocked.length === 1, 'the block on the laptop');

  const sent = await bobClient.engine.send(conv, 'are you there?');
  await waitFor(() => bobClient.shown.get(conv)?.get(sent.cid)?.status === 'failed', 'the message to fail');

  expect(await laptop.engine.setGroupAdds('nobody')).toEqual({ groupAdds: 'nobody', blocked: [bob.user] });
  await expect(bobClient.engine.createGroup('Trap', [alice.user.id])).rejects.toMatchObject({ code: 'forbidden' });

  // A new device hears the settings in its session start.
  const tablet = await client(alice);
  expect(await tablet.engine.getPrivacy()).toEqual({ groupAdds: 'nobody', blocked: [bob.user] });

  expect(await phone.engine.unblock(bob.user.id)).toEqual({ groupAdds: 'nobody', blocked: [] });
  await bobClient.engine.retry(conv, sent.cid);
  await waitFor(() => phone.shown.get(conv)?.get(sent.cid), 'the message after unblocking');
});
