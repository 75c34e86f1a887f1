// Replies, reactions, edits, deletes and forwards in real Chromium against a
// real relay (docs/ui.md, "Message actions"): Alice does each through the
// message menu, right-click and keyboard; Bob sees each on his side. The
// menu, the reply/edit bars and the forward dialog are scanned with axe-core
// (no violations at all), and reactions and a reply are captured in both
// themes.
import { ANY_IMPACT, shoot } from './axe.ts';
import {
  chatEntry,
  copyToDocs,
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
const QUICK = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

test('reply, react, edit, delete and forward, seen on the other side', async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob', 'Carol'], async ([alice, bob, carol]) => {
    const a = alice.page;
    const b = bob.page;
    await startDirectChat(a, bob);
    await startDirectChat(a, carol);
    await openChat(a, 'Bob');
    await send(a, 'Lunch tomorrow?');
    await openChat(b, 'Alice');
    await send(b, 'Yes, 12:30 at the usual place.');
    await expect(messageRow(a, 'Yes, 12:30')).toHaveAttribute('data-seq', /\d/, { timeout: SLOW });

    await test.step('the menu, by button and by right-click, passes axe-core', async () => {
      const theirs = messageRow(a, 'Yes, 12:30');
      await theirs.hover();
      await theirs.getByRole('button', { name: 'Message actions', exact: true }).click();
      const menu = a.getByRole('menu', { name: 'Message actions' });
      await expect(menu.getByRole('menuitem')).toHaveText(['Reply', 'React', 'Forward', 'Copy']);
      await shoot(a, testInfo, 'message-menu', ANY_IMPACT);
      await a.keyboard.press('Escape');
      await expect(menu).toBeHidden();
      await messageRow(a, 'Lunch tomorrow?').locator('.bubble__body').click({ button: 'right' });
      await expect(menu.getByRole('menuitem')).toHaveText(['Reply', 'React', 'Edit', 'Delete for everyone', 'Forward', 'Copy']);
      await a.keyboard.press('Escape');
    });

    await test.step('each quick reaction, its toggle, seen by Bob', async () => {
      const theirs = messageRow(a, 'Yes, 12:30');
      const onBob = messageRow(b, 'Yes, 12:30');
      for (const emoji of QUICK) {
        await theirs.hover();
        await theirs.getByRole('button', { name: 'Message actions', exact: true }).click();
        await a.getByRole('menuitem', { name: 'React', exact: true }).click();
        await a.getByRole('button', { name: `React with ${emoji}`, exact: true }).click();
        await expect(theirs.getByRole('button', { name: `${emoji} 1`, exact: true })).toHaveAttribute('aria-pressed', 'true');
        // One reaction per user: the new one replaces the last.
        await expect(onBob.locator('.reactions__button')).toHaveText([`${emoji} 1`], { timeout: SLOW });
      }
      // Bob reacts too: two people, one emoji.
      await onBob.hover();
      await onBob.getByRole('button', { name: 'Message actions', exact: true }).click();
      await b.getByRole('menuitem', { name: 'React', exact: true }).click();
      await b.getByRole('button', { name: 'React with 🙏', exact: true }).click();
      await expect(theirs.getByRole('button', { name: '🙏 2', exact: true })).toBeVisible({ timeout: SLOW });
      // Alice takes hers back by pressing the count.
      await theirs.getByRole('button', { name: '🙏 2', exact: true }).click();
      await expect(onBob.getByRole('button', { name: '🙏 1', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: SLOW });
      await expect(theirs.getByRole('button', { name: '🙏 1', exact: true })).toHaveAttribute('aria-pressed', 'false');
      // No unread count, no new message for Bob from reactions.
      await expect(chatEntry(b, 'Alice')).toHaveAttribute('data-unread', '0');
    });

    await test.step('reply: Bob sees the quote', async () => {
      const theirs = messageRow(a, 'Yes, 12:30');
      await theirs.hover();
      await theirs.getByRole('button', { name: 'Message actions', exact: true }).click();
      await a.getByRole('menuitem', { name: 'Reply', exact: true }).click();
      await expect(a.getByText('Replying to Bob', { exact: true })).toBeVisible();
      await shoot(a, testInfo, 'reply-bar', ANY_IMPACT);
      await messageField(a).fill('Perfect, I will book a table.');
      await messageField(a).press('Enter');
      const reply = messageRow(b, 'Perfect, I will book');
      await expect(reply.getByRole('button', { name: /^Go to the quoted message from You: Yes, 12:30/ })).toBeVisible({ timeout: SLOW });
      await expect(messageRow(a, 'Perfect, I will book')).toHaveAttribute('data-status', 'read', { timeout: SLOW });
      // The emoji font's subsets load on demand: the screenshot waits for them.
      expect(await a.evaluate(async () => (await document.fonts.load('16px "Noto Color Emoji"', '🙏')).length)).toBeGreaterThan(0);
      await shoot(a, testInfo, 'reactions-and-reply', ANY_IMPACT);
      await copyToDocs('reactions-and-reply', 'reactions-reply');
    });

    await test.step('edit with Up, Escape cancels, Enter saves: Bob sees it edited', async () => {
      await messageField(a).click();
      await messageField(a).press('ArrowUp');
      await expect(a.getByText('Editing message', { exact: true })).toBeVisible();
      await expect(messageField(a)).toHaveValue('Perfect, I will book a table.');
      await shoot(a, testInfo, 'edit-bar', ANY_IMPACT);
      await messageField(a).press('Escape');
      await expect(a.getByText('Editing message', { exact: true })).toBeHidden();
      await expect(messageField(a)).toHaveValue('');
      await messageField(a).press('ArrowUp');
      await messageField(a).fill('Perfect, I booked a table for three.');
      await messageField(a).press('Enter');
      const onBob = messageRow(b, 'I booked a table for three');
      await expect(onBob).toHaveAttribute('data-edited', 'true', { timeout: SLOW });
      await expect(onBob.getByText('edited', { exact: true })).toBeVisible();
      await expect(messageRow(b, 'I will book')).toHaveCount(0);
    });

    await test.step('delete for everyone, after confirming: Bob sees it deleted', async () => {
      await send(a, 'Sent to the wrong chat');
      const mine = messageRow(a, 'Sent to the wrong chat');
      await expect(messageRow(b, 'Sent to the wrong chat')).toHaveCount(1, { timeout: SLOW });
      const cid = await mine.getAttribute('data-cid');
      await mine.hover();
      await mine.getByRole('button', { name: 'Message actions', exact: true }).click();
      await a.getByRole('menuitem', { name: 'Delete for everyone', exact: true }).click();
      await a.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete for everyone', exact: true }).click();
      const onBob = b.locator(`[data-cid="${cid}"]`);
      await expect(onBob).toHaveAttribute('data-deleted', 'true', { timeout: SLOW });
      await expect(onBob).toContainText('This message was deleted');
      await expect(chatEntry(b, 'Alice')).toContainText('This message was deleted');
    });

    await test.step('forward to Carol: she gets it marked Forwarded', async () => {
      // Bob's message itself, not Alice's reply that quotes it.
      const theirs = messageRow(a, 'Yes, 12:30').and(a.locator('[data-mine="false"]'));
      await theirs.hover();
      await theirs.getByRole('button', { name: 'Message actions', exact: true }).click();
      await a.getByRole('menuitem', { name: 'Forward', exact: true }).click();
      const dialog = a.getByRole('dialog', { name: 'Forward message' });
      await expect(dialog.getByRole('button', { name: 'Carol', exact: true })).toBeVisible();
      await shoot(a, testInfo, 'forward-dialog', ANY_IMPACT);
      await dialog.getByRole('button', { name: 'Carol', exact: true }).click();
      await expect(dialog).toBeHidden();
      await openChat(carol.page, 'Alice');
      const forwarded = messageRow(carol.page, 'Yes, 12:30 at the usual place.');
      await expect(forwarded).toContainText('Forwarded', { timeout: SLOW });
    });
  });
});
