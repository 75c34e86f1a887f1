// The account in Settings, in real Chromium against a real relay (docs/ui.md,
// "Account"): a profile photo, cropped and shrunk in the page, seen at once
// on the other side; renaming and the "about" line, likewise;
// the devices a user is signed in on, and signing a second browser out from
// the first; downloading one's data and deleting the account, whose messages
// the other side then sees deleted, and whose texts are nowhere in the
// relay's data directory after a clean stop; the settings scanned with
// axe-core, and screenshots of the account screens in both themes for the
// README (docs/screenshots/account-*.png).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { unzipSync } from 'fflate';
import { RelayProcess } from '../helpers/relay-process.ts';
import { shoot } from './axe.ts';
import {
  chatEntry,
  copyToDocs,
  createGroup,
  expect,
  expectAccessible,
  messageLog,
  messageRows,
  relayForThisFile,
  signInOnNewDevice,
  SLOW,
  startDirectChat,
  send,
  openChat,
  messageRow,
  test,
  WEB_ROOT,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  return page.getByRole('dialog', { name: 'Settings' });
}

test('sign a second browser out from the first', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Alice'], async (users) => {
    const [first] = users;
    const second = await signInOnNewDevice(browser, relay.url, first);
    users.push(second);

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
  });
});

test('rename and an about line: the other side sees both at once', async ({ browser }) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
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
  });
});

/** A 3×2 PNG: not square, so the page has to crop it. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==',
  'base64',
);

test('set a profile photo and a group photo: the other side sees them in place of the initials', async ({ browser }) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Carla', 'Dan'], async ([alice, bob]) => {
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
  });
});

/** The settings section `name` scrolled to the top of the dialog, shot in both themes and scanned; copied to docs/screenshots. */
async function shootSection(page: Page, testInfo: TestInfo, section: Locator, name: string): Promise<void> {
  await section.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await shoot(page, testInfo, name);
  await copyToDocs(name);
}

/** Every file under `root` whose bytes hold `needle`. */
async function filesHolding(root: string, needle: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  const found: string[] = [];
  for (const entry of entries.filter((each) => each.isFile())) {
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(Buffer.from(needle))) found.push(file);
  }
  return found;
}

test('download my data, then delete the account: the other side sees its messages deleted, the disk keeps nothing', async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  // A relay of its own, stopped cleanly before its data directory is searched.
  const own = await RelayProcess.start({ args: ['--web-root', WEB_ROOT, '--no-rate-limits'] });
  const secret = `Erin's secret ${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  try {
    await withUsers(browser, own.url, ['Erin', 'Frank'], async (users) => {
      const [erin, frank] = users;
      const erinsPhone = await signInOnNewDevice(browser, own.url, erin);
      users.push(erinsPhone);
      await startDirectChat(erin.page, frank);
      await send(erin.page, secret);
      await openChat(frank.page, 'Erin');
      await expect(messageRow(frank.page, secret)).toBeVisible({ timeout: SLOW });
      await send(frank.page, 'Frank keeps this');

      const settings = await openSettings(erin.page);
      await settings.getByLabel('About', { exact: true }).fill('Off to the mountains');
      await settings.getByRole('button', { name: 'Save profile', exact: true }).click();
      await expect(settings.getByRole('status')).toHaveText('Profile saved.');
      await shootSection(erin.page, testInfo, settings.getByRole('region', { name: 'Profile', exact: true }), 'account-profile');
      const devices = settings.getByRole('list', { name: 'Devices', exact: true });
      await expect(devices.getByRole('listitem')).toHaveCount(2);
      await shootSection(erin.page, testInfo, settings.getByRole('region', { name: 'Devices', exact: true }), 'account-devices');

      await test.step('Download my data: a ZIP with the messages Erin sent', async () => {
        const downloading = erin.page.waitForEvent('download');
        await settings.getByRole('button', { name: 'Download my data', exact: true }).click();
        const download = await downloading;
        expect(download.suggestedFilename()).toMatch(new RegExp(`^duplex-${erin.username}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
        const zip = unzipSync(await readFile(await download.path()));
        expect(JSON.parse(new TextDecoder().decode(zip['account.json'])).user).toMatchObject({ about: 'Off to the mountains' });
        const messages = new TextDecoder().decode(zip['messages.json']);
        expect(messages).toContain(secret);
        expect(messages).not.toContain('Frank keeps this');
        await expect(settings.getByRole('status').filter({ hasText: 'Your data is saved.' })).toBeVisible();
      });

      await test.step('Delete account asks for the password, refuses a wrong one', async () => {
        await settings.getByRole('button', { name: 'Delete account', exact: true }).click();
        const password = settings.locator('input[name="password"]');
        await expect(settings.getByLabel('Password', { exact: true }).and(password)).toBeFocused();
        await shootSection(erin.page, testInfo, settings.getByRole('region', { name: 'Delete account', exact: true }), 'account-delete');
        await password.fill('not my password');
        await settings.getByRole('button', { name: 'Delete my account', exact: true }).click();
        await expect(settings.getByRole('alert')).toHaveText('The password is wrong.');
        await password.fill(erin.password);
        await settings.getByRole('button', { name: 'Delete my account', exact: true }).click();
        await expect(erin.page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible({ timeout: SLOW });
        await expect(erin.page.getByRole('alert')).toHaveText('Your account was deleted.');
        // Her other device is signed out at once, and says why.
        await expect(erinsPhone.page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible({ timeout: SLOW });
        await expect(erinsPhone.page.getByRole('alert')).toHaveText('Your account was deleted.');
      });

      await test.step('Frank sees the message deleted at once, in a chat with a deleted account', async () => {
        const row = messageRows(frank.page).filter({ hasText: 'This message was deleted' });
        await expect(row).toHaveAttribute('data-deleted', 'true', { timeout: SLOW });
        await expect(messageLog(frank.page)).not.toContainText(secret);
        await expect(messageRow(frank.page, 'Frank keeps this')).toBeVisible();
        await expect(chatEntry(frank.page, 'Deleted account')).toBeVisible({ timeout: SLOW });
      });

      await test.step('Erin cannot sign in again', async () => {
        await erin.page.getByLabel('Username', { exact: true }).fill(erin.username);
        await erin.page.getByLabel('Password', { exact: true }).fill(erin.password);
        await erin.page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await expect(erin.page.getByRole('alert')).toContainText(/wrong username or password/i, { timeout: SLOW });
      });
    });

    expect((await own.stop()).code).toBe(0);
    expect(await filesHolding(own.dataDir, 'Frank keeps this')).toEqual([path.join(own.dataDir, 'relay.db')]);
    expect(await filesHolding(own.dataDir, secret)).toEqual([]);
    expect(await filesHolding(own.dataDir, 'Off to the mountains')).toEqual([]);
  } finally {
    await own.cleanup();
  }
});
