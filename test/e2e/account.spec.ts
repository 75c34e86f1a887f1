// The account in Settings, in real Chromium against a real relay (docs/ui.md,
// "Account"): a profile photo, cropped and shrunk in the page, seen at once
// on the other side; renaming and the "about" line, likewise;
// the devices a user is signed in on, and signing a second browser out from
// the first; the settings scanned with axe-core.
import type { Page } from '@playwright/test';
import {
  type ChatUser,
  chatEntry,
  closeAll,
  createGroup,
  expect,
  expectAccessible,
  expectNoPageErrors,
  relayForThisFile,
  signInOnNewDevice,
  signUp,
  SLOW,
  startDirectChat,
  send,
  openChat,
  test,
} from './support.ts';

const relay = relayForThisFile();

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  return page.getByRole('dialog', { name: 'Settings' });
}

test('sign a second browser out from the first', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  let first: ChatUser | undefined;
  let second: ChatUser | undefined;
  try {
    first = await signUp(browser, relay.url, 'Alice');
    second = await signInOnNewDevice(browser, relay.url, first);

    const settings = await openSettings(first.page);
    const devices = settings.getByRole('list', { name: 'Devices', exact: true });
    await expect(devices.getByRole('listitem')).toHaveCount(2);
    // Both are this browser, each named as the web client names it.
    await expect(devices.getByRole('listitem').filter({ hasText: 'Chromium on Linux' })).toHaveCount(2);
    const current = devices.getByRole('listitem').filter({ hasText: 'This device' });
    await expect(current.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);
    await expectAccessible(first.page, testInfo, 'settings-account');

    const other = devices.getByRole('listitem').filter({ hasNotText: 'This device' });
    await other.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(devices.getByRole('listitem')).toHaveCount(1);
    await expect(settings.getByRole('button', { name: 'Sign out all other devices', exact: true })).toHaveCount(0);

    // The second browser is back at the sign-in screen at once, and says why.
    await expect(second.page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible({ timeout: SLOW });
    await expect(second.page.getByRole('alert')).toHaveText('This device was signed out from another device. Sign in again.');
    expectNoPageErrors(first, second);
  } finally {
    await closeAll(first, second);
  }
});

test('rename and an about line: the other side sees both at once', async ({ browser }) => {
  test.setTimeout(120_000);
  let alice: ChatUser | undefined;
  let bob: ChatUser | undefined;
  try {
    [alice, bob] = await Promise.all([signUp(browser, relay.url, 'Alice'), signUp(browser, relay.url, 'Bob')]);
    await startDirectChat(alice.page, bob);
    await send(alice.page, 'Hello Bob');
    await openChat(bob.page, 'Alice');

    const settings = await openSettings(alice.page);
    await settings.getByLabel('Display name', { exact: true }).fill('Alice Liddell');
    await settings.getByLabel('About', { exact: true }).fill('Down the rabbit hole');
    await settings.getByRole('button', { name: 'Save profile', exact: true }).click();
    await expect(settings.getByRole('status')).toHaveText('Profile saved.');

    // Bob's chat list and open chat follow without a reload.
    await expect(chatEntry(bob.page, 'Alice Liddell')).toBeVisible({ timeout: SLOW });
    await expect(bob.page.getByRole('heading', { name: 'Alice Liddell', exact: true })).toBeVisible();
    await expect(bob.page.locator('.conversation-header__subtitle')).toContainText('Down the rabbit hole');
    expectNoPageErrors(alice, bob);
  } finally {
    await closeAll(alice, bob);
  }
});

/** A 3×2 PNG: not square, so the page has to crop it. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==',
  'base64',
);

test('set a profile photo and a group photo: the other side sees them in place of the initials', async ({ browser }) => {
  test.setTimeout(120_000);
  let alice: ChatUser | undefined;
  let bob: ChatUser | undefined;
  try {
    [alice, bob] = await Promise.all([signUp(browser, relay.url, 'Carla'), signUp(browser, relay.url, 'Dan')]);
    await startDirectChat(alice.page, bob);
    await send(alice.page, 'Hello Dan');
    const entry = chatEntry(bob.page, 'Carla');
    await expect(entry.locator('.avatar')).toHaveText('C');

    const settings = await openSettings(alice.page);
    await settings.getByLabel('Profile photo', { exact: true }).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    // Cropped square and shrunk on the device before anything is sent.
    const preview = settings.locator('.account-photo img');
    await expect(preview).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
    expect(await preview.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([256, 256]);
    await settings.getByRole('button', { name: 'Save profile', exact: true }).click();
    await expect(settings.getByRole('status')).toHaveText('Profile saved.');
    await expect(settings.getByRole('button', { name: 'Remove photo', exact: true })).toBeVisible();

    // Bob's list entry and the header of the open chat show it as an img inside the avatar.
    await expect(entry.locator('.avatar img')).toHaveAttribute('src', /^data:image\/jpeg;base64,/, { timeout: SLOW });
    await openChat(bob.page, 'Carla');
    await expect(bob.page.locator('.conversation-header .avatar img')).toBeVisible();
    // The avatar stays decorative: the entry's name is unchanged.
    await expect(bob.page.getByRole('button', { name: /^Carla/ })).toHaveCount(1);

    await settings.getByRole('button', { name: 'Remove photo', exact: true }).click();
    await expect(settings.getByRole('status')).toHaveText('Photo removed.');
    await expect(entry.locator('.avatar')).toHaveText('C', { timeout: SLOW });
    await settings.getByRole('button', { name: 'Close', exact: true }).click();

    // A group photo, set by a member who did not create the group.
    await createGroup(bob.page, 'Hikers', [alice]);
    await send(bob.page, 'Welcome');
    await openChat(alice.page, 'Hikers');
    await alice.page.getByRole('button', { name: 'Group info', exact: true }).click();
    const info = alice.page.getByRole('dialog', { name: 'Group info' });
    await info.getByLabel('Group photo', { exact: true }).setInputFiles({ name: 'hikers.png', mimeType: 'image/png', buffer: PNG });
    await expect(info.getByRole('button', { name: 'Remove group photo', exact: true })).toBeVisible();
    await expect(chatEntry(bob.page, 'Hikers').locator('.avatar img')).toBeVisible({ timeout: SLOW });
    expectNoPageErrors(alice, bob);
  } finally {
    await closeAll(alice, bob);
  }
});
