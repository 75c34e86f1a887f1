// Files and voice notes in real Chromium against a real relay (docs/files.md,
// "The apps' side"; docs/ui.md, "Files"):
// - a photo (a 3000×2000 JPEG carrying EXIF data) attached with a caption
//   arrives on the other side downscaled to 1600 px on its long edge, and
//   its bytes (through the viewer's Download) have no EXIF segment; it opens in the image viewer (axe-core clean; Escape
//   closes it); screenshots in both themes;
// - a document arrives byte for byte through `Download NAME`; the
//   conversation with both passes axe-core (no violation at all) in both themes;
// - a photo sent through the Attach menu's `Document` arrives as a document,
//   byte for byte: full size, its EXIF segment kept;
// - a photo sent while the relay is down is `queued` with a progress bar, and
//   is delivered once the relay is back.
// Voice notes: voice.spec.ts (it needs Chromium's fake microphone).
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { ANY_IMPACT, shoot } from './axe.ts';
import {
  copyToDocs,
  expect,
  expectOnline,
  messageLog,
  messageRows,
  openChat,
  relayForThisFile,
  root,
  screenshot,
  send,
  SLOW,
  startDirectChat,
  test,
  withUsers,
} from './support.ts';

const relay = relayForThisFile();

/** A JPEG drawn by the browser, with an EXIF segment (APP1) spliced in after
 * its start marker, as a camera's photo has one. */
async function photoWithExif(page: Page, width: number, height: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ([w, h]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w!;
      canvas.height = h!;
      const context = canvas.getContext('2d')!;
      const gradient = context.createLinearGradient(0, 0, w!, h!);
      gradient.addColorStop(0, '#f4a261');
      gradient.addColorStop(1, '#2a9d8f');
      context.fillStyle = gradient;
      context.fillRect(0, 0, w!, h!);
      context.fillStyle = '#264653';
      context.beginPath();
      context.arc(w! / 2, h! / 2, h! / 4, 0, Math.PI * 2);
      context.fill();
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.9));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return btoa(binary);
    },
    [width, height],
  );
  const jpeg = Buffer.from(base64, 'base64');
  // "Exif\0\0", a big-endian TIFF header and one IFD entry: Make = "DuplexCam".
  const tiff = Buffer.concat([
    Buffer.from('MM\0\x2a\0\0\0\x08', 'latin1'),
    Buffer.from([0, 1, 0x01, 0x0f, 0, 2, 0, 0, 0, 10, 0, 0, 0, 26, 0, 0, 0, 0]),
    Buffer.from('DuplexCam\0', 'latin1'),
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

function hasExif(bytes: Uint8Array): boolean {
  return Buffer.from(bytes).includes(Buffer.from('Exif\0\0', 'latin1'));
}

async function attach(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>, caption = ''): Promise<void> {
  await page.getByLabel('Attach files', { exact: true }).setInputFiles(files);
  const field = page.getByRole('textbox', { name: 'Caption', exact: true });
  await expect(field).toBeVisible();
  if (caption) await field.fill(caption);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(field).toHaveCount(0);
}

/** The size of a message's image once shown from its blob: URL (the page's
 * CSP lets no script fetch it; the bytes are checked through Download). */
async function shownImageSize(page: Page, alt: string): Promise<[number, number]> {
  const image = messageLog(page).getByRole('img', { name: alt, exact: true });
  await expect(image).toHaveAttribute('src', /^blob:/, { timeout: SLOW });
  return image.evaluate(async (element: HTMLImageElement) => {
    await element.decode();
    return [element.naturalWidth, element.naturalHeight] as [number, number];
  });
}

test.describe('files', () => {
  test('a photo and a document go to the other side; the photo is downscaled, without EXIF, in the viewer', async ({ browser }, testInfo) => {
    await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
      const a = alice.page;
      const b = bob.page;
      await startDirectChat(a, bob);
      await send(a, 'Holiday pictures coming');
      await openChat(b, 'Alice');

      const original = await photoWithExif(a, 3000, 2000);
      expect(hasExif(original)).toBe(true);
      await attach(a, [{ name: 'beach.jpeg', mimeType: 'image/jpeg', buffer: original }], 'At the beach');

      await test.step('the photo arrives downscaled and without EXIF', async () => {
        const row = messageRows(b).filter({ hasText: 'At the beach' });
        await expect(row).toHaveCount(1, { timeout: SLOW });
        expect(await shownImageSize(b, 'beach.jpg')).toEqual([1600, 1067]);
        await expect(messageRows(a).filter({ hasText: 'At the beach' })).toHaveAttribute('data-status', /^(sent|delivered|read)$/);
      });

      await test.step('screenshots of the photo message in both themes', async () => {
        for (const scheme of ['light', 'dark'] as const) {
          await b.emulateMedia({ colorScheme: scheme });
          await screenshot(b, testInfo, `image-message-${scheme}`);
        }
        await b.emulateMedia({ colorScheme: null });
        await copyToDocs('image-message');
      });

      await test.step('the image viewer opens on click, is accessible, and Escape closes it', async () => {
        await messageLog(b).getByRole('img', { name: 'beach.jpg', exact: true }).click();
        const viewer = b.getByRole('dialog', { name: 'Image viewer' });
        await expect(viewer).toBeVisible();
        await expect(viewer.getByRole('img', { name: 'beach.jpg', exact: true })).toBeVisible();
        await expect(viewer.getByRole('button', { name: 'Download', exact: true })).toBeVisible();
        await expect(viewer.getByRole('button', { name: 'Close', exact: true })).toBeVisible();
        // The bytes Bob gets: a JPEG with no EXIF segment left.
        const [download] = await Promise.all([b.waitForEvent('download'), viewer.getByRole('button', { name: 'Download', exact: true }).click()]);
        expect(download.suggestedFilename()).toBe('beach.jpg');
        const bytes = await readFile((await download.path())!);
        expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
        expect(hasExif(bytes)).toBe(false);
        expect(bytes.includes(Buffer.from('DuplexCam', 'latin1'))).toBe(false);
        const results = await new AxeBuilder({ page: b }).include('dialog').analyze();
        expect(results.passes.length).toBeGreaterThan(0);
        expect(results.violations.map((v) => `${v.impact} ${v.id}: ${v.help}`)).toEqual([]);
        await b.keyboard.press('Escape');
        await expect(viewer).toHaveCount(0);
        // Close works as well.
        await messageLog(b).getByRole('img', { name: 'beach.jpg', exact: true }).click();
        await b.getByRole('dialog', { name: 'Image viewer' }).getByRole('button', { name: 'Close', exact: true }).click();
        await expect(b.getByRole('dialog', { name: 'Image viewer' })).toHaveCount(0);
      });

      await test.step('a document keeps its bytes and downloads on the other side', async () => {
        const document = Buffer.from(`%PDF-1.4\n% Duplex test document ${'x'.repeat(5000)}\n%%EOF\n`, 'latin1');
        await attach(a, [{ name: 'Minutes 2026.pdf', mimeType: 'application/pdf', buffer: document }]);
        const button = b.getByRole('button', { name: 'Download Minutes 2026.pdf', exact: true });
        await expect(button).toBeVisible({ timeout: SLOW });
        const [download] = await Promise.all([b.waitForEvent('download'), button.click()]);
        expect(download.suggestedFilename()).toBe('Minutes 2026.pdf');
        expect(await readFile((await download.path())!)).toEqual(document);
        // The chat list says what the last message is.
        await expect(b.getByRole('list', { name: 'Conversations', exact: true })).toContainText('📄 Minutes 2026.pdf');
        // The conversation with a photo and a document in it, in both themes.
        await shoot(b, testInfo, 'file-messages', ANY_IMPACT);
      });

      await test.step('a photo sent as a document keeps its original bytes, EXIF and all', async () => {
        const photo = await photoWithExif(a, 2400, 1800);
        await a.getByRole('button', { name: 'Attach', exact: true }).click();
        const menu = a.getByRole('menu', { name: 'Attach' });
        await expect(menu.getByRole('menuitem')).toHaveText(['Photos and files', 'Document']);
        const [chooser] = await Promise.all([a.waitForEvent('filechooser'), menu.getByRole('menuitem', { name: 'Document', exact: true }).click()]);
        await chooser.setFiles([{ name: 'scan.jpeg', mimeType: 'image/jpeg', buffer: photo }]);
        const field = a.getByRole('textbox', { name: 'Caption', exact: true });
        await field.fill('The original');
        await a.getByRole('button', { name: 'Send', exact: true }).click();
        await expect(field).toHaveCount(0);
        // Bob's side shows it as a document (its name kept, no image), and its bytes are the very bytes chosen.
        const row = messageRows(b).filter({ hasText: 'The original' });
        const button = row.getByRole('button', { name: 'Download scan.jpeg', exact: true });
        await expect(button).toBeVisible({ timeout: SLOW });
        await expect(row.getByRole('img', { name: 'scan.jpeg' })).toHaveCount(0);
        const [download] = await Promise.all([b.waitForEvent('download'), button.click()]);
        expect(download.suggestedFilename()).toBe('scan.jpeg');
        const bytes = await readFile((await download.path())!);
        expect(bytes.equals(photo)).toBe(true);
        expect(hasExif(bytes)).toBe(true);
        await expect(b.getByRole('list', { name: 'Conversations', exact: true })).toContainText('📄 scan.jpeg The original');
      });
    });
  });

  test('a photo sent while the relay is down is queued with a progress bar, then delivered', async ({ browser }) => {
    test.setTimeout(150_000);
    // Names of their own: the users of the test before are on this relay too.
    await withUsers(browser, relay.url, ['Carol', 'Dave'], async ([alice, bob]) => {
      const a = alice.page;
      const b = bob.page;
      await startDirectChat(a, bob);
      await send(a, 'Before the outage');
      await openChat(b, 'Carol');

      await relay.current.stop('SIGKILL');
      await expect(root(a)).toHaveAttribute('data-connection', /^(offline|connecting)$/, { timeout: SLOW });
      await attach(a, [{ name: 'offline.jpg', mimeType: 'image/jpeg', buffer: await photoWithExif(a, 800, 600) }], 'Sent offline');
      const row = messageRows(a).filter({ hasText: 'Sent offline' });
      await expect(row).toHaveAttribute('data-status', 'queued');
      await expect(row.getByRole('progressbar')).toBeVisible();

      await relay.current.restart();
      // Retry now only hurries the app, which retries by itself too: it may be
      // back online, the button gone, before the click lands (that failed
      // once under load). Being online is what the test requires.
      await a
        .getByRole('button', { name: 'Retry now', exact: true })
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      await expectOnline(a);
      await expect(row).toHaveAttribute('data-status', /^(sent|delivered|read)$/, { timeout: 45_000 });
      await expect(row.getByRole('progressbar')).toHaveCount(0);
      await expect(messageRows(b).filter({ hasText: 'Sent offline' })).toHaveCount(1, { timeout: 45_000 });
      expect(await shownImageSize(b, 'offline.jpg')).toEqual([800, 600]);
    });
  });
});
