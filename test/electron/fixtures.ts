// Fixtures of the Electron suite: a real relay with two fresh accounts, Bob
// signed in through the real engine in the test process, and the built app
// launched in real Electron with a data folder of its own.
import { resolve } from 'node:path';
import { _electron, test as base, expect, type ElectronApplication, type Page } from '@playwright/test';
import { TestClient } from '../engine/helpers/client.ts';
import { registerAccount, startRelay, type RelayProcess, type TestAccount } from '../engine/helpers/relay.ts';
import { electronBinary, SKIPPED_MESSAGE } from './electron-binary.ts';

export { expect };

/** Call at the top of each spec: skips it, saying why, without Electron. */
export function skipWithoutElectron(): void {
  test.skip(electronBinary() === null, SKIPPED_MESSAGE);
}

interface Desktop {
  app: ElectronApplication;
  page: Page;
}

interface Fixtures {
  relay: RelayProcess;
  alice: TestAccount;
  bob: TestAccount;
  /** Bob, signed in and online, as another client of the relay. */
  bobClient: TestClient;
  desktop: Desktop;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the pattern
  relay: async ({}, use) => {
    const relay = await startRelay();
    await use(relay);
    await relay.cleanup();
  },
  alice: async ({ relay }, use) => use(await registerAccount(relay.url, 'Alice')),
  bob: async ({ relay }, use) => use(await registerAccount(relay.url, 'Bob')),
  bobClient: async ({ relay, bob }, use) => {
    const client = await TestClient.signedIn(relay.url, bob);
    await use(client);
    await client.dispose();
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the pattern
  desktop: async ({}, use, testInfo) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'ELECTRON_RENDERER_URL',
      ),
    );
    const app = await _electron.launch({
      executablePath: electronBinary() ?? undefined,
      // The repository root: Electron runs package.json's main, out/main/index.js.
      // Chromium refuses to run as root without --no-sandbox (CI containers);
      // the renderer's own sandbox (webPreferences.sandbox) is unaffected.
      args: [resolve('.'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...env, DUPLEX_USER_DATA_DIR: testInfo.outputPath('user-data'), XDG_CURRENT_DESKTOP: 'KDE' },
    });
    const page = await app.firstWindow();
    await use({ app, page });
    await app.close();
  },
});

export async function signIn(page: Page, relayUrl: string, account: TestAccount): Promise<void> {
  await page.getByLabel('Relay URL', { exact: true }).fill(relayUrl);
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('[data-connection]')).toHaveAttribute('data-connection', 'online');
}

/** Records, in the main process, the notifications shown and the tray
 * tooltips set from now on, by wrapping Electron's own methods. */
export async function recordNotificationsAndTray(app: ElectronApplication): Promise<void> {
  await app.evaluate(({ Notification, Tray }) => {
    const record = {
      notifications: [] as Array<{ title: string; body: string }>,
      shown: [] as Electron.Notification[],
      tooltips: [] as string[],
    };
    Object.assign(globalThis, { duplexTestRecord: record });
    const show = Notification.prototype.show;
    Notification.prototype.show = function (this: Electron.Notification) {
      record.notifications.push({ title: this.title, body: this.body });
      record.shown.push(this);
      show.call(this);
    };
    const setToolTip = Tray.prototype.setToolTip;
    Tray.prototype.setToolTip = function (this: Electron.Tray, tooltip: string) {
      record.tooltips.push(tooltip);
      setToolTip.call(this, tooltip);
    };
  });
}

export function recorded(app: ElectronApplication): Promise<{ notifications: Array<{ title: string; body: string }>; tooltips: string[] }> {
  return app.evaluate(() => {
    const { notifications, tooltips } = (globalThis as unknown as {
      duplexTestRecord: { notifications: Array<{ title: string; body: string }>; tooltips: string[] };
    }).duplexTestRecord;
    return { notifications, tooltips };
  });
}

/** Clicks the last notification shown, as the user would. */
export async function clickLastNotification(app: ElectronApplication): Promise<void> {
  await app.evaluate(() => {
    const { shown } = (globalThis as unknown as { duplexTestRecord: { shown: Electron.Notification[] } }).duplexTestRecord;
    shown.at(-1)?.emit('click');
  });
}
