// What the page may load and be: the app:// scheme that serves the built UI
// with its Content-Security-Policy, the session's CSP header and refused
// permissions, and the one definition of "the app's own page".
//
// Electron is mocked (test/main/electron-double): its binary cannot run on
// these machines, so the session here is the double's.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { session } from 'electron';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { appLocation, isWebUrl } from '../../src/main/app-location.ts';
import { createAppProtocolHandler, resolveAppFile } from '../../src/main/app-protocol.ts';
import { contentSecurityPolicy } from '../../src/main/content-security-policy.ts';
import { hardenSession } from '../../src/main/session-security.ts';
import * as double from './electron-double/electron.ts';

vi.mock('electron', () => import('./electron-double/electron.ts'));

beforeEach(() => double.resetElectronDouble());

describe('the app location', () => {
  it('serves production from app://duplex and accepts only that', () => {
    const location = appLocation(undefined);
    expect(location.entryUrl).toBe('app://duplex/index.html');
    expect(location.isAppUrl('app://duplex/index.html')).toBe(true);
    expect(location.isAppUrl('app://duplex/assets/x.js?y#z')).toBe(true);
    for (const url of ['app://other/index.html', 'file:///index.html', 'https://duplex/', 'not a url', '']) {
      expect(location.isAppUrl(url), url).toBe(false);
    }
  });

  it('serves development from the dev server and accepts only its origin', () => {
    const location = appLocation('http://localhost:5173/');
    expect(location.entryUrl).toBe('http://localhost:5173/');
    expect(location.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(location.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(location.isAppUrl('https://localhost:5173/')).toBe(false);
  });

  it('counts only http(s) as links for the browser', () => {
    expect(isWebUrl('https://example.com')).toBe(true);
    expect(isWebUrl('http://example.com')).toBe(true);
    expect(isWebUrl('file:///x')).toBe(false);
    expect(isWebUrl('mailto:a@b')).toBe(false);
    expect(isWebUrl('nonsense')).toBe(false);
  });
});

describe('the Content-Security-Policy', () => {
  it('allows nothing but the app itself in production', () => {
    const policy = contentSecurityPolicy({ dev: false });
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('allows the dev server inline preamble only in development', () => {
    expect(contentSecurityPolicy({ dev: true })).toContain("script-src 'self' 'unsafe-inline'");
  });
});

describe('the app:// scheme', () => {
  let rendererDir: string;

  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'duplex-renderer-'));
    rendererDir = join(root, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Duplex</title>');
    writeFileSync(join(rendererDir, 'assets', 'index-1.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'secret');
  });

  it('maps app URLs into the renderer folder and nothing outside it', () => {
    expect(resolveAppFile(rendererDir, 'app://duplex/')).toBe(join(rendererDir, 'index.html'));
    expect(resolveAppFile(rendererDir, 'app://duplex/assets/index-1.js')).toBe(join(rendererDir, 'assets', 'index-1.js'));
    // The URL parser already folds dot segments into the root.
    expect(resolveAppFile(rendererDir, 'app://duplex/../secret.txt')).toBe(join(rendererDir, 'secret.txt'));
    expect(resolveAppFile(rendererDir, 'app://duplex/%2e%2e/secret.txt')).toBe(join(rendererDir, 'secret.txt'));
    for (const url of [
      // Encoded slashes survive the parser, and are caught after decoding.
      'app://duplex/assets/..%2f..%2fsecret.txt',
      'app://duplex/..%2F..%2F..%2Fetc%2Fpasswd',
      'app://duplex/%E0%A4%A',
      'app://other/index.html',
      'https://duplex/index.html',
    ]) {
      expect(resolveAppFile(rendererDir, url), url).toBeNull();
    }
  });

  it('serves files with their type, the CSP and nosniff', async () => {
    const handler = createAppProtocolHandler({ rendererDir, contentSecurityPolicy: 'default-src x' });
    const page = await handler(new Request('app://duplex/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe('default-src x');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Duplex</title>');

    const script = await handler(new Request('app://duplex/assets/index-1.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for missing files, folders and escapes', async () => {
    const handler = createAppProtocolHandler({ rendererDir, contentSecurityPolicy: 'x' });
    for (const url of ['app://duplex/missing.js', 'app://duplex/assets/', 'app://duplex/assets/..%2f..%2fsecret.txt']) {
      expect((await handler(new Request(url))).status, url).toBe(404);
    }
  });
});

describe('the session', () => {
  const isAppUrl = (url: string) => url.startsWith('app://duplex/') || url === 'app://duplex';

  it('puts the CSP on every http(s) response, replacing any the server sent', () => {
    hardenSession(session.defaultSession, 'default-src self', isAppUrl);
    const listener = double.session.defaultSession.headersListener;
    const callback = vi.fn();
    listener?.(
      { responseHeaders: { 'content-type': ['text/html'], 'content-security-policy': ['default-src *'] } },
      callback,
    );
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'content-type': ['text/html'], 'Content-Security-Policy': ['default-src self'] },
    });
  });

  // Electron is the test double here (vi.mock('electron')): the handlers are
  // called as Electron calls them, with its argument shapes.
  it('grants the app’s own page the microphone for voice notes, and nothing else', () => {
    hardenSession(session.defaultSession, 'x', isAppUrl);
    const request = (permission: string, details: object) => {
      const answer = vi.fn();
      double.session.defaultSession.permissionRequestHandler?.({}, permission, answer, details);
      return answer.mock.calls[0]?.[0] as boolean;
    };
    const check = (permission: string, origin: string, details: object) =>
      double.session.defaultSession.permissionCheckHandler?.({}, permission, origin, details);

    expect(request('media', { mediaTypes: ['audio'], requestingUrl: 'app://duplex/index.html' })).toBe(true);
    expect(check('media', 'app://duplex', { mediaType: 'audio' })).toBe(true);
    // Not the camera, not both, not an empty ask.
    expect(request('media', { mediaTypes: ['video'], requestingUrl: 'app://duplex/index.html' })).toBe(false);
    expect(request('media', { mediaTypes: ['audio', 'video'], requestingUrl: 'app://duplex/index.html' })).toBe(false);
    expect(request('media', { mediaTypes: [], requestingUrl: 'app://duplex/index.html' })).toBe(false);
    expect(check('media', 'app://duplex', { mediaType: 'video' })).toBe(false);
    // Not for any other origin (a page the app was tricked into loading).
    expect(request('media', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(check('media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
    // No other permission at all.
    for (const permission of ['notifications', 'geolocation', 'display-capture', 'clipboard-read', 'openExternal']) {
      expect(request(permission, { requestingUrl: 'app://duplex/index.html' })).toBe(false);
      expect(check(permission, 'app://duplex', {})).toBe(false);
    }
  });
});
