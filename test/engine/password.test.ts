// The engine's password change against a real relay: a result for the form
// (never a rejection), the other devices signed out when asked and told why.
import { expect, it } from 'vitest';
import { waitFor } from './helpers/client.ts';
import { registerAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();

it('changes the password with the current one, and signs the other devices out when asked', async () => {
  const alice = await registerAccount(suite.relay.url, 'Alice');
  const laptop = await suite.client(alice);
  const phone = await suite.client(alice);

  expect(await laptop.engine.changePassword({ currentPassword: 'wrong', newPassword: 'new passphrase', signOutOthers: true })).toEqual({
    ok: false,
    code: 'bad_credentials',
    message: 'the current password is wrong',
  });
  expect(await laptop.engine.changePassword({ currentPassword: alice.password, newPassword: 'short', signOutOthers: false })).toMatchObject({
    ok: false,
    code: 'invalid',
  });
  expect(phone.status?.state).toBe('online');

  expect(
    await laptop.engine.changePassword({ currentPassword: alice.password, newPassword: 'new passphrase', signOutOthers: true }),
  ).toEqual({ ok: true });
  await waitFor(() => phone.status?.stopped === 'signed_out', 'the phone to be signed out');
  expect(phone.status?.lastCloseReason).toBe('Your password was changed on another device. Sign in again.');
  expect(laptop.status?.state).toBe('online');
  const again = await suite.client({ ...alice, password: 'new passphrase' });
  expect(again.status?.state).toBe('online');
});
