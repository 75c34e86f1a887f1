// The relay dies (SIGKILL) while a user writes three messages: the page says
// it is offline, the three are shown queued, and stay queued, in order,
// across a reload and a cold start (tab closed and opened again) served by
// the service worker with the relay still down.
// When the relay comes back on the same port and data, the page reconnects
// by itself, the three are sent, and the other user gets each exactly once,
// in order.
import {
  expect,
  expectOnline,
  expectServiceWorkerInControl,
  messageField,
  messageRow,
  messageRows,
  openChat,
  relayForThisFile,
  renderedMessages,
  root,
  screenshot,
  send,
  SLOW,
  startDirectChat,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();
const QUEUED = ['Written offline: one', 'Written offline: two', 'Written offline: three'];
/** The engine's reconnect backoff is full jitter up to 30 s; after the
 * relay's restart it must come back by itself within one such wait. */
const RECONNECT = 45_000;

test('relay killed while writing: queued across a reload, then delivered once and in order', async ({ browser }, testInfo) => {
  test.setTimeout(150_000);
  await withUsers(browser, relay.url, ['Frank', 'Grace'], async ([frank, grace]) => {
    let f = frank.page;
    const g = grace.page;

    await test.step('a chat exists on both sides', async () => {
      await startDirectChat(f, grace);
      await send(f, 'Before the crash');
      await openChat(g, 'Frank');
      await send(g, 'Got it');
      await expect(messageRow(f, 'Got it')).toHaveCount(1);
      await expect(messageRow(f, 'Before the crash')).toHaveAttribute('data-status', 'read', { timeout: SLOW });
      // The shell must be cached before the relay goes, for the reload below.
      await expectServiceWorkerInControl(f);
    });

    await test.step('SIGKILL the relay: the page says it is offline', async () => {
      const exit = await relay.current.stop('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      await expect(root(f)).toHaveAttribute('data-connection', /^(offline|connecting)$/, { timeout: SLOW });
      await expect(f.getByRole('status').filter({ hasText: /^(Offline: messages will be sent when you are back online|Connecting…)$/ })).toBeVisible();
      await expect(f.getByRole('button', { name: 'Retry now', exact: true })).toBeVisible();
      // Nothing can vouch for Grace being online any more.
      await expect(f.locator('.conversation-header').getByText('online', { exact: true })).toHaveCount(0);
    });

    await test.step('three messages written offline are queued, in order', async () => {
      for (const body of QUEUED) {
        await messageField(f).fill(body);
        await messageField(f).press('Enter');
        await expect(messageRow(f, body)).toHaveAttribute('data-status', 'queued');
      }
      await expect(messageRows(f).and(f.locator('[data-status="queued"]'))).toHaveCount(3);
      const shown = await renderedMessages(f);
      expect(shown.slice(-3).map((m) => [m.body, m.status, m.seq])).toEqual(QUEUED.map((body) => [body, 'queued', null]));
      for (const scheme of ['light', 'dark'] as const) {
        await f.emulateMedia({ colorScheme: scheme });
        await screenshot(f, testInfo, `offline-queued-${scheme}`);
      }
      await f.emulateMedia({ colorScheme: null });
    });

    let queuedCids: string[] = [];
    await test.step('reload with the relay still down: still three queued, in order', async () => {
      queuedCids = (await renderedMessages(f)).slice(-3).map((m) => m.cid);
      await f.reload();
      // The service worker served the app: signed in, not the sign-in screen.
      await expect(root(f)).toHaveAttribute('data-connection', /^(offline|connecting)$/, { timeout: SLOW });
      await expect(f.getByRole('button', { name: 'Sign in', exact: true })).toHaveCount(0);
      await openChat(f, 'Grace');
      await expect(f.locator('[data-status="queued"]')).toHaveCount(3);
      const shown = await renderedMessages(f);
      expect(shown.map((m) => m.body)).toEqual(['Before the crash', 'Got it', ...QUEUED]);
      expect(shown.slice(-3).map((m) => [m.cid, m.status])).toEqual(queuedCids.map((cid) => [cid, 'queued']));
      // Grace saw none of them.
      await expect(messageRows(g)).toHaveCount(2);
    });

    await test.step('cold start with the relay still down: the tab closed and opened again', async () => {
      await f.close();
      f = await frank.context.newPage();
      await f.goto('/');
      await expect(root(f)).toHaveAttribute('data-connection', /^(offline|connecting)$/, { timeout: SLOW });
      await openChat(f, 'Grace');
      const shown = await renderedMessages(f);
      expect(shown.map((m) => [m.body, m.status])).toEqual([
        ['Before the crash', 'read'],
        ['Got it', null],
        ...QUEUED.map((body) => [body, 'queued']),
      ]);
      expect(shown.slice(-3).map((m) => m.cid)).toEqual(queuedCids);
    });

    await test.step('the relay restarts on the same port and data: sent once, in order', async () => {
      await relay.current.restart();
      // Both reconnect by themselves (no Retry now).
      await expect(root(f)).toHaveAttribute('data-connection', 'online', { timeout: RECONNECT });
      await expectOnline(g);
      for (const body of QUEUED) {
        await expect(messageRow(f, body)).toHaveAttribute('data-status', /^(sent|delivered|read)$/, { timeout: SLOW });
      }
      // Grace has the chat open: each arrives once, and she reads them.
      await expect(messageRows(g)).toHaveCount(5, { timeout: SLOW });
      for (const body of QUEUED) await expect(messageRow(f, body)).toHaveAttribute('data-status', 'read', { timeout: SLOW });
      const atFrank = await renderedMessages(f);
      const atGrace = await renderedMessages(g);
      expect(atGrace.map((m) => m.body)).toEqual(['Before the crash', 'Got it', ...QUEUED]);
      expect(atGrace.slice(-3).map((m) => m.cid)).toEqual(queuedCids);
      expect(atGrace.map((m) => m.seq)).toEqual(['1', '2', '3', '4', '5']);
      expect(atFrank.map((m) => m.seq)).toEqual(['1', '2', '3', '4', '5']);
      expect(atFrank.map((m) => m.cid)).toEqual(atGrace.map((m) => m.cid));
      // Exactly once, counted by data-cid.
      for (const cid of queuedCids) {
        await expect(g.locator(`[data-cid="${cid}"]`)).toHaveCount(1);
        await expect(f.locator(`[data-cid="${cid}"]`)).toHaveCount(1);
      }
    });

    await test.step('after a reload on both sides, still once and in order', async () => {
      await Promise.all([f.reload(), g.reload()]);
      for (const [page, title] of [
        [f, 'Grace'],
        [g, 'Frank'],
      ] as const) {
        await expectOnline(page);
        await openChat(page, title);
        await expect(messageRows(page)).toHaveCount(5);
        expect((await renderedMessages(page)).map((m) => m.body)).toEqual(['Before the crash', 'Got it', ...QUEUED]);
      }
    });

  });
});
