// Search on the device in real Chromium against a real relay: the sidebar's
// `Search chats and messages` box lists the messages that match, with the
// words marked, in a list `Message results`; choosing one far above the
// newest page opens the chat scrolled to it, carrying data-highlighted=true.
// axe-core finds no violation at all on the screen with the results, in
// either theme; its screenshots go to docs/screenshots for the README.
import type { DuplexApi } from '../../src/shared/api.ts';
import { ANY_IMPACT, shoot } from './axe.ts';
import {
  copyToDocs,
  expect,
  messageLog,
  messageRow,
  relayForThisFile,
  send,
  SLOW,
  startDirectChat,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

/** More than the first page (50), so that the jump has to load older ones. */
const LATER_MESSAGES = 80;

test('finds a message, marks the match, jumps to it far up the chat; no axe violations', async ({ browser }, testInfo) => {
  test.setTimeout(150_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
    const a = alice.page;
    const b = bob.page;
    await startDirectChat(b, alice);
    await send(b, 'The code word is Piñata, do not forget');
    // Many later messages, through the page's own API (the composer would
    // only be slower at it).
    await b.evaluate(async (count) => {
      const duplex = (window as unknown as { duplex: DuplexApi }).duplex;
      const [conversation] = await duplex.listConversations();
      for (let i = 1; i <= count; i++) await duplex.send(conversation!.id, `later message ${i}`);
    }, LATER_MESSAGES);
    await expect(messageRow(b, `later message ${LATER_MESSAGES}`)).toHaveAttribute('data-status', /delivered|read/, { timeout: SLOW });

    const box = a.getByRole('searchbox', { name: 'Search chats and messages', exact: true });
    await box.fill('pinata');
    const results = a.getByRole('list', { name: 'Message results', exact: true });
    const result = results.getByRole('button', { name: /^Bob.*The code word is Piñata, do not forget/ });
    await expect(result).toHaveCount(1);
    await expect(result.locator('mark')).toHaveText('Piñata');
    // The chat list is filtered by title too: no chat is called "pinata".
    await expect(a.getByRole('list', { name: 'Conversations', exact: true }).getByRole('button')).toHaveCount(0);

    // Screenshots of the results in both themes (for the README), and axe-core on both.
    await shoot(a, testInfo, 'search-results', ANY_IMPACT);
    await copyToDocs('search-results');

    await result.click();
    await expect(a.getByRole('heading', { name: 'Bob', exact: true })).toBeVisible();
    const target = messageRow(a, 'The code word is Piñata');
    await expect(target).toHaveAttribute('data-highlighted', 'true');
    await expect(target).toBeInViewport();
    // The highlight lasts a moment only.
    await expect(target).not.toHaveAttribute('data-highlighted', 'true', { timeout: 5_000 });
    await expect(messageLog(a).locator('[data-cid]').first()).toBeVisible();

    // Two words, each a prefix, both needed; nothing else matches.
    await box.fill('LATER mess 8');
    await expect(results.getByRole('button')).toHaveCount(
      // "later message 8" and "later message 80": the word 8 begins both.
      2,
    );
    await box.fill('later zebra');
    await expect(a.getByText('No messages found.', { exact: true })).toBeVisible();
  });
});
