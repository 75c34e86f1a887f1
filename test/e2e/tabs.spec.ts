// One engine per browser profile, in real Chromium against a real relay:
// two tabs of one user share one WebSocket (the relay's own connection
// gauge on /metrics says so); the tab that does not lead sends through the
// one that does; when the leading tab closes with a message still in the
// outbox (the relay is down), the other tab takes over within 2 s and, once
// the relay is back, the message goes out: nothing is lost.
import type { Page } from '@playwright/test';
import { TEST_METRICS_TOKEN } from '../relay/support/relay.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import {
  assertWebClientBuilt,
  expect,
  expectOnline,
  messageRow,
  openChat,
  send,
  SLOW,
  startDirectChat,
  test,
  WEB_ROOT,
  withUsers,
} from './support.ts';

let relay: RelayProcess;
test.beforeAll(async () => {
  assertWebClientBuilt();
  relay = await RelayProcess.start({
    args: ['--web-root', WEB_ROOT, '--no-rate-limits', '--metrics-token', TEST_METRICS_TOKEN],
  });
});
test.afterAll(async () => {
  await relay.cleanup();
});

/** The profile's engine lock: held by the leading tab, waited for by the others. */
function engineLock(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const { held = [], pending = [] } = await navigator.locks.query();
    return `held ${held.filter((l) => l.name === 'duplex-engine').length}, waiting ${pending.filter((l) => l.name === 'duplex-engine').length}`;
  });
}

/** Open WebSockets on the relay, from its own gauge. */
async function relaySockets(): Promise<number> {
  const response = await fetch(`${relay.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
  const text = await response.text();
  const line = /^duplex_ws_connections(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!line) throw new Error(`no duplex_ws_connections in /metrics:\n${text.slice(0, 500)}`);
  return Number(line[1]);
}

test('two tabs share one socket; the other tab takes over the outbox when the leader closes', async ({ browser }) => {
  test.setTimeout(150_000);
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
    await startDirectChat(alice.page, bob);
    await send(alice.page, 'from the first tab');
    await expect.poll(relaySockets).toBe(2);

    // A second tab of Alice's profile: signed in at once, same chats, no socket of its own.
    const second = await alice.context.newPage();
    await second.goto('/');
    await expectOnline(second);
    await openChat(second, 'Bob');
    await expect(messageRow(second, 'from the first tab')).toHaveCount(1);
    await second.waitForTimeout(1_000);
    expect(await relaySockets()).toBe(2);
    expect(await engineLock(second)).toBe('held 1, waiting 1');

    // The second tab sends through the first; both tabs show it once.
    await send(second, 'from the second tab');
    await expect(messageRow(second, 'from the second tab')).toHaveAttribute('data-status', /sent|delivered|read/);
    await expect(messageRow(alice.page, 'from the second tab')).toHaveCount(1);
    await openChat(bob.page, 'Alice');
    await expect(messageRow(bob.page, 'from the second tab')).toHaveCount(1);

    // The relay goes down; a message waits in the outbox; the leading tab closes.
    await relay.stop('SIGTERM');
    await expect(second.locator('[data-connection]')).not.toHaveAttribute('data-connection', 'online', { timeout: SLOW });
    const waiting = await send(second, 'queued while the leader closes');
    await expect(waiting).toHaveAttribute('data-status', 'queued');
    const closedAt = Date.now();
    await alice.page.close();
    // Nobody waits any more: the second tab holds the lock and runs the engine.
    await expect.poll(() => engineLock(second), { intervals: [50], timeout: 2_000 }).toBe('held 1, waiting 0');
    const tookOverMs = Date.now() - closedAt;
    test.info().annotations.push({ type: 'takeover', description: `${tookOverMs} ms` });
    expect(tookOverMs).toBeLessThan(2_000);

    await relay.restart();
    await expectOnline(second);
    await expect(messageRow(second, 'queued while the leader closes')).toHaveAttribute('data-status', /sent|delivered|read/, { timeout: SLOW });
    await expectOnline(bob.page);
    await expect(messageRow(bob.page, 'queued while the leader closes')).toHaveCount(1, { timeout: SLOW });
    await send(second, 'and the new leader keeps sending');
    await expect(messageRow(bob.page, 'and the new leader keeps sending')).toHaveCount(1);
    await expect.poll(relaySockets).toBe(2);
  });
});
