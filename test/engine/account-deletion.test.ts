// The engine's account deletion and data export against a real relay: a
// result for the form (never a rejection); once deleted, every device of the
// user is signed out and told why (the one that deleted it too), and the
// other member sees the messages deleted; the export is the relay's ZIP.
import { unzipSync } from 'fflate';
import { expect, it } from 'vitest';
import { waitFor } from './helpers/client.ts';
import { registerAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();

it('downloads the data, then deletes the account with the password: signed out everywhere, messages deleted for the other side', async () => {
  const [aliceAccount, bobAccount] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
  const laptop = await suite.client(aliceAccount);
  const phone = await suite.client(aliceAccount);
  const bob = await suite.client(bobAccount);
  const conv = (await laptop.engine.createDirect(bobAccount.user.id)).id;
  const sent = await laptop.engine.send(conv, 'a message from alice');
  await waitFor(() => bob.messages(conv).find((message) => message.cid === sent.cid && message.seq !== null), 'bob has alice’s message');

  const zip = unzipSync(await laptop.engine.downloadMyData());
  expect(JSON.parse(new TextDecoder().decode(zip['account.json'])).user.id).toBe(aliceAccount.user.id);
  expect(new TextDecoder().decode(zip['messages.json'])).toContain('a message from alice');

  expect(await laptop.engine.deleteAccount('not the password')).toEqual({ ok: false, code: 'bad_credentials', message: 'the password is wrong' });
  expect(await laptop.engine.deleteAccount('')).toMatchObject({ ok: false });
  expect(phone.status?.state).toBe('online');

  expect(await laptop.engine.deleteAccount(aliceAccount.password)).toEqual({ ok: true });
  expect(await laptop.engine.getAccount()).toBeNull();
  expect(laptop.status).toMatchObject({ stopped: 'signed_out', lastCloseReason: 'Your account was deleted.' });
  expect(await laptop.accounts.load()).toBeNull();
  await waitFor(() => phone.status?.stopped === 'signed_out', 'the phone to be signed out');
  expect(phone.status?.lastCloseReason).toBe('Your account was deleted.');
  await expect(laptop.engine.downloadMyData()).rejects.toThrow(/not signed in/i);

  await waitFor(() => bob.messages(conv).find((message) => message.cid === sent.cid)?.deleted, 'bob sees the message deleted');
  expect(bob.messages(conv).find((message) => message.cid === sent.cid)?.body).toBe('');
  // The chat stays in Bob's list, under the name a deleted account shows.
  await waitFor(() => bob.conversations.get(conv)?.members.length === 1, 'bob sees the conversation without alice');
  expect(bob.conversations.get(conv)).toMatchObject({ title: 'Deleted account', peerId: null });
  expect(await laptop.engine.signIn({ relayUrl: suite.relay.url, username: aliceAccount.username, password: aliceAccount.password })).toMatchObject({
    ok: false,
    code: 'bad_credentials',
  });
});
