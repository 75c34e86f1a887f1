// The web client updating through its service worker: the relay starts
// serving a new build (here, a copy of out/web whose page and shell version
// change, as a rebuild changes them); the open page, which already has a
// worker, finds it when the user checks from Settings, the new worker takes
// over, and the page says "Duplex was updated" with Reload; Reload brings up
// the new build, still signed in. The bar passes axe in both themes.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { RelayProcess } from '../helpers/relay-process.ts';
import {
  assertWebClientBuilt,
  conversationList,
  expect,
  expectOnline,
  expectServiceWorkerInControl,
  screenshot,
  SLOW,
  test,
  WEB_ROOT,
  withUsers,
} from './support.ts';

let relay: RelayProcess | undefined;
let webRoot = '';

test.beforeAll(async () => {
  assertWebClientBuilt();
  webRoot = path.join(await mkdtemp(path.join(tmpdir(), 'duplex-web-release-')), 'web');
  await cp(WEB_ROOT, webRoot, { recursive: true });
  relay = await RelayProcess.start({ args: ['--web-root', webRoot, '--no-rate-limits'] });
});

test.afterAll(async () => {
  await relay?.cleanup();
  if (webRoot) await rm(path.dirname(webRoot), { recursive: true, force: true });
});

/** What a new build changes: the page, and the shell version written into sw.js. */
async function releaseNextBuild(): Promise<void> {
  const index = path.join(webRoot, 'index.html');
  await writeFile(index, (await readFile(index, 'utf8')).replace('<head>', '<head><meta name="duplex-build" content="next">'));
  const worker = path.join(webRoot, 'sw.js');
  const code = await readFile(worker, 'utf8');
  const version = /version\\?"\s*:\s*\\?"([0-9a-f]{16})/.exec(code)?.[1];
  if (!version) throw new Error('sw.js has no shell version to change');
  await writeFile(worker, code.replace(version, [...version].reverse().join('')));
}

test('a new build on the relay: the open page is told, and Reload brings it up', async ({ browser }, testInfo) => {
  test.setTimeout(90_000);
  await withUsers(browser, relay!.url, ['Uma'], async ([uma]) => {
    const page = uma.page;
    const updateBar = page.getByRole('region', { name: 'App update', exact: true });
    await expectServiceWorkerInControl(page);
    // The first worker taking control is an install, not an update.
    await expect(updateBar).toHaveCount(0);

    await test.step('the relay serves the next build; the user checks from Settings', async () => {
      await releaseNextBuild();
      await page.getByRole('button', { name: 'Menu', exact: true }).click();
      await page.getByRole('menuitem', { name: 'Settings', exact: true }).click();
      const settings = page.getByRole('dialog', { name: 'Settings' });
      await settings.getByRole('button', { name: 'Check for updates', exact: true }).click();
      await page.keyboard.press('Escape');
      await expect(settings).toBeHidden();
      await expect(updateBar.getByRole('status')).toHaveText('Duplex was updated: reload to use the new version.', {
        timeout: SLOW,
      });
      // Non-blocking: the app goes on working under it.
      await expect(conversationList(page)).toBeVisible();
      await expect(page.locator('meta[name="duplex-build"]')).toHaveCount(0);
    });

    await test.step('the bar passes axe, and is screenshotted, in both themes', async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const results = await new AxeBuilder({ page }).include('.update-bar').analyze();
        const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
        expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
        await screenshot(page, testInfo, `update-ready-${colorScheme}`);
      }
    });

    await test.step('Reload: the new build, still signed in, and nothing left to say', async () => {
      await updateBar.getByRole('button', { name: 'Reload', exact: true }).click();
      await expect(page.locator('meta[name="duplex-build"]')).toHaveCount(1, { timeout: SLOW });
      await expectOnline(page);
      await expect(conversationList(page)).toBeVisible();
      await expect(updateBar).toHaveCount(0);
    });
  });
});
