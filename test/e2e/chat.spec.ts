// Two users in real Chromium against a real relay serving the web client:
// sign up through the UI, start a direct chat, exchange messages, watch the
// ticks move (sent → delivered → read), see the typing indicator and
// presence, then find the history again after a reload and on a new device.
import {
  type ChatUser,
  chatEntry,
  closeAll,
  expect,
  expectNoPageErrors,
  expectOnline,
  messageField,
  messageLog,
  messageRow,
  openChat,
  relayForThisFile,
  renderedMessages,
  send,
  signInOnNewDevice,
  signUp,
  SLOW,
  startDirectChat,
  test,
} from './support.ts';

const relay = relayForThisFile();

test('two users chat: messages, ticks to read, typing, presence, history after reload', async ({ browser }) => {
  test.setTimeout(120_000);
  let alice: ChatUser | undefined;
  let bob: ChatUser | undefined;
  let bobElsewhere: ChatUser | undefined;
  try {
    await test.step('both sign up through the UI', async () => {
      [alice, bob] = await Promise.all([signUp(browser, relay.url, 'Alice'), signUp(browser, relay.url, 'Bob')]);
      await expect(chatEntry(alice.page, 'Bob')).toHaveCount(0);
    });
    const a = alice!.page;
    const b = bob!.page;

    await test.step('Alice starts a chat with Bob and writes: delivered, not read', async () => {
      await startDirectChat(a, bob!);
      await expect(a.getByText('online', { exact: true })).toBeVisible();
      const row = await send(a, 'Hi Bob, first message');
      // Bob is online but has not opened the chat: delivered, not read.
      await expect(row).toHaveAttribute('data-status', 'delivered', { timeout: SLOW });
      await expect(row).toHaveAttribute('data-seq', '1');
      await expect(chatEntry(b, 'Alice')).toHaveAttribute('data-unread', '1');
      await expect(row).toHaveAttribute('data-status', 'delivered');
    });

    await test.step('Bob opens the chat: Alice sees read, Bob sees the message once', async () => {
      await openChat(b, 'Alice');
      const received = messageRow(b, 'Hi Bob, first message');
      await expect(received).toHaveCount(1);
      await expect(received).toHaveAttribute('data-mine', 'false');
      await expect(received).not.toHaveAttribute('data-status', /./);
      await expect(messageRow(a, 'Hi Bob, first message')).toHaveAttribute('data-status', 'read', { timeout: SLOW });
      await expect(chatEntry(b, 'Alice')).toHaveAttribute('data-unread', '0');
    });

    await test.step('Bob types: Alice sees "typing…" only while he does', async () => {
      const typing = a.getByText('typing…', { exact: true });
      await expect(typing).toHaveCount(0);
      await messageField(b).pressSequentially('Hello Al', { delay: 20 });
      await expect(typing).toBeVisible({ timeout: SLOW });
      // Clearing the field says typing stopped.
      await messageField(b).fill('');
      await expect(typing).toHaveCount(0, { timeout: SLOW });
      await messageField(b).pressSequentially('Hello Alice', { delay: 20 });
      await expect(typing).toBeVisible({ timeout: SLOW });
      await messageField(b).press('Enter');
      // Sending ends typing, and the reply arrives.
      await expect(typing).toHaveCount(0, { timeout: SLOW });
      await expect(messageRow(a, 'Hello Alice')).toHaveAttribute('data-mine', 'false');
      await expect(messageRow(b, 'Hello Alice')).toHaveAttribute('data-status', 'read', { timeout: SLOW });
      // Alice has the chat open, so it does not count as unread.
      await expect(chatEntry(a, 'Bob')).toHaveAttribute('data-unread', '0');
    });

    await test.step('Bob closes his tab: last seen, and a message stays sent until he is back', async () => {
      await b.close();
      await expect(a.getByText(/^last seen /)).toBeVisible({ timeout: SLOW });
      const row = await send(a, 'Are you still there?');
      await expect(row).toHaveAttribute('data-status', 'sent', { timeout: SLOW });

      // Bob opens the app again in the same browser: still signed in.
      const page = await bob!.context.newPage();
      bob = { ...bob!, page };
      await page.goto('/');
      await expectOnline(page);
      await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toHaveCount(0);
      await expect(row).toHaveAttribute('data-status', 'delivered', { timeout: SLOW });
      await expect(chatEntry(page, 'Alice')).toHaveAttribute('data-unread', '1');
      await expect(a.getByText('online', { exact: true })).toBeVisible();
      await openChat(page, 'Alice');
      await expect(row).toHaveAttribute('data-status', 'read', { timeout: SLOW });
    });

    const expected = ['Hi Bob, first message', 'Hello Alice', 'Are you still there?'];
    const bodies = async (page: typeof a) => (await renderedMessages(page)).map((m) => m.body);

    await test.step('both reload: the history is still there, in order', async () => {
      const before = await renderedMessages(a);
      await Promise.all([a.reload(), bob!.page.reload()]);
      for (const page of [a, bob!.page]) {
        await expectOnline(page);
        await openChat(page, page === a ? 'Bob' : 'Alice');
        await expect(messageLog(page).locator('[data-cid]')).toHaveCount(3);
        expect(await bodies(page)).toEqual(expected);
      }
      const after = await renderedMessages(a);
      // Same messages (cid, seq), and Alice's own still read.
      expect(after.map(({ cid, seq, status }) => ({ cid, seq, status }))).toEqual(
        before.map(({ cid, seq, status }) => ({ cid, seq, status })),
      );
      expect(after.map((m) => m.mine)).toEqual(['true', 'false', 'true']);
      expect(after.map((m) => m.seq)).toEqual(['1', '2', '3']);
    });

    await test.step('Bob signs in on a new device: the relay has the history', async () => {
      bobElsewhere = await signInOnNewDevice(browser, relay.url, bob!);
      await openChat(bobElsewhere.page, 'Alice');
      await expect(messageLog(bobElsewhere.page).locator('[data-cid]')).toHaveCount(3);
      expect(await bodies(bobElsewhere.page)).toEqual(expected);
      const mine = (await renderedMessages(bobElsewhere.page)).map((m) => m.mine);
      expect(mine).toEqual(['false', 'true', 'false']);
    });

    expectNoPageErrors(alice!, bob!, bobElsewhere!);
  } finally {
    await closeAll(alice, bob, bobElsewhere);
  }
});
