// The engine's devices against a real relay: the name each host gives at
// sign-in, the list with this device marked, and signing another device out,
// which ends that engine's session at once with a reason the sign-in screen
// can show.
import { expect, it } from 'vitest';
import { waitFor } from './helpers/client.ts';
import { registerAccount } from './helpers/relay.ts';
import { relaySuite } from './helpers/relay-suite.ts';

const suite = relaySuite();

it('lists the devices by the names their hosts gave, and signs one or all the others out', async () => {
  const alice = await registerAccount(suite.relay.url, 'Alice');
  const laptop = await suite.client(alice, { deviceName: 'Duplex on Linux' });
  const browser = await suite.client(alice, { deviceName: 'Chromium on Linux' });
  const phone = await suite.client(alice, { deviceName: 'x'.repeat(100) });

  const listed = await laptop.engine.listDevices();
  // Registering gave no name; a name the relay would refuse is left out rather than fail the sign-in.
  expect(listed.map(({ name, current }) => [name, current])).toEqual([
    ['Unknown device', false],
    ['Duplex on Linux', true],
    ['Chromium on Linux', false],
    ['Unknown device', false],
  ]);

  const browserDevice = (await browser.engine.listDevices()).find((device) => device.current);
  const left = await laptop.engine.signOutDevice(browserDevice!.id);
  expect(left.map((device) => device.name)).not.toContain('Chromium on Linux');
  await waitFor(() => browser.status?.stopped === 'signed_out', 'the browser to be signed out');
  expect(browser.status?.lastCloseReason).toBe('This device was signed out from another device. Sign in again.');
  expect(browser.events).toContainEqual({ type: 'account', account: null });
  expect(browser.accounts.saved).toBeNull();

  expect(await laptop.engine.signOutOtherDevices()).toEqual([expect.objectContaining({ name: 'Duplex on Linux', current: true })]);
  await waitFor(() => phone.status?.stopped === 'signed_out', 'the phone to be signed out');
  expect(laptop.status?.state).toBe('online');
});

it('rejects a device the relay does not know, and this one', async () => {
  const bob = await registerAccount(suite.relay.url, 'Bob');
  const laptop = await suite.client(bob, { deviceName: 'Duplex on Linux' });
  await expect(laptop.engine.signOutDevice('0123456789abcdef')).rejects.toMatchObject({ code: 'not_found' });
  const me = (await laptop.engine.listDevices()).find((device) => device.current);
  await expect(laptop.engine.signOutDevice(me!.id)).rejects.toMatchObject({ code: 'invalid' });
  await expect(laptop.engine.signOutDevice('x'.repeat(65))).rejects.toThrow('invalid arguments');
  expect(laptop.status?.state).toBe('online');
});
