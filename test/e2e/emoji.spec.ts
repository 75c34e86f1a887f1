// The full emoji picker (docs/ui.md, "Emoji") in real Chromium against a real
// relay: a reaction chosen from it beyond the quick six reaches the other
// side, and an emoji picked in the composer goes into the message. The
// picker loads lazily and from the app's own origin only (its data is a file
// of the build, which the service worker keeps for offline use); it passes
// axe-core in both themes.
import { shoot } from './axe.ts';
import {
  expect,
  messageField,
  messageRow,
  openChat,
  relayForThisFile,
  send,
  SLOW,
  startDirectChat,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

test('a reaction and a message emoji from the full picker reach the other side; the picker is local and accessible', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
    const a = alice.page;
    const b = bob.page;
    const origin = new URL(relay.url).origin;
    const elsewhere: string[] = [];
    a.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.origin !== origin) elsewhere.push(request.url());
    });
    const pickerData: string[] = [];
    a.on('response', (response) => {
      // The picker's data: the one JSON file of the build.
      const { pathname } = new URL(response.url());
      if (pathname.endsWith('.json')) pickerData.push(pathname);
    });

    await startDirectChat(a, bob);
    await openChat(a, 'Bob');
    await send(a, 'Guess what, the launch worked');
    await openChat(b, 'Alice');
    await send(b, 'We are on the moon');

    await test.step('a reaction beyond the quick ones, from the picker', async () => {
      const theirs = messageRow(a, 'We are on the moon');
      await expect(theirs).toHaveAttribute('data-seq', /\d/, { timeout: SLOW });
      await theirs.hover();
      await theirs.getByRole('button', { name: 'Message actions', exact: true }).click();
      await a.getByRole('menuitem', { name: 'React', exact: true }).click();
      // The quick reactions stay as they are, the picker beside them.
      await expect(a.getByRole('group', { name: 'Reactions' }).getByRole('button')).toHaveCount(7);
      await a.getByRole('button', { name: 'More reactions', exact: true }).click();
      const dialog = a.getByRole('dialog', { name: 'Choose a reaction' });
      await expect(dialog).toBeVisible();
      const picker = dialog.locator('emoji-picker');
      await picker.getByRole('combobox', { name: 'Search' }).fill('rocket');
      await picker.getByRole('option', { name: /^🚀,/ }).click();
      await expect(dialog).toHaveCount(0);
      await expect(theirs.getByRole('button', { name: '🚀 1', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: SLOW });
      await expect(messageRow(b, 'We are on the moon').getByRole('button', { name: '🚀 1', exact: true })).toBeVisible({ timeout: SLOW });
    });

    await test.step('an emoji picked in the composer goes in at the caret, and is sent', async () => {
      await messageField(a).fill('Congratulations ');
      await a.getByRole('button', { name: 'Emoji', exact: true }).click();
      const dialog = a.getByRole('dialog', { name: 'Choose an emoji' });
      const picker = dialog.locator('emoji-picker');
      await picker.getByRole('combobox', { name: 'Search' }).fill('party popper');
      await expect(picker.getByRole('option', { name: /^🎉,/ })).toBeVisible();
      await shoot(a, testInfo, 'emoji-picker');
      await picker.getByRole('option', { name: /^🎉,/ }).click();
      await expect(dialog).toHaveCount(0);
      await expect(messageField(a)).toHaveValue('Congratulations 🎉');
      await expect(messageField(a)).toBeFocused();
      await messageField(a).type(' team');
      await messageField(a).press('Enter');
      await expect(messageRow(b, 'Congratulations 🎉 team')).toHaveCount(1, { timeout: SLOW });
    });

    await test.step('the picker and its data came from the app itself, and are kept for offline use', async () => {
      expect(elsewhere).toEqual([]);
      expect(pickerData.length).toBeGreaterThan(0);
      const worker = await a.evaluate(async () => (await fetch('/sw.js')).text());
      for (const file of pickerData) expect(worker, `${file} in the service worker's shell`).toContain(file.replace(/^\//, ''));
    });
  });
});
