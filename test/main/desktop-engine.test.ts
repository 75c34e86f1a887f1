// The engine as the main process builds it: Electron's net module for its
// socket and HTTP calls, with fetch limited to http(s), since net.fetch would
// also read file: and app: URLs. (The whole engine in the shell, against a
// real relay, is in desktop-app.integration.test.ts.)
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so `net` is the double's.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createDesktopEngine, desktopDeviceName, httpOnlyFetch } from '../../src/main/desktop-engine.ts';
import { DuplexEngine } from '../../src/shared/engine/engine.ts';
import * as double from './electron-double/electron.ts';
import { recordingLog } from './helpers.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

describe('the engine’s fetch', () => {
  it.each(['https://relay.example/api/login', 'http://127.0.0.1:8787/api/register'])('passes %s through', async (url) => {
    const fetchFunction = vi.fn(() => Promise.resolve(new Response('ok')));
    await httpOnlyFetch(fetchFunction)(url, { method: 'POST' });
    await httpOnlyFetch(fetchFunction)(new URL(url));
    await httpOnlyFetch(fetchFunction)(new Request(url));
    expect(fetchFunction).toHaveBeenCalledTimes(3);
    expect(fetchFunction.mock.calls[0]).toEqual([url, { method: 'POST' }]);
  });

  it.each(['file:///etc/passwd', 'app://duplex/index.html', 'data:text/plain,x', 'ftp://example.com/'])(
    'refuses %s',
    async (url) => {
      const fetchFunction = vi.fn(() => Promise.resolve(new Response('ok')));
      await expect(httpOnlyFetch(fetchFunction)(url)).rejects.toThrow('Only http(s) requests are allowed');
      expect(fetchFunction).not.toHaveBeenCalled();
    },
  );
});

describe('the desktop engine', () => {
  it('is a DuplexEngine that signs in through net.fetch', async () => {
    double.resetElectronDouble();
    const engine = createDesktopEngine({
      userData: mkdtempSync(join(tmpdir(), 'duplex-engine-')),
      accounts: { load: () => Promise.resolve(null), save: () => Promise.resolve(), clear: () => Promise.resolve() },
      platform: 'linux',
      log: recordingLog(),
    });
    expect(engine).toBeInstanceOf(DuplexEngine);
    // Nothing listens on port 9 (discard): the call fails, but through net.fetch.
    const result = await engine.signIn({ relayUrl: 'http://127.0.0.1:9', username: 'alice', password: 'password1' });
    expect(result).toMatchObject({ ok: false, code: 'unreachable' });
    expect(double.calls).toContainEqual({ api: 'net.fetch', args: ['http://127.0.0.1:9/api/login'] });
    await engine.dispose();
  });
});

describe('the device name', () => {
  it('names the app and the operating system, as the user knows them', () => {
    expect(desktopDeviceName('linux')).toBe('Duplex on Linux');
    expect(desktopDeviceName('darwin')).toBe('Duplex on macOS');
    expect(desktopDeviceName('win32')).toBe('Duplex on Windows');
  });
});
