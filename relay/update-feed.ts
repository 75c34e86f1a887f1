// The desktop app's update feed (docs/relay.md, "Desktop app updates"): the
// files of the updates directory at `/updates/NAME`, as electron-builder
// writes them to dist/ (latest*.yml, installers, blockmaps) and as
// electron-updater's generic provider reads them: GET and HEAD, single and
// multiple byte ranges (differential downloads), ETag and Last-Modified
// validators, caching that lets the channel files be revalidated every time.
//
// Only plain files directly inside the directory are reachable: the name is
// one path segment (no `/`, `\`, NUL, `.`/`..`, nothing starting with a dot,
// which also hides `updates publish`'s temporary files), and the file is
// opened with O_NOFOLLOW and checked to be a regular file on the open
// descriptor, so that a symlink placed in the directory leads nowhere and
// nothing changes between the check and the read. No listing is served.
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, type ReadStream, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { UPDATES_PATH } from '../src/shared/protocol/index.ts';
import { type ByteRange, requestedRanges } from './byte-ranges.ts';
import { sendText } from './static-files.ts';

/** `/updates` itself (never listed) and everything below it. */
export function isFeedPath(pathname: string): boolean {
  return pathname === UPDATES_PATH.slice(0, -1) || pathname.startsWith(UPDATES_PATH);
}

/** electron-updater asks for at most 1000 ranges per request; more is no client of ours. */
const MAX_RANGES = 1000;

/** Channel files change with every release; everything else is published once under its name. */
const CHANNEL_FILE = /\.ya?ml$/i;

const CONTENT_TYPES: Record<string, string> = {
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.exe': 'application/vnd.microsoft.portable-executable',
  '.dmg': 'application/x-apple-diskimage',
  '.zip': 'application/zip',
  '.deb': 'application/vnd.debian.binary-package',
  '.rpm': 'application/x-rpm',
};

/** The file name a feed path names, or undefined when it names none we serve. */
function feedFileName(encodedPathname: string): string | undefined {
  if (!encodedPathname.startsWith(UPDATES_PATH)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(encodedPathname.slice(UPDATES_PATH.length));
  } catch {
    return undefined;
  }
  return isServableName(name) ? name : undefined;
}

/** One path segment, not hidden: what `updates publish` writes and nothing else. */
export function isServableName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !name.startsWith('.') && !/[/\\\0]/.test(name);
}

export async function serveUpdateFeed(
  updatesDir: string,
  encodedPathname: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const name = feedFileName(encodedPathname);
  if (name === undefined) return sendText(response, 404, 'not found\n');
  let file: FileHandle;
  try {
    file = await open(path.join(updatesDir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    // Missing, a symlink (ELOOP), unreadable: all the same to the client.
    return sendText(response, 404, 'not found\n');
  }
  let handedOver = false;
  try {
    const stats = await file.stat();
    if (!stats.isFile()) return sendText(response, 404, 'not found\n');
    handedOver = sendFile(file, stats, name, request, response);
  } finally {
    if (!handedOver) await file.close();
  }
}

/** Answers from the open file; true when a stream now owns (and will close) it. */
function sendFile(file: FileHandle, stats: Stats, name: string, request: IncomingMessage, response: ServerResponse): boolean {
  const etag = `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${Math.trunc(stats.mtimeMs).toString(36)}"`;
  const headers: Record<string, string | number> = {
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
    // A new release replaces the channel files: always revalidate them. An
    // installer or blockmap keeps its bytes under its name (`updates
    // publish` refuses to change them), so caches may keep it.
    'Cache-Control': CHANNEL_FILE.test(name) ? 'no-cache' : 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
  };
  if (matchesAny(request.headers['if-none-match'], etag)) {
    response.writeHead(304, headers);
    response.end();
    return false;
  }
  const contentType = CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
  const ranges = requestedRanges(request, stats.size, etag, MAX_RANGES);
  if (ranges === 'unsatisfiable') {
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${stats.size}`, 'Content-Length': 0 });
    response.end();
    return false;
  }
  const head = request.method === 'HEAD';
  if (ranges === 'whole') {
    response.writeHead(200, { ...headers, 'Content-Type': contentType, 'Content-Length': stats.size });
    return head ? endEmpty(response) : streamParts(file, [{ start: 0, end: stats.size - 1 }], response);
  }
  if (ranges.length === 1) {
    const [range] = ranges as [ByteRange];
    response.writeHead(206, {
      ...headers,
      'Content-Type': contentType,
      'Content-Range': `bytes ${range.start}-${range.end}/${stats.size}`,
      'Content-Length': range.end - range.start + 1,
    });
    return head ? endEmpty(response) : streamParts(file, [range], response);
  }
  const boundary = randomBytes(12).toString('hex');
  const parts = ranges.map((range) => ({
    ...range,
    header:
      `\r\n--${boundary}\r\nContent-Type: ${contentType}\r\n` +
      `Content-Range: bytes ${range.start}-${range.end}/${stats.size}\r\n\r\n`,
  }));
  const trailer = `\r\n--${boundary}--\r\n`;
  const length = parts.reduce((sum, part) => sum + Buffer.byteLength(part.header) + part.end - part.start + 1, 0) + trailer.length;
  response.writeHead(206, {
    ...headers,
    'Content-Type': `multipart/byteranges; boundary=${boundary}`,
    'Content-Length': length,
  });
  return head ? endEmpty(response) : streamParts(file, parts, response, trailer);
}

function matchesAny(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function endEmpty(response: ServerResponse): false {
  response.end();
  return false;
}

/** Streams each part (with its multipart header, if any) from the file, then closes it. */
function streamParts(
  file: FileHandle,
  parts: ReadonlyArray<ByteRange & { header?: string }>,
  response: ServerResponse,
  trailer?: string,
): true {
  let current: ReadStream | undefined;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    current?.destroy();
    void file.close().catch(() => {});
  };
  const next = (index: number): void => {
    const part = parts[index];
    if (part === undefined) {
      response.end(trailer);
      close();
      return;
    }
    if (part.header !== undefined) response.write(part.header);
    if (part.end < part.start) return next(index + 1);
    current = createReadStream('', { fd: file, start: part.start, end: part.end, autoClose: false })
      .on('error', () => {
        response.destroy();
        close();
      })
      .on('end', () => next(index + 1));
    current.pipe(response, { end: false });
  };
  // A client that goes away mid-download (or a finished one) frees the file.
  response.on('close', close);
  next(0);
  return true;
}
