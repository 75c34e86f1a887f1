// The preload bridge: it exposes `duplex` and `duplexDesktop` through
// contextBridge, each request an invoke on its own channel, each event
// stream a listener that passes the page the payload and nothing of IPC.
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so contextBridge and ipcRenderer here are the double's.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DuplexApi, DuplexEvent } from '../../src/shared/api.ts';
import { duplexMethods } from '../../src/shared/api-methods.ts';
import type { DesktopApi, DesktopEvent } from '../../src/shared/desktop-api.ts';
import * as double from './electron-double/electron.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

let duplex: DuplexApi;
let duplexDesktop: DesktopApi;

beforeAll(async () => {
  double.resetElectronDouble();
  await import('../../src/preload/index.ts');
  duplex = double.contextBridge.exposed.get('duplex') as DuplexApi;
  duplexDesktop = double.contextBridge.exposed.get('duplexDesktop') as DesktopApi;
});

describe('the preload bridge', () => {
  it('exposes exactly duplex and duplexDesktop', () => {
    expect([...double.contextBridge.exposed.keys()]).toEqual(['duplex', 'duplexDesktop']);
  });

  it('offers every DuplexApi method of the method table, and nothing else', () => {
    expect(Object.keys(duplex).sort()).toEqual([...Object.keys(duplexMethods), 'onEvent'].sort());
    expect(Object.keys(duplexDesktop).sort()).toEqual(
      [
        'getInfo',
        'getSettings',
        'onEvent',
        'setOpenConversation',
        'updateSettings',
        'getUpdateStatus',
        'checkForUpdates',
        'downloadUpdate',
        'restartToUpdate',
        'saveFile',
        'saveMyData',
      ].sort(),
    );
  });

  it('turns each request into an invoke on its own channel with the same arguments', async () => {
    await expect(duplex.send('c_1', 'hello')).resolves.toEqual({ channel: 'duplex:send', args: ['c_1', 'hello'] });
    await expect(duplex.getMessages('c_1', { limit: 5 })).resolves.toEqual({
      channel: 'duplex:getMessages',
      args: ['c_1', { limit: 5 }],
    });
    await expect(duplexDesktop.updateSettings({ hideMessageText: true })).resolves.toEqual({
      channel: 'duplex-desktop:updateSettings',
      args: [{ hideMessageText: true }],
    });
  });

  it('delivers events without the IPC event, until unsubscribed', () => {
    const received: DuplexEvent[] = [];
    const unsubscribe = duplex.onEvent((event) => received.push(event));
    const event: DuplexEvent = { type: 'conversation-removed', id: 'c_1' };
    double.ipcRenderer.emit('duplex:event', { sender: double.ipcRenderer }, event);
    unsubscribe();
    double.ipcRenderer.emit('duplex:event', { sender: double.ipcRenderer }, event);
    expect(received).toEqual([event]);
    expect(double.ipcRenderer.listenerCount('duplex:event')).toBe(0);
  });

  it('keeps the two event streams apart', () => {
    const desktopEvents: DesktopEvent[] = [];
    const duplexEvents: DuplexEvent[] = [];
    const stopDesktop = duplexDesktop.onEvent((event) => desktopEvents.push(event));
    const stopDuplex = duplex.onEvent((event) => duplexEvents.push(event));
    double.ipcRenderer.emit('duplex-desktop:event', {}, { type: 'open-conversation', conv: 'c_2' });
    stopDesktop();
    stopDuplex();
    expect(desktopEvents).toEqual([{ type: 'open-conversation', conv: 'c_2' }]);
    expect(duplexEvents).toEqual([]);
  });
});
