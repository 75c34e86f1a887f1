// The main process with the real engine, its SQLite store and the encrypted
// account, against a real relay: signing in over IPC, sending, a message from
// someone else raising a notification and the tray count, a click opening the
// conversation, reading it clearing both, and a restart that stays signed in
// without notifying old messages again.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines. The double's net.fetch and net.WebSocket are Node's, so the
// engine really talks to the relay; the page is played by calling the IPC
// handlers as the preload would, from the app's frame. The tests are the
// steps of one story and run in order on one running app.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, type IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthResult, ChatMessage, ConversationSummary, DuplexEvent, Account } from '../../src/shared/api.ts';
import { createDesktopEngine } from '../../src/main/desktop-engine.ts';
import { startDesktopApp } from '../../src/main/desktop-app.ts';
import { TestClient, waitFor } from '../engine/helpers/client.ts';
import { registerAccount, startRelay, type RelayProcess, type TestAccount } from '../engine/helpers/relay.ts';
import * as double from './electron-double/electron.ts';
import { recordingLog } from './helpers.ts';
import { FakeUpdater } from './fake-updater.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

const fromApp = { senderFrame: { url: 'app://duplex/index.html', parent: null } } as unknown as IpcMainInvokeEvent;

let relay: RelayProcess;
let alice: TestAccount;
let bob: TestAccount;
let bobClient: TestClient;
let userData: string;
let window: double.BrowserWindow;

beforeAll(async () => {
  relay = await startRelay();
  [alice, bob] = await Promise.all([registerAccount(relay.url, 'Alice'), registerAccount(relay.url, 'Bob')]);
  bobClient = await TestClient.signedIn(relay.url, bob);
  userData = mkdtempSync(join(tmpdir(), 'duplex-desktop-integration-'));
  window = await startApp();
});

afterAll(async () => {
  await bobClient?.dispose();
  await relay?.cleanup();
  rmSync(userData, { recursive: true, force: true });
});

/** Starts the app as `index.ts` does, with the real engine, on a fresh
 * double, and waits until it is fully up. */
async function startApp(): Promise<double.BrowserWindow> {
  double.resetElectronDouble();
  startDesktopApp({
    platform: 'linux',
    env: { DUPLEX_USER_DATA_DIR: userData, XDG_CURRENT_DESKTOP: 'KDE' },
    bundleDir: '/app/out/main',
    log: recordingLog(),
    createEngine: createDesktopEngine,
    // Not under test here (app-updates.test.ts): a development build never checks.
    createUpdater: () => new FakeUpdater() as never,
  });
  await vi.waitFor(() => expect(double.powerMonitor.listenerCount('resume')).toBe(1), { timeout: 10_000 });
  const window = double.BrowserWindow.instances[0];
  if (window === undefined) throw new Error('no window');
  window.emit('ready-to-show');
  return window;
}

async function quitApp(): Promise<void> {
  const quitted = new Promise((resolve) => app.once('quit', resolve));
  app.quit();
  await quitted;
}

const invoke = <T>(channel: string, ...args: unknown[]): Promise<T> =>
  double.ipcMain.invoke(channel, fromApp, ...args) as Promise<T>;

function pageEvents(window: double.BrowserWindow): DuplexEvent[] {
  return window.webContents.sent.filter((sent) => sent.channel === 'duplex:event').map((sent) => sent.args[0] as DuplexEvent);
}

function tray(): double.Tray {
  const found = double.Tray.instances[0];
  if (found === undefined) throw new Error('no tray');
  return found;
}

describe('the desktop app with the real engine', () => {
  let conv: string;

  it('signs in over IPC, keeps the account encrypted and goes online', async () => {
    await expect(invoke<Account | null>('duplex:getAccount')).resolves.toBeNull();
    const result = await invoke<AuthResult>('duplex:signIn', {
      relayUrl: relay.url,
      username: alice.username,
      password: alice.password,
    });
    expect(result).toMatchObject({ ok: true, account: { user: { id: alice.user.id } } });
    expect(readFileSync(join(userData, 'account'), 'utf8')).toMatch(/^encrypted:/);
    await waitFor(
      () => pageEvents(window).some((event) => event.type === 'status' && event.status.state === 'online'),
      'online',
    );
    expect(pageEvents(window).some((event) => event.type === 'account' && event.account !== null)).toBe(true);
  });

  it('sends a message through the engine', async () => {
    const conversation = await invoke<ConversationSummary>('duplex:createDirect', bob.user.id);
    conv = conversation.id;
    const sent = await invoke<ChatMessage>('duplex:send', conv, 'Hello Bob');
    expect(sent).toMatchObject({ conv, body: 'Hello Bob', mine: true, status: 'queued' });
    await waitFor(
      () =>
        pageEvents(window).some(
          (event) => event.type === 'messages' && event.messages.some((m) => m.cid === sent.cid && m.status === 'sent'),
        ),
      'the message to be sent',
    );
    await waitFor(() => bobClient.messages(conv).some((m) => m.body === 'Hello Bob'), 'Bob to receive it');
  });

  it('notifies a message from Bob while the window is hidden, and counts it in the tray', async () => {
    window.hide();
    await bobClient.engine.send(conv, 'Hello Alice');
    await waitFor(() => double.Notification.instances.length === 1, 'a notification');
    const [notification] = double.Notification.instances;
    expect(notification?.options).toEqual({ title: 'Bob', body: 'Hello Alice' });
    await waitFor(() => tray().tooltip === 'Duplex: 1 unread message', 'the tray count');
    expect(double.calls.filter((call) => call.api === 'app.setBadgeCount').at(-1)?.args).toEqual([1]);

    notification?.emit('click', double.fakeEvent());
    expect(window.isVisible()).toBe(true);
    expect(window.webContents.sent).toContainEqual({
      channel: 'duplex-desktop:event',
      args: [{ type: 'open-conversation', conv }],
    });
  });

  it('clears the count when the conversation is read', async () => {
    const { messages } = await invoke<{ messages: ChatMessage[] }>('duplex:getMessages', conv, { limit: 50 });
    const newest = messages.at(-1);
    expect(newest?.body).toBe('Hello Alice');
    await invoke('duplex:markRead', conv, newest?.seq);
    await waitFor(() => tray().tooltip === 'Duplex', 'the tray count to clear');
  });

  it('stays signed in across a restart, without notifying old messages again', async () => {
    await quitApp();
    window = await startApp();
    await expect(invoke<Account | null>('duplex:getAccount')).resolves.toMatchObject({ user: { id: alice.user.id } });
    await waitFor(
      () => pageEvents(window).some((event) => event.type === 'status' && event.status.state === 'online'),
      'online again',
    );
    expect(double.Notification.instances).toEqual([]);
    expect(tray().tooltip).toBe('Duplex');
    await quitApp();
  });
});
