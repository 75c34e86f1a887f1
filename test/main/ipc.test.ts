// The IPC layer: each request is refused unless it comes from the app's page
// in the window's top frame and its arguments match the method's schema; the
// implementation then sees exactly the validated arguments. Events reach only
// the app's page.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so ipcMain here is the double's and each call plays a
// renderer's ipcRenderer.invoke.
import { ipcMain, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DuplexApi } from '../../src/shared/api.ts';
import type { DesktopApi, InvokeMethod } from '../../src/shared/desktop-api.ts';
import { appLocation } from '../../src/main/app-location.ts';
import { desktopArgumentSchemas } from '../../src/main/ipc/desktop-argument-schemas.ts';
import { duplexArgumentSchemas } from '../../src/shared/api-methods.ts';
import { handleInvokes } from '../../src/main/ipc/invoke-handlers.ts';
import { eventSender } from '../../src/main/ipc/renderer-events.ts';
import { isTrustedSender } from '../../src/main/ipc/trusted-sender.ts';
import * as double from './electron-double/electron.ts';
import { recordingLog } from './helpers.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

const location = appLocation(undefined);
const CONV = 'c_1';
const CID = 'cid_0123456789';

/** One valid argument list per method, as the UI would send it. */
const validDuplexCalls: { [M in InvokeMethod<DuplexApi>]: Parameters<DuplexApi[M]> } = {
  getAccount: [],
  signIn: [{ relayUrl: 'https://relay.example', username: 'alice', password: 'correct horse' }],
  register: [{ relayUrl: 'https://relay.example', username: 'alice', password: 'correct horse', displayName: 'Alice' }],
  signOut: [],
  getStatus: [],
  retryNow: [],
  listConversations: [],
  getMessages: [CONV, { limit: 50, beforeSeq: 10 }],
  loadOlder: [CONV],
  createDirect: ['u_bob'],
  createGroup: ['Team', ['u_bob', 'u_carol']],
  addMembers: [CONV, ['u_dave']],
  leave: [CONV],
  rename: [CONV, 'New title'],
  searchUsers: ['bo'],
  getPresence: [['u_bob']],
  setChatState: [CONV, { pinned: true, archived: false, mutedUntil: null }],
  searchMessages: ['lunch', 50],
  send: [CONV, 'hello', 3],
  sendFile: [CONV, { name: 'photo.jpg', mime: 'image/jpeg', bytes: new Uint8Array([1, 2, 3]), caption: 'Look', width: 4, height: 3 }],
  getFile: ['AAAAAAAAAAAAAAAAAAAAAAAA'],
  retry: [CONV, CID],
  deleteUnsent: [CONV, CID],
  edit: [CONV, { cid: CID, seq: 4 }, 'fixed'],
  deleteForEveryone: [CONV, { cid: CID, seq: null }],
  react: [CONV, { cid: CID, seq: 4 }, '👍'],
  forward: ['c_2', CONV, 4],
  markRead: [CONV, 12],
  setTyping: [CONV, true],
  setDraft: [CONV, 'half a thought'],
  getPrivacy: [],
  setGroupAdds: ['contacts'],
  block: ['u_bob'],
  unblock: ['u_bob'],
  changePassword: [{ currentPassword: 'old password', newPassword: 'new password', signOutOthers: true }],
  deleteAccount: ['correct horse'],
  downloadMyData: [],
  updateProfile: [{ displayName: 'Alice Liddell', about: 'Down the rabbit hole' }],
  setProfilePhoto: [new Uint8Array([0xff, 0xd8, 0xff, 0xd9])],
  setGroupPhoto: [CONV, null],
  getPhoto: ['A'.repeat(24)],
  listDevices: [],
  signOutDevice: ['3f9a0c6e21b84d07'],
  signOutOtherDevices: [],
};

/** Argument lists the main process must refuse: wrong types, missing or
 * extra arguments, unknown fields, out-of-bound sizes. */
const invalidDuplexCalls: Array<[InvokeMethod<DuplexApi>, unknown[]]> = [
  ['getAccount', ['extra']],
  ['signIn', []],
  ['signIn', [{ username: 'alice' }]],
  ['signIn', [{ username: 'alice', password: 'x', admin: true }]],
  ['signIn', ['alice', 'password']],
  ['register', [{ username: 'a', password: 'b', displayName: 42 }]],
  ['getMessages', [CONV]],
  ['getMessages', [CONV, { limit: 0 }]],
  ['getMessages', [CONV, { limit: 1_000_000 }]],
  ['getMessages', [CONV, { limit: 10, beforeSeq: -1 }]],
  ['getMessages', ['', { limit: 10 }]],
  ['createGroup', ['Team', 'u_bob']],
  ['createGroup', ['Team', Array.from({ length: 1000 }, (_, i) => `u_${i}`)]],
  ['send', [CONV]],
  ['send', [CONV, 42]],
  ['setGroupAdds', ['friends']],
  ['deleteAccount', []],
  ['deleteAccount', [42]],
  ['downloadMyData', ['extra']],
  ['setGroupAdds', []],
  ['block', [42]],
  ['unblock', ['']],
  ['send', [CONV, 'x'.repeat(70_000)]],
  ['send', [CONV, 'hi', 0]],
  ['send', [CONV, 'hi', 1.5]],
  ['send', [CONV, 'hi', 1, 'extra']],
  ['send', [{ toString: () => CONV }, 'hi']],
  ['retry', [CONV, 'short']],
  ['edit', [CONV, { cid: CID }, 'fixed']],
  ['edit', [CONV, { cid: CID, seq: 0 }, 'fixed']],
  ['deleteForEveryone', [CONV, { cid: 'no', seq: 4 }]],
  ['react', [CONV, { cid: CID, seq: 4 }, 'x'.repeat(65)]],
  ['react', [CONV, { cid: CID, seq: 4, extra: 1 }, '👍']],
  ['forward', ['c_2', CONV]],
  ['retry', [CONV, 'has spaces in it']],
  ['markRead', [CONV, '12']],
  ['setTyping', [CONV, 'yes']],
  ['searchUsers', [null]],
  ['setChatState', [CONV]],
  ['setChatState', [CONV, { pinned: 'yes' }]],
  ['setChatState', [CONV, { starred: true }]],
  ['setChatState', [CONV, { mutedUntil: -1 }]],
  ['setChatState', [CONV, { mutedUntil: Number.MAX_SAFE_INTEGER }]],
  ['setChatState', [CONV, { mutedUntil: 1.5 }]],
  // Files: the bytes only as a Uint8Array (never a path), bounded; no extra fields.
  ['sendFile', [CONV, { name: 'a.txt', mime: 'text/plain', bytes: '/etc/passwd', caption: '' }]],
  ['sendFile', [CONV, { name: 'a.txt', mime: 'text/plain', bytes: [1, 2, 3], caption: '' }]],
  ['sendFile', [CONV, { name: 'a.txt', mime: 'text/plain', path: '/etc/passwd', bytes: new Uint8Array(1), caption: '' }]],
  ['sendFile', [CONV, { name: '', mime: 'text/plain', bytes: new Uint8Array(1), caption: '' }]],
  ['sendFile', [CONV, { name: 'a.jpg', mime: 'image/jpeg', bytes: new Uint8Array(1), caption: '', thumb: 'x'.repeat(20_000) }]],
  ['sendFile', [CONV, { name: 'a.jpg', mime: 'image/jpeg', bytes: new Uint8Array(1), caption: '', width: -1 }]],
  ['getFile', ['../../etc/passwd']],
  ['getFile', []],
  ['searchMessages', ['lunch']],
  ['searchMessages', ['lunch', 0]],
  ['searchMessages', ['lunch', 10_000]],
  ['searchMessages', ['x'.repeat(5_000), 10]],
];

const validDesktopCalls: { [M in InvokeMethod<DesktopApi>]: Parameters<DesktopApi[M]> } = {
  getInfo: [],
  getSettings: [],
  updateSettings: [{ closeToTray: false, hideMessageText: true }],
  setOpenConversation: [null],
  getUpdateStatus: [],
  checkForUpdates: [],
  downloadUpdate: [],
  restartToUpdate: [],
  saveFile: ['AAAAAAAAAAAAAAAAAAAAAAAA', 'photo.jpg'],
  saveMyData: ['duplex-alice-2026-12-05.zip'],
};

const invalidDesktopCalls: Array<[InvokeMethod<DesktopApi>, unknown[]]> = [
  ['updateSettings', [{ closeToTray: 'no' }]],
  ['updateSettings', [{ mutedConversations: [CONV] }]],
  ['updateSettings', [{ window: { x: 0 } }]],
  ['updateSettings', []],
  ['updateSettings', [{ notificationsMuted: 'yes' }]],
  ['setOpenConversation', [42]],
  ['updateSettings', [{ autoDownloadUpdates: 'yes' }]],
  ['checkForUpdates', ['now']],
  ['restartToUpdate', [true]],
  ['saveMyData', []],
  ['saveMyData', ['']],
  ['saveMyData', ['/etc/passwd', 'extra']],
];

type Frame = Pick<WebFrameMain, 'url' | 'parent'>;

function frame(url: string, parent: Frame | null = null): Frame {
  return { url, parent: parent as WebFrameMain | null };
}

function invokeEvent(senderFrame: Frame | null): IpcMainInvokeEvent {
  return { senderFrame } as unknown as IpcMainInvokeEvent;
}

const fromApp = invokeEvent(frame('app://duplex/index.html'));

/** Serves `methods` with an implementation that records its calls. */
function serve(): { received: Array<[string, unknown[]]>; log: ReturnType<typeof recordingLog> } {
  const received: Array<[string, unknown[]]> = [];
  const log = recordingLog();
  const implementation = new Proxy(
    {},
    {
      get: (_target, method: string) =>
        (...args: unknown[]) => {
          received.push([method, args]);
          return Promise.resolve(`${method} done`);
        },
    },
  ) as Pick<DuplexApi, InvokeMethod<DuplexApi>>;
  handleInvokes<DuplexApi>(ipcMain, {
    channelOf: (method) => `duplex:${method}`,
    schemas: duplexArgumentSchemas,
    implementation,
    isTrustedSender: (event) => isTrustedSender(event.senderFrame, location.isAppUrl),
    log,
  });
  return { received, log };
}

beforeEach(() => double.resetElectronDouble());

describe('the sender check', () => {
  it('trusts only the app page in the top frame', () => {
    expect(isTrustedSender(frame('app://duplex/index.html'), location.isAppUrl)).toBe(true);
    expect(isTrustedSender(frame('app://duplex/index.html', frame('app://duplex/index.html')), location.isAppUrl)).toBe(false);
    expect(isTrustedSender(frame('https://evil.example/'), location.isAppUrl)).toBe(false);
    expect(isTrustedSender(frame('file:///index.html'), location.isAppUrl)).toBe(false);
    expect(isTrustedSender(null, location.isAppUrl)).toBe(false);
  });
});

describe('DuplexApi requests', () => {
  it('has a handler for every method', () => {
    serve();
    expect([...double.ipcMain.handlers.keys()].sort()).toEqual(
      Object.keys(validDuplexCalls)
        .map((method) => `duplex:${method}`)
        .sort(),
    );
  });

  it.each(Object.entries(validDuplexCalls))('passes valid %s arguments through', async (method, args) => {
    const { received } = serve();
    await expect(double.ipcMain.invoke(`duplex:${method}`, fromApp, ...args)).resolves.toBe(`${method} done`);
    expect(received).toEqual([[method, args]]);
  });

  it.each(invalidDuplexCalls)('refuses invalid %s arguments %j', async (method, args) => {
    const { received, log } = serve();
    await expect(double.ipcMain.invoke(`duplex:${method}`, fromApp, ...args)).rejects.toThrow(
      `duplex:${method}: invalid arguments`,
    );
    expect(received).toEqual([]);
    expect(log.warnings).toHaveLength(1);
  });

  it.each([
    ['another site', invokeEvent(frame('https://evil.example/'))],
    ['a subframe of the app', invokeEvent(frame('app://duplex/index.html', frame('app://duplex/index.html')))],
    ['a frame that is gone', invokeEvent(null)],
  ])('refuses a call from %s before looking at it', async (_what, event) => {
    const { received, log } = serve();
    await expect(double.ipcMain.invoke('duplex:send', event, CONV, 'hello')).rejects.toThrow(
      "duplex:send refused: the sender is not the app's page",
    );
    expect(received).toEqual([]);
    expect(log.warnings.join()).toContain('refused duplex:send');
  });

  it('strips nothing silently: unknown fields are refused, not dropped', async () => {
    const { received } = serve();
    await expect(
      double.ipcMain.invoke('duplex:getMessages', fromApp, CONV, { limit: 5, sql: 'DROP TABLE' }),
    ).rejects.toThrow('invalid arguments');
    expect(received).toEqual([]);
  });
});

describe('DesktopApi argument schemas', () => {
  it.each(Object.entries(validDesktopCalls))('accepts valid %s arguments', (method, args) => {
    expect(desktopArgumentSchemas[method as InvokeMethod<DesktopApi>].safeParse(args).success).toBe(true);
  });

  it.each(invalidDesktopCalls)('refuses invalid %s arguments %j', (method, args) => {
    expect(desktopArgumentSchemas[method].safeParse(args).success).toBe(false);
  });
});

describe('events to the page', () => {
  it('go to the app page only, and not to a destroyed one', () => {
    const webContents = { url: 'app://duplex/index.html', destroyed: false, sent: [] as unknown[][] };
    const send = eventSender<{ type: string }>(
      {
        isDestroyed: () => webContents.destroyed,
        getURL: () => webContents.url,
        send: (...args: unknown[]) => void webContents.sent.push(args),
      },
      'duplex:event',
      location.isAppUrl,
    );
    send({ type: 'a' });
    webContents.url = 'https://evil.example/';
    send({ type: 'b' });
    webContents.url = 'app://duplex/index.html';
    webContents.destroyed = true;
    send({ type: 'c' });
    expect(webContents.sent).toEqual([['duplex:event', { type: 'a' }]]);
  });
});
