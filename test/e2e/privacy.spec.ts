// Blocking in real Chromium against a real relay: Alice blocks Bob from their
// chat's header, Bob's next message is refused ("Not sent"), Alice finds Bob
// under Blocked users in Settings and unblocks him there, and Bob's retry
// then arrives.
import {
  expect,
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

test('block from the chat header, message refused, unblock from Settings, retry arrives', async ({ browser }) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
    const a = alice.page;
    const b = bob.page;
    await startDirectChat(a, bob);
    await send(a, 'Hello Bob');
    await openChat(b, 'Alice');

    await a.getByRole('button', { name: 'Block Bob', exact: true }).click();
    await expect(a.getByRole('button', { name: 'Unblock Bob', exact: true })).toHaveAttribute('aria-pressed', 'true');

    const refused = await send(b, 'Are you there?');
    await expect(refused).toHaveAttribute('data-status', 'failed', { timeout: SLOW });
    await expect(refused).toContainText('Not sent');

    await a.getByRole('button', { name: 'Menu', exact: true }).click();
    await a.getByRole('menuitem', { name: 'Settings' }).click();
    const settings = a.getByRole('dialog', { name: 'Settings' });
    const blocked = settings.getByRole('list', { name: 'Blocked users' });
    await expect(blocked.getByRole('listitem')).toHaveCount(1);
    await blocked.getByRole('button', { name: 'Unblock Bob' }).click();
    await expect(settings.getByText(/Nobody\. Block someone/)).toBeVisible();

    await refused.getByRole('button', { name: 'Retry' }).click();
    await expect(messageRow(a, 'Are you there?')).toHaveCount(1, { timeout: SLOW });
  });
});
