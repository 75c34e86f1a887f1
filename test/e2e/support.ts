// Shared pieces of the web client's end-to-end suite (test/e2e/*.spec.ts):
// a real relay per spec file serving the built web client (out/web), users
// who sign up through the UI in browser contexts of their own (so separate
// localStorage, IndexedDB and service workers), and the UI contract's
// locators (docs/ui.md, "The UI contract").
import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, expect, type Locator, type Page, test, type TestInfo } from '@playwright/test';
import { RelayProcess } from '../helpers/relay-process.ts';

export { expect, test };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_ROOT = path.join(ROOT, 'out', 'web');
/** Screenshots are also written here (besides the report's attachments), so
 * that they survive as plain files (test-results/e2e is emptied per run). */
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/** Everything that waits on the relay or on another browser gets this much. */
export const SLOW = 30_000;

export function assertWebClientBuilt(): void {
  if (!existsSync(path.join(WEB_ROOT, 'index.html')) || !existsSync(path.join(WEB_ROOT, 'sw.js'))) {
    throw new Error(
      `The web client is not built: ${WEB_ROOT} has no index.html/sw.js. ` +
        'Run `npm run build` (or `npx vite build --config vite.web.config.ts`) before `npx playwright test`; `npm test` does both.',
    );
  }
}

/** The relay of one spec file: started in beforeAll on a free loopback port
 * with a fresh data directory, serving out/web, and removed in afterAll.
 * Call at the top level of the spec file. */
export function relayForThisFile(): { readonly current: RelayProcess; readonly url: string } {
  let relay: RelayProcess | undefined;
  test.beforeAll(async () => {
    assertWebClientBuilt();
    // Rate limits off: a spec file registers more users from 127.0.0.1 than
    // the registration limit allows per hour, and limits are not under test.
    relay = await RelayProcess.start({ args: ['--web-root', WEB_ROOT, '--no-rate-limits'] });
  });
  test.afterAll(async () => {
    await relay?.cleanup();
  });
  return {
    get current() {
      if (!relay) throw new Error('the relay is not running (relayForThisFile() must be called at the top level)');
      return relay;
    },
    get url() {
      return this.current.url;
    },
  };
}

let userCount = 0;

export interface ChatUser {
  displayName: string;
  username: string;
  password: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the user's pages: none are expected. */
  pageErrors: string[];
}

/** Opens a browser context of its own (separate storage, like another
 * device) and a page on the web client. */
export async function openClient(browser: Browser, relayUrl: string): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ baseURL: relayUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(SLOW);
  const pageErrors: string[] = [];
  context.on('weberror', (error) => pageErrors.push(String(error.error())));
  const page = await context.newPage();
  await page.goto('/');
  return { context, page, pageErrors };
}

/** A new user who signs up through the UI and ends up online with an empty
 * chat list. */
export async function signUp(browser: Browser, relayUrl: string, displayName: string): Promise<ChatUser> {
  const username = `${displayName.toLowerCase().replace(/[^a-z0-9]/g, '')}_${process.pid}_${++userCount}`;
  const password = 'correct horse battery staple';
  const { context, page, pageErrors } = await openClient(browser, relayUrl);
  await page.getByRole('button', { name: 'Create an account', exact: true }).click();
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Display name', { exact: true }).fill(displayName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await expectOnline(page);
  await expect(conversationList(page)).toBeVisible();
  return { displayName, username, password, context, page, pageErrors };
}

/** Signs an existing user in on a fresh device (browser context). */
export async function signInOnNewDevice(browser: Browser, relayUrl: string, user: ChatUser): Promise<ChatUser> {
  const { context, page, pageErrors } = await openClient(browser, relayUrl);
  await page.getByLabel('Username', { exact: true }).fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectOnline(page);
  return { ...user, context, page, pageErrors };
}

export const root = (page: Page): Locator => page.locator('[data-connection]');
export const conversationList = (page: Page): Locator => page.getByRole('list', { name: 'Conversations', exact: true });
export const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages', exact: true });
export const messageField = (page: Page): Locator => page.getByRole('textbox', { name: 'Message', exact: true });
/** Every message element in the open conversation (rendered rows). */
export const messageRows = (page: Page): Locator => messageLog(page).locator('[data-cid]');
/** The message element whose text holds `body` (bodies are unique per test). */
export const messageRow = (page: Page, body: string): Locator => messageRows(page).filter({ hasText: body });

/** The chat list entry (a button whose name starts with the title). */
export function chatEntry(page: Page, title: string): Locator {
  const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return conversationList(page).getByRole('button', { name: new RegExp(`^${escaped}`) });
}

export async function expectOnline(page: Page): Promise<void> {
  await expect(root(page)).toHaveAttribute('data-connection', 'online', { timeout: SLOW });
}

/** New chat → search → the user's display name: the direct chat opens. */
export async function startDirectChat(page: Page, other: ChatUser): Promise<void> {
  await page.getByRole('button', { name: 'New chat', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New chat' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Search users', { exact: true }).fill(other.displayName);
  await dialog.getByRole('button', { name: other.displayName, exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { name: other.displayName, exact: true })).toBeVisible();
  await expect(messageLog(page)).toBeVisible();
}

/** New group → name it, toggle each member on (toggle buttons named by
 * display name), Create group: the group opens. */
export async function createGroup(page: Page, title: string, members: ChatUser[]): Promise<void> {
  await page.getByRole('button', { name: 'New group', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Group name', { exact: true }).fill(title);
  for (const member of members) {
    await dialog.getByLabel('Search users', { exact: true }).fill(member.displayName);
    const toggle = dialog.getByRole('button', { name: member.displayName, exact: true });
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  }
  await dialog.getByRole('button', { name: 'Create group', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { name: title, exact: true })).toBeVisible();
  await expect(messageLog(page)).toBeVisible();
}

export async function openChat(page: Page, title: string): Promise<void> {
  await chatEntry(page, title).click();
  await expect(page.getByRole('heading', { name: title, exact: true })).toBeVisible();
  await expect(messageLog(page)).toBeVisible();
}

/** Types `body` in the composer and presses Enter; returns the new row. */
export async function send(page: Page, body: string): Promise<Locator> {
  await messageField(page).fill(body);
  await messageField(page).press('Enter');
  await expect(messageField(page)).toHaveValue('');
  const row = messageRow(page, body);
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-mine', 'true');
  return row;
}

export interface RenderedMessage {
  cid: string;
  seq: string | null;
  mine: string | null;
  status: string | null;
  body: string;
}

/** The rendered messages of the open conversation, in page order. */
export function renderedMessages(page: Page): Promise<RenderedMessage[]> {
  return messageRows(page).evaluateAll((elements) =>
    elements
      .map((element) => ({
        element,
        top: element.getBoundingClientRect().top,
      }))
      // Virtual rows are positioned by transform, so order by place on screen.
      .sort((a, b) => a.top - b.top)
      .map(({ element }) => ({
        cid: element.getAttribute('data-cid') ?? '',
        seq: element.getAttribute('data-seq'),
        mine: element.getAttribute('data-mine'),
        status: element.getAttribute('data-status'),
        body: element.querySelector('.bubble__body')?.textContent ?? element.textContent ?? '',
      })),
  );
}

/** Saves a screenshot as a test attachment and as
 * test-results/screenshots/NAME.png. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  // Nothing mid-transition, no blinking caret.
  const body = await page.screenshot({ animations: 'disabled', caret: 'hide' });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await writeFile(path.join(SCREENSHOT_DIR, `${name}.png`), body);
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** The README's screenshots (docs/screenshots). */
const DOCS_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

/** Copies this run's screenshots NAME-light.png and NAME-dark.png (made by
 * `screenshot` or axe.ts's `shoot`) to docs/screenshots as
 * DOCS_NAME-light.png and DOCS_NAME-dark.png, for the README. */
export async function copyToDocs(name: string, docsName = name): Promise<void> {
  for (const scheme of ['light', 'dark']) {
    await copyFile(path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`), path.join(DOCS_SCREENSHOTS, `${docsName}-${scheme}.png`));
  }
}

/** Resolves once a service worker controls the page, so that a reload works
 * with the relay gone. */
export async function expectServiceWorkerInControl(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker?.controller?.state ?? null), {
      timeout: SLOW,
      message: 'the service worker should control the page',
    })
    .toBe('activated');
}

export async function closeAll(...users: Array<ChatUser | undefined>): Promise<void> {
  await Promise.all(users.map((user) => user?.context.close()));
}

/** No uncaught exception in any of these users' pages. */
export function expectNoPageErrors(...users: ChatUser[]): void {
  for (const user of users) expect(user.pageErrors, `uncaught errors in ${user.displayName}'s page`).toEqual([]);
}

/** Signs up one user per name (all at once, each in a browser context of its
 * own), runs `body` with them, then expects no uncaught exception in any of
 * their pages; their contexts are closed whatever happens. Users that `body`
 * pushes onto the array (another device, say) are checked and closed too. */
export async function withUsers<const Names extends readonly string[]>(
  browser: Browser,
  relayUrl: string,
  names: Names,
  body: (users: { -readonly [K in keyof Names]: ChatUser }) => Promise<void>,
): Promise<void> {
  let users: ChatUser[] = [];
  try {
    users = await Promise.all(names.map((name) => signUp(browser, relayUrl, name)));
    await body(users as { -readonly [K in keyof Names]: ChatUser });
    expectNoPageErrors(...users);
  } finally {
    await closeAll(...users);
  }
}

/** Runs axe-core on the page, attaches its violations, and fails on serious
 * or critical ones; lesser ones are listed as annotations. `rules` limits
 * the scan (default: every rule axe enables by default, i.e. WCAG 2.x A and
 * AA plus best practices). */
export async function expectAccessible(
  page: Page,
  testInfo: TestInfo,
  name: string,
  rules?: string[],
  failOn: readonly string[] = ['serious', 'critical'],
): Promise<void> {
  const builder = new AxeBuilder({ page });
  if (rules) builder.withRules(rules);
  const results = await builder.analyze();
  // A scan that checked nothing would pass vacuously.
  expect(results.passes.length, `axe-core checked nothing on ${name}`).toBeGreaterThan(0);
  await testInfo.attach(`axe-${name}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  const summary = (impacts: string[]) =>
    results.violations
      .filter((violation) => impacts.includes(violation.impact ?? ''))
      .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  for (const line of summary(['minor', 'moderate'])) testInfo.annotations.push({ type: `axe ${name}`, description: line });
  expect(summary([...failOn]), `axe-core on ${name}`).toEqual([]);
}

/** The axe rules whose outcome depends on the colour scheme. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
