// Pin, archive and mute follow the user to every device (docs/ui.md, "Chat
// list"): what one browser context does, a second one signed in as the same
// user shows, and back; the chat list with a pinned, muted chat and its
// open Chat actions menu, the mute dialog and the archived view pass
// axe-core in both colour schemes.
import type { Locator, Page } from '@playwright/test';
import { ANY_IMPACT, shoot } from './axe.ts';
import {
  chatEntry,
  COLOUR_RULES,
  conversationList,
  expect,
  expectAccessible,
  relayForThisFile,
  send,
  signInOnNewDevice,
  SLOW,
  startDirectChat,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

/** The `Chat actions` menu of a chat's row, opened. */
async function chatActions(page: Page, title: string): Promise<Locator> {
  const entry = page.getByRole('button', { name: new RegExp(`^${title}`) });
  const row = conversationList(page).getByRole('listitem').filter({ has: entry });
  await row.getByRole('button', { name: 'Chat actions', exact: true }).click();
  const menu = row.getByRole('menu', { name: 'Chat actions', exact: true });
  await expect(menu).toBeVisible();
  return menu;
}

async function choose(page: Page, title: string, item: string): Promise<void> {
  await (await chatActions(page, title)).getByRole('menuitem', { name: item, exact: true }).click();
}

/** The titles of the chat list's entries, top to bottom. */
function titlesInOrder(page: Page): Promise<string[]> {
  return conversationList(page)
    .locator('[data-conversation-id]')
    .evaluateAll((buttons) =>
      buttons
        .map((button) => ({ top: button.getBoundingClientRect().top, title: button.querySelector('.conversation-item__title')?.textContent ?? '' }))
        .sort((a, b) => a.top - b.top)
        .map((entry) => entry.title),
    );
}

test('pin, archive and mute on one device are seen on a second; the archived view passes axe-core', async ({ browser }, testInfo) => {
  test.setTimeout(150_000);
  await withUsers(browser, relay.url, ['Nora', 'Omar', 'Pia'], async (users) => {
    const [me, omar, pia] = users;
    await startDirectChat(me.page, omar);
    await send(me.page, 'Hi Omar');
    await startDirectChat(me.page, pia);
    await send(me.page, 'Hi Pia');
    const second = await signInOnNewDevice(browser, relay.url, me);
    users.push(second);
    await expect(chatEntry(second.page, pia.displayName)).toBeVisible({ timeout: SLOW });
    await expect(chatEntry(second.page, omar.displayName)).toBeVisible();
    expect(await titlesInOrder(second.page)).toEqual([pia.displayName, omar.displayName]);

    await test.step('pin on the first device: pinned first on the second', async () => {
      await choose(me.page, omar.displayName, 'Pin chat');
      await expect(chatEntry(second.page, omar.displayName)).toHaveAttribute('data-pinned', 'true', { timeout: SLOW });
      await expect.poll(() => titlesInOrder(second.page)).toEqual([omar.displayName, pia.displayName]);
      await expect(chatEntry(second.page, pia.displayName)).toHaveAttribute('data-pinned', 'false');
    });

    await test.step('mute always on the first device: muted on the second', async () => {
      await choose(me.page, omar.displayName, 'Mute notifications');
      const dialog = me.page.getByRole('dialog', { name: `Mute ${omar.displayName}` });
      await expectAccessible(me.page, testInfo, 'mute-dialog', undefined, ANY_IMPACT);
      await dialog.getByRole('radio', { name: 'Always', exact: true }).check();
      await dialog.getByRole('button', { name: 'Mute', exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(chatEntry(second.page, omar.displayName)).toHaveAccessibleName(/muted/, { timeout: SLOW });
      const menu = await chatActions(second.page, omar.displayName);
      await expect(menu.getByRole('menuitem', { name: 'Unmute notifications', exact: true })).toBeVisible();
      // The list with a pinned, muted chat and its open Chat actions menu.
      await shoot(second.page, testInfo, 'chat-actions', ANY_IMPACT);
      await second.page.keyboard.press('Escape');
      await expect(menu).toBeHidden();
    });

    await test.step('archive on the first device: behind Archived on the second', async () => {
      await choose(me.page, pia.displayName, 'Archive chat');
      await expect(chatEntry(second.page, pia.displayName)).toBeHidden({ timeout: SLOW });
      const archived = second.page.getByRole('button', { name: 'Archived', exact: true });
      await archived.click();
      await expect(archived).toHaveAttribute('aria-pressed', 'true');
      await expect(chatEntry(second.page, pia.displayName)).toBeVisible();
      await expect(chatEntry(second.page, omar.displayName)).toBeHidden();
    });

    await test.step('axe-core on the chat list showing the archived chats, in both schemes', async () => {
      await second.page.emulateMedia({ colorScheme: 'light' });
      await expectAccessible(second.page, testInfo, 'archived-light');
      await second.page.emulateMedia({ colorScheme: 'dark' });
      await expectAccessible(second.page, testInfo, 'archived-dark', COLOUR_RULES);
      await second.page.emulateMedia({ colorScheme: null });
      // Not even a minor or moderate one (those are only annotated).
      expect(testInfo.annotations.filter((annotation) => annotation.type.startsWith('axe archived'))).toEqual([]);
    });

    await test.step('and back: unarchive and unpin on the second device reach the first', async () => {
      await choose(second.page, pia.displayName, 'Unarchive chat');
      await expect(chatEntry(me.page, pia.displayName)).toBeVisible({ timeout: SLOW });
      await second.page.getByRole('button', { name: 'Archived', exact: true }).click();
      await choose(second.page, omar.displayName, 'Unpin chat');
      await expect(chatEntry(me.page, omar.displayName)).toHaveAttribute('data-pinned', 'false', { timeout: SLOW });
      await choose(second.page, omar.displayName, 'Unmute notifications');
      await expect(chatEntry(me.page, omar.displayName)).not.toHaveAccessibleName(/muted/, { timeout: SLOW });
    });

    // The others never hear of it.
    await expect(chatEntry(omar.page, me.displayName)).toHaveAttribute('data-pinned', 'false');
  });
});
