// Serving the built web client (GET and HEAD). Paths without a file
// extension that match no file get index.html, so that the client's own routes
// survive a reload. The web root is looked up on every request, so building
// the client while the relay runs needs no restart; until it exists, `/`
// says so in plain text.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { requestPath } from './request-path.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

const WEB_CLIENT_NOT_BUILT =
  'Duplex relay is running, but the web client is not built (run `npm run build`, or pass --web-root).\n';

export async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const pathname = decodedPathname(request.url);
  if (pathname === undefined) return sendText(response, 400, 'bad path\n');
  if (!(await isDirectory(root))) {
    if (pathname === '/') return sendText(response, 200, WEB_CLIENT_NOT_BUILT);
    return sendText(response, 404, 'not found\n');
  }
  const file = await resolveFile(root, pathname);
  if (!file) return sendText(response, 404, 'not found\n');
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': file.size,
    // Vite's hashed bundles never change; everything else (index.html, the
    // service worker) must be revalidated so that updates reach clients.
    'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    // The page holds the session token and acts on clicks (send, leave):
    // no other site may frame it. A <meta> CSP cannot say this, so the
    // header does (frame-ancestors, and X-Frame-Options for older browsers).
    'Content-Security-Policy': "frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file.path)
    .on('error', () => response.destroy())
    .pipe(response);
}

async function resolveFile(root: string, pathname: string): Promise<{ path: string; size: number } | undefined> {
  const candidate = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
  // path.join normalises `..`; anything that ends up outside the root is refused.
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return undefined;
  const found = await fileSize(candidate);
  if (found !== undefined) return { path: candidate, size: found };
  if (path.extname(pathname) !== '') return undefined;
  const index = path.join(root, 'index.html');
  const indexSize = await fileSize(index);
  return indexSize === undefined ? undefined : { path: index, size: indexSize };
}

function decodedPathname(url: string | undefined): string | undefined {
  const encoded = requestPath(url);
  if (encoded === undefined) return undefined;
  try {
    const pathname = decodeURIComponent(encoded);
    return pathname.includes('\0') ? undefined : pathname;
  } catch {
    return undefined;
  }
}

async function isDirectory(candidate: string): Promise<boolean> {
  return (await stat(candidate).catch(() => undefined))?.isDirectory() ?? false;
}

async function fileSize(candidate: string): Promise<number | undefined> {
  const stats = await stat(candidate).catch(() => undefined);
  return stats?.isFile() ? stats.size : undefined;
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
