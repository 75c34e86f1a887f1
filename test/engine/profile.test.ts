// The engine's profile against a real relay: a change reaches the user's
// other devices (their account, saved) and every contact's conversations
// (the direct chat's title, the member), live and in a later session start.
import { expect, it } from 'vitest';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();

it('renames and sets the about line, seen at once by the other devices and by contacts', async () => {
  const [alice, bob] = await Promise.all([registerAccount(suite.relay.url, 'Alice'), registerAccount(suite.relay.url, 'Bob')]);
  const [laptop, phone, bobClient] = await Promise.all([suite.client(alice), suite.client(alice), suite.client(bob)]);
  const conv = (await bobClient.engine.createDirect(alice.user.id)).id;
  await waitFor(() => phone.conversations.get(conv), 'the chat on alice’s phone');

  const user = await laptop.engine.updateProfile({ displayName: 'Alice Liddell', about: 'Down the rabbit hole' });
  expect(user).toEqual({ ...alice.user, displayName: 'Alice Liddell', about: 'Down the rabbit hole' });
  await waitFor(() => bobClient.conversations.get(conv)?.title === 'Alice Liddell', 'the new title on bob’s side');
  expect(bobClient.conversations.get(conv)?.members.find((member) => member.id === alice.user.id)?.about).toBe('Down the rabbit hole');
  await waitFor(() => phone.accounts.saved?.user.displayName === 'Alice Liddell', 'the phone’s saved account');
  expect(await phone.engine.getAccount()).toMatchObject({ user: { displayName: 'Alice Liddell', about: 'Down the rabbit hole' } });
  expect(phone.events).toContainEqual({ type: 'account', account: expect.objectContaining({ user }) });

  // A device that was away hears of it in its session start.
  await phone.dispose();
  await laptop.engine.updateProfile({ about: '' });
  // Resumed with its saved account (which still says "Down the rabbit hole"), not signed in afresh.
  const again = new TestClient({ storeDir: phone.storeDir, accounts: phone.accounts });
  suite.afterThisTest(() => again.dispose());
  await again.engine.start();
  await waitFor(() => again.accounts.saved?.user.about === undefined, 'the cleared about line after the restart');
  expect(await again.engine.getAccount()).toMatchObject({ user: { displayName: 'Alice Liddell' } });

  await expect(laptop.engine.updateProfile({ displayName: '   ' })).rejects.toMatchObject({ code: 'invalid' });
});

it('sets a profile photo through the files API; contacts load it, a stranger cannot; a group photo likewise', async () => {
  const [alice, bob, eve] = await Promise.all([
    registerAccount(suite.relay.url, 'Alice'),
    registerAccount(suite.relay.url, 'Bob'),
    registerAccount(suite.relay.url, 'Eve'),
  ]);
  const [aliceClient, bobClient, eveClient] = await Promise.all([suite.client(alice), suite.client(bob), suite.client(eve)]);
  const conv = (await bobClient.engine.createDirect(alice.user.id)).id;
  await waitFor(() => aliceClient.conversations.get(conv), 'the chat on alice’s side');

  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 0xff, 0xd9]);
  const user = await aliceClient.engine.setProfilePhoto(jpeg);
  expect(user.photo).toMatch(/^[A-Za-z0-9_-]{24}$/);
  const summary = await waitFor(
    () => (bobClient.conversations.get(conv)?.photo === user.photo ? bobClient.conversations.get(conv) : undefined),
    'the photo in bob’s chat',
  );
  const url = `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
  expect(await bobClient.engine.getPhoto(summary.photo!)).toBe(url);
  expect(await eveClient.engine.getPhoto(user.photo!)).toBeNull();
  await expect(aliceClient.engine.getPhoto('not a file id')).rejects.toThrow('invalid arguments');

  const group = await bobClient.engine.createGroup('Hikers', [alice.user.id]);
  const withPhoto = await bobClient.engine.setGroupPhoto(group.id, jpeg);
  expect(withPhoto.photo).toMatch(/^[A-Za-z0-9_-]{24}$/);
  await waitFor(() => aliceClient.conversations.get(group.id)?.photo === withPhoto.photo, 'the group photo on alice’s side');
  expect(await aliceClient.engine.getPhoto(withPhoto.photo!)).toBe(url);

  expect((await aliceClient.engine.setProfilePhoto(null)).photo).toBeUndefined();
  await waitFor(() => bobClient.conversations.get(conv)?.photo === null, 'the photo gone from bob’s chat');
});
