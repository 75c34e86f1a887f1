// The desktop app end to end in real Electron: start-up with a secure
// window, signing in, sending, and a message from someone else raising a
// notification and the tray count, whose click opens the conversation.
import { clickLastNotification, expect, recordNotificationsAndTray, recorded, signIn, skipWithoutElectron, test } from './fixtures.ts';

skipWithoutElectron();

test('starts with one window on the app page, the bridge and no Node', async ({ desktop }) => {
  const { app, page } = desktop;
  await expect(page).toHaveTitle('Duplex');
  expect(page.url()).toBe('app://duplex/index.html');
  // The options themselves are checked by the unit and bundle smoke tests
  // (Electron cannot report them); here, what the page sees of them.
  const seen = await page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    duplex: Object.keys((window as unknown as { duplex: object }).duplex).length,
    desktop: typeof (window as unknown as { duplexDesktop?: object }).duplexDesktop,
  }));
  expect(seen).toEqual({ require: 'undefined', process: 'undefined', duplex: 23, desktop: 'object' });
  // The Content-Security-Policy leaves the page no network of its own.
  expect(await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'blocked'))).toBe('blocked');

  // Neither a new window nor a navigation away from the app is possible.
  await page.evaluate(() => window.open('about:blank'));
  await page.evaluate(() => window.location.assign('https://example.com/'));
  await page.waitForTimeout(500);
  expect(app.windows()).toHaveLength(1);
  expect(page.url()).toBe('app://duplex/index.html');
});

test('signs in', async ({ desktop, relay, alice }) => {
  await signIn(desktop.page, relay.url, alice);
  await expect(desktop.page.getByRole('list', { name: 'Conversations' })).toBeVisible();
});

test('sends a message', async ({ desktop, relay, alice, bob, bobClient }) => {
  const { page } = desktop;
  await signIn(page, relay.url, alice);
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByRole('dialog').getByLabel('Search users').fill(bob.username);
  await page.getByRole('button', { name: bob.user.displayName, exact: true }).click();
  await page.getByLabel('Message').fill('Hello Bob');
  await page.getByLabel('Message').press('Enter');
  const message = page.getByRole('log', { name: 'Messages' }).locator('[data-mine="true"]').last();
  await expect(message).toContainText('Hello Bob');
  await expect(message).toHaveAttribute('data-status', /^(sent|delivered|read)$/);
  await expect.poll(() => [...bobClient.shown.values()].some((byCid) => [...byCid.values()].some((m) => m.body === 'Hello Bob'))).toBe(true);
});

test('notifies a message while hidden, counts it in the tray, and opens it on click', async ({
  desktop,
  relay,
  alice,
  bobClient,
}) => {
  const { app, page } = desktop;
  await signIn(page, relay.url, alice);
  await recordNotificationsAndTray(app);
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide());

  const conversation = await bobClient.engine.createDirect(alice.user.id);
  await bobClient.engine.send(conversation.id, 'Hello from Bob');

  await expect.poll(async () => (await recorded(app)).notifications).toEqual([{ title: 'Bob', body: 'Hello from Bob' }]);
  await expect.poll(async () => (await recorded(app)).tooltips.at(-1)).toBe('Duplex: 1 unread message');

  await clickLastNotification(app);
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible())).toBe(true);
  await expect(page.getByRole('log', { name: 'Messages' })).toContainText('Hello from Bob');
});
