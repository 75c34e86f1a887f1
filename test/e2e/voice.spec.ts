// Voice notes in real Chromium against a real relay (docs/ui.md, "Files"):
// recorded with MediaRecorder from Chromium's fake microphone
// (--use-fake-device-for-media-stream, and --use-fake-ui-for-media-stream
// to grant it without a prompt), cancelled once, then sent; the other side
// plays it in place, with its duration. The recording bar and the voice
// note pass axe-core (no violation at all), the note in both themes.
import { ANY_IMPACT, shoot } from './axe.ts';
import {
  expect,
  expectAccessible,
  messageRows,
  openChat,
  relayForThisFile,
  send,
  SLOW,
  startDirectChat,
  test as base,
  withUsers,
} from './support.ts';
import type { LaunchOptions } from '@playwright/test';

const relay = relayForThisFile();

// Chromium's fake microphone (a beep), granted without a prompt: the
// configuration's launch options plus two switches, for this file's worker.
const test = base.extend<object, { launchOptions: LaunchOptions }>({
  launchOptions: [
    async ({ launchOptions }, use) => {
      await use({ ...launchOptions, args: [...(launchOptions.args ?? []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
    },
    { scope: 'worker' },
  ],
});

test('a voice note is recorded, sent, and plays on the other side with its duration', async ({ browser }, testInfo) => {
  await withUsers(browser, relay.url, ['Alice', 'Bob'], async ([alice, bob]) => {
    const a = alice.page;
    const b = bob.page;
    await startDirectChat(a, bob);
    await send(a, 'Listen to this');
    await openChat(b, 'Alice');

    // Cancel first: nothing is sent. (The recording bar is scanned here, where
    // the scan's time does not lengthen the note that is sent.)
    await a.getByRole('button', { name: 'Record voice message', exact: true }).click();
    await expect(a.getByRole('timer', { name: 'Recording time' })).toBeVisible();
    await expectAccessible(a, testInfo, 'recording-bar', undefined, ANY_IMPACT);
    await a.getByRole('button', { name: 'Cancel recording', exact: true }).click();
    await expect(a.getByRole('button', { name: 'Record voice message', exact: true })).toBeVisible();

    await a.getByRole('button', { name: 'Record voice message', exact: true }).click();
    await expect(a.getByRole('timer', { name: 'Recording time' })).toBeVisible();
    await a.waitForTimeout(2_200);
    await a.getByRole('button', { name: 'Stop recording', exact: true }).click();

    const voice = messageRows(b).filter({ has: b.locator('audio') });
    await expect(voice).toHaveCount(1, { timeout: SLOW });
    await expect(voice).toContainText(/0:0[2-3]/);
    const audio = voice.locator('audio');
    await expect(audio).toHaveAttribute('src', /^blob:/, { timeout: SLOW });
    const played = await audio.evaluate(async (element: HTMLAudioElement) => {
      element.muted = true;
      await element.play();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return element.currentTime > 0 || !element.paused;
    });
    expect(played).toBe(true);
    await expect(messageRows(a).filter({ has: a.locator('audio') })).toHaveCount(1);
    await expect(b.getByRole('list', { name: 'Conversations', exact: true })).toContainText('🎤 Voice message');
    // The voice note in the conversation, in both themes.
    await shoot(b, testInfo, 'voice-note', ANY_IMPACT);
  });
});
