// A group of three in real Chromium: one member creates it through the New
// group dialog, everyone sees it in the chat list, each writes, and all three
// see the same messages once and in the same order, with "X is typing…" and
// the read tick once every member has read.
import {
  chatEntry,
  createGroup,
  expect,
  messageField,
  messageRow,
  messageRows,
  openChat,
  relayForThisFile,
  renderedMessages,
  send,
  SLOW,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();
const TITLE = 'Weekend trip';

test('a group of three: create, everyone writes, same order everywhere, typing, read', async ({ browser }) => {
  test.setTimeout(120_000);
  await withUsers(browser, relay.url, ['Carol', 'Dave', 'Erin'], async (users) => {
    const [carol, dave, erin] = users;

    await test.step('Carol creates the group with Dave and Erin', async () => {
      await createGroup(carol.page, TITLE, [dave, erin]);
      // The header lists the members (the creator as "You").
      await expect(carol.page.getByText('You, Dave, Erin', { exact: true })).toBeVisible();
      await send(carol.page, 'Welcome to the trip group');
      for (const member of [dave, erin]) await expect(chatEntry(member.page, TITLE)).toHaveAttribute('data-unread', '1', { timeout: SLOW });
      // Both members' clients got it, neither has read it.
      await expect(messageRow(carol.page, 'Welcome to the trip group')).toHaveAttribute('data-status', 'delivered', { timeout: SLOW });
    });

    await test.step('the read tick waits for every member', async () => {
      const first = messageRow(carol.page, 'Welcome to the trip group');
      await openChat(dave.page, TITLE);
      await expect(chatEntry(dave.page, TITLE)).toHaveAttribute('data-unread', '0');
      // Erin has not read it yet.
      await expect(first).toHaveAttribute('data-status', 'delivered');
      await openChat(erin.page, TITLE);
      await expect(first).toHaveAttribute('data-status', 'read', { timeout: SLOW });
    });

    await test.step('typing in a group names the typist', async () => {
      await messageField(dave.page).pressSequentially('I can drive', { delay: 20 });
      for (const other of [carol, erin]) await expect(other.page.getByText('Dave is typing…', { exact: true })).toBeVisible({ timeout: SLOW });
      await messageField(dave.page).press('Enter');
      for (const other of [carol, erin]) await expect(other.page.getByText('Dave is typing…', { exact: true })).toHaveCount(0, { timeout: SLOW });
      // Back to the member list.
      await expect(erin.page.getByText('Carol, Dave, You', { exact: true })).toBeVisible();
    });

    await test.step('everyone writes; all three see the same messages once, in the same order', async () => {
      await send(erin.page, 'I will bring snacks');
      await send(carol.page, 'Leaving at nine');
      await send(dave.page, 'See you then');
      const expected = ['Welcome to the trip group', 'I can drive', 'I will bring snacks', 'Leaving at nine', 'See you then'];
      for (const user of users) await expect(messageRows(user.page)).toHaveCount(expected.length, { timeout: SLOW });
      const views = await Promise.all(users.map((user) => renderedMessages(user.page)));
      for (const view of views) {
        expect(view.map((m) => m.body)).toEqual(expected);
        expect(view.map((m) => m.seq)).toEqual(['1', '2', '3', '4', '5']);
        expect(new Set(view.map((m) => m.cid)).size).toBe(expected.length);
      }
      // The same messages everywhere (by cid), each marked mine only for its author.
      expect(views[1]!.map((m) => m.cid)).toEqual(views[0]!.map((m) => m.cid));
      expect(views[2]!.map((m) => m.cid)).toEqual(views[0]!.map((m) => m.cid));
      expect(views.map((view) => view.map((m) => m.mine).join(' '))).toEqual([
        'true false false true false',
        'false true false false true',
        'false false true false false',
      ]);
      // Another member's message names its author in a group.
      await expect(messageRow(erin.page, 'Leaving at nine')).toContainText('Carol');
      // Everyone has the group open, so Carol's last message ends up read.
      await expect(messageRow(carol.page, 'Leaving at nine')).toHaveAttribute('data-status', 'read', { timeout: SLOW });
    });
  });
});
