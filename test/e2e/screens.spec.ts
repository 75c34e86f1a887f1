// The main screens in both colour schemes: a screenshot of each (attached to
// the report and written to test-results/screenshots/) and an axe-core scan
// that must find no serious or critical violation. Screens: sign-in, the
// chat list with an open direct conversation, the New chat dialog, the New
// group dialog, and an open group while someone types.
import { shoot } from './axe.ts';
import {
  chatEntry,
  copyToDocs,
  createGroup,
  expect,
  messageField,
  messageLog,
  messageRow,
  openChat,
  openClient,
  relayForThisFile,
  send,
  SLOW,
  startDirectChat,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

// One walk through the screens; each is captured and scanned in both colour
// schemes (page.emulateMedia), which is cheaper than setting it all up twice.
test('main screens in both themes: screenshots and axe-core', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  let visitor: Awaited<ReturnType<typeof openClient>> | undefined;
  try {
    await test.step('sign-in and registration screens', async () => {
      visitor = await openClient(browser, relay.url);
      const page = visitor.page;
      await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
      await shoot(page, testInfo, 'sign-in');
      // An error, as a failed sign-in shows it.
      await page.getByLabel('Username', { exact: true }).fill('nobody');
      await page.getByLabel('Password', { exact: true }).fill('wrong password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page.getByRole('alert')).toBeVisible({ timeout: SLOW });
      await shoot(page, testInfo, 'sign-in-error');
      await page.getByRole('button', { name: 'Create an account', exact: true }).click();
      await expect(page.getByLabel('Display name', { exact: true })).toBeVisible();
      await shoot(page, testInfo, 'register');
    });

    await withUsers(browser, relay.url, ['Heidi', 'Ivan', 'Judy'], async ([me, peer, third]) => {
      const page = me.page;

      await test.step('empty chat list', async () => {
        await shoot(page, testInfo, 'chats-empty');
      });

      await test.step('New chat dialog', async () => {
        await page.getByRole('button', { name: 'New chat', exact: true }).click();
        const dialog = page.getByRole('dialog', { name: 'New chat' });
        await dialog.getByLabel('Search users', { exact: true }).fill(peer.displayName.slice(0, 2));
        await expect(dialog.getByRole('button', { name: peer.displayName, exact: true })).toBeVisible();
        await shoot(page, testInfo, 'new-chat-dialog');
        await page.keyboard.press('Escape');
        await expect(dialog).toBeHidden();
      });

      await test.step('chat list with an open conversation', async () => {
        await startDirectChat(page, peer);
        await send(page, 'Hi! Are we still on for lunch tomorrow?');
        await openChat(peer.page, me.displayName);
        await send(peer.page, 'Yes, 12:30 at the usual place.');
        await send(page, 'Perfect, see you there. I will book a table for three in case Judy comes too.');
        await expect(messageRow(page, 'Perfect, see you there')).toHaveAttribute('data-status', 'read', { timeout: SLOW });
        await messageField(peer.page).pressSequentially('On my', { delay: 20 });
        await expect(page.getByText('typing…', { exact: true })).toBeVisible({ timeout: SLOW });
        await shoot(page, testInfo, 'conversation');
        await copyToDocs('conversation', 'chat');
        await messageField(peer.page).fill('');
      });

      await test.step('New group dialog', async () => {
        await page.getByRole('button', { name: 'New group', exact: true }).click();
        const dialog = page.getByRole('dialog', { name: 'New group' });
        await dialog.getByLabel('Group name', { exact: true }).fill('Lunch club');
        await dialog.getByLabel('Search users', { exact: true }).fill(peer.displayName);
        await dialog.getByRole('button', { name: peer.displayName, exact: true }).click();
        await expect(dialog.getByRole('button', { name: peer.displayName, exact: true })).toHaveAttribute('aria-pressed', 'true');
        // The chosen member stays listed first while the search shows others.
        await dialog.getByLabel('Search users', { exact: true }).fill(third.displayName.slice(0, 3));
        await expect(dialog.getByRole('button', { name: third.displayName, exact: true })).toHaveAttribute('aria-pressed', 'false');
        await expect(dialog.getByRole('button', { name: peer.displayName, exact: true })).toBeVisible();
        await shoot(page, testInfo, 'new-group-dialog');
        await page.keyboard.press('Escape');
        await expect(dialog).toBeHidden();
      });

      await test.step('an open group while a member types', async () => {
        await createGroup(page, 'Lunch club', [peer, third]);
        await send(page, 'Made a group for the three of us');
        await openChat(third.page, 'Lunch club');
        await send(third.page, 'Count me in!');
        await expect(messageRow(page, 'Count me in!')).toHaveCount(1);
        await messageField(third.page).pressSequentially('Where', { delay: 20 });
        await expect(page.getByText(`${third.displayName} is typing…`, { exact: true })).toBeVisible({ timeout: SLOW });
        await expect(messageLog(page)).toBeVisible();
        await shoot(page, testInfo, 'group');
        await messageField(third.page).fill('');
      });

      await test.step('Group info dialog: rename reaches the other members', async () => {
        await page.getByRole('button', { name: 'Group info', exact: true }).click();
        const dialog = page.getByRole('dialog', { name: 'Group info' });
        await expect(dialog.getByRole('list', { name: 'Members', exact: true })).toContainText(peer.displayName);
        await shoot(page, testInfo, 'group-info-dialog');
        await dialog.getByLabel('Group name', { exact: true }).fill('Lunch club (Fridays)');
        await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
        await expect(chatEntry(third.page, 'Lunch club (Fridays)')).toBeVisible({ timeout: SLOW });
        await page.keyboard.press('Escape');
        await expect(dialog).toBeHidden();
      });
    });
  } finally {
    await visitor?.context.close();
  }
});
