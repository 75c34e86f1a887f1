// Web notifications in real Chromium against a real relay: permission is
// granted through the browser context and turned on from Settings; a new
// message notifies with the sender and text (or only the sender, with the
// text hidden); clicking the notification opens its chat; a message in the
// chat the focused tab shows does not notify. The page's Notification class
// is the browser's own, wrapped only to record what was shown.
import {
  expect,
  messageRow,
  relayForThisFile,
  startDirectChat,
  send,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

interface Shown {
  title: string;
  body: string;
}

test('asks from Settings, notifies by the rules, a click opens the chat', async ({ browser }) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
    const a = alice.page;
    await alice.context.grantPermissions(['notifications'], { origin: new URL(relay.url).origin });
    // Record each notification the page shows (and keep it, to click it),
    // from the page's start.
    await alice.context.addInitScript(() => {
      const Real = window.Notification;
      const shown: Notification[] = [];
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(this);
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
      (window as unknown as { shownNotifications: Notification[] }).shownNotifications = shown;
    });
    await a.reload();
    await expect(a.locator('[data-connection]')).toHaveAttribute('data-connection', 'online');
    const shown = () =>
      a.evaluate(() =>
        (window as unknown as { shownNotifications: Notification[] }).shownNotifications.map((n) => ({ title: n.title, body: n.body })),
      );

    await a.getByRole('button', { name: 'Menu', exact: true }).click();
    await a.getByRole('menuitem', { name: 'Settings' }).click();
    const settings = a.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('button', { name: 'Turn on notifications', exact: true }).click();
    await expect(settings.getByRole('checkbox', { name: 'Show notifications for new messages' })).toBeChecked();
    const hideText = settings.getByRole('checkbox', { name: 'Hide message text in notifications' });
    await expect(hideText).not.toBeChecked();
    await settings.getByRole('button', { name: 'Close' }).click();

    await startDirectChat(bob.page, alice);
    await send(bob.page, 'Lunch at noon?');
    await expect.poll(shown).toEqual([{ title: 'Bob', body: 'Lunch at noon?' }] satisfies Shown[]);

    await a.getByRole('button', { name: 'Menu', exact: true }).click();
    await a.getByRole('menuitem', { name: 'Settings' }).click();
    await hideText.check();
    await settings.getByRole('button', { name: 'Close' }).click();
    await send(bob.page, 'The secret plan');
    await expect.poll(shown).toEqual([
      { title: 'Bob', body: 'Lunch at noon?' },
      { title: 'Bob', body: 'New message' },
    ] satisfies Shown[]);

    // The user clicks the notification: the tab shows the chat.
    await a.evaluate(() => {
      const all = (window as unknown as { shownNotifications: Notification[] }).shownNotifications;
      all.at(-1)!.dispatchEvent(new Event('click'));
    });
    await expect(a.getByRole('heading', { name: 'Bob', exact: true })).toBeVisible();

    // Now the focused tab shows this chat (Playwright keeps every page
    // focused): a message in it does not notify.
    expect(await a.evaluate(() => document.hasFocus())).toBe(true);
    await send(bob.page, 'You are looking at this one');
    await expect(messageRow(a, 'You are looking at this one')).toBeVisible();
    await a.waitForTimeout(1_000);
    expect(await shown()).toHaveLength(2);
  });
});
