// Serves the built UI (out/renderer) on app://duplex/, each response with
// the Content-Security-Policy header. A custom scheme rather than file://:
// file pages share the opaque origin of every local file, which makes the
// CSP's 'self' and the IPC sender check meaningless; and Electron's
// webRequest cannot add headers to custom-scheme responses, so the handler
// adds them itself.
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-location.ts';

/** Registered before the app is ready: a standard, secure scheme gets an
 * origin, relative URLs, ES modules and fetch like https. */
export const APP_SCHEME_REGISTRATION: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

// Module scripts are refused unless served as JavaScript, so types are set
// here rather than sniffed.
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** The file under `rendererDir` that `url` names, or null when the URL is
 * not the app's or would leave that folder. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  const parsed = URL.parse(url);
  if (parsed === null || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  const file = resolve(rendererDir, `.${path === '/' ? '/index.html' : path}`);
  const inside = relative(rendererDir, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : file;
}

export function createAppProtocolHandler(options: {
  rendererDir: string;
  contentSecurityPolicy: string;
}): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = resolveAppFile(options.rendererDir, request.url);
    if (file === null) return new Response('Not found', { status: 404 });
    let body: Buffer<ArrayBuffer>;
    try {
      body = await readFile(file);
    } catch {
      return new Response('Not found', { status: 404 });
    }
    return new Response(body, {
      headers: {
        'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': options.contentSecurityPolicy,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  };
}
