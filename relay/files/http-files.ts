// The files endpoint on the wire (PROTOCOL.md, "Files"; docs/files.md):
// tus 1.0.0 core with the creation, creation-with-upload and termination
// extensions at /api/files, and downloads with GET /api/files/FILE_ID. Every
// request needs `Authorization: Bearer TOKEN`; every response carries `Tus-Resumable`,
// `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`.
// The few headers tus defines are checked here; what they mean for the
// upload is FileService's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { FILES_PATH } from '../../src/shared/protocol/index.ts';
import { requestedRanges } from '../byte-ranges.ts';
import { HttpError } from '../http-error.ts';
import { contentDisposition } from './content-policy.ts';
import { isFileId } from './ids.ts';
import { parseUploadMetadata, UNKNOWN_TYPE } from './metadata.ts';
import type { FileService, UploadBody } from './service.ts';

const TUS_VERSION = '1.0.0';
const TUS_EXTENSIONS = 'creation,creation-with-upload,termination';
/** The type of upload bytes, in a PATCH or a creation request. */
const UPLOAD_CONTENT_TYPE = 'application/offset+octet-stream';
const ALLOWED_ON_COLLECTION = 'POST, OPTIONS';
const ALLOWED_ON_FILE = 'GET, HEAD, PATCH, DELETE, OPTIONS';
const DIGITS = /^\d{1,16}$/;

export function isFilesPath(pathname: string): boolean {
  return pathname === FILES_PATH || pathname.startsWith(`${FILES_PATH}/`);
}

export async function handleFileRequest(
  files: FileService,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
): Promise<void> {
  response.setHeader('Tus-Resumable', TUS_VERSION);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Content-Security-Policy', 'sandbox');
  response.setHeader('Cache-Control', 'no-store');
  try {
    await route(files, request, response, pathname);
  } catch (error) {
    // An answer given before the body was read: the connection closes rather
    // than reading (up to a hundred megabytes of) a body nobody wants.
    if (error instanceof HttpError && !request.complete) error.headers.Connection = 'close';
    throw error;
  }
}

async function route(files: FileService, request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
  const method = request.method ?? '';
  const rest = pathname.slice(FILES_PATH.length);
  if (rest === '' || rest === '/') {
    const user = await files.authenticate(request.headers.authorization);
    if (method === 'OPTIONS') return options(files, response);
    if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `use ${ALLOWED_ON_COLLECTION}`, { Allow: ALLOWED_ON_COLLECTION });
    requireTusVersion(request);
    const length = parseLength(header(request, 'upload-length'));
    if (length === undefined) throw new HttpError(400, 'invalid', 'Upload-Length must be given, a non-negative integer (deferred lengths are not supported)');
    const metadata = parseUploadMetadata(header(request, 'upload-metadata'));
    if (!metadata.ok) throw new HttpError(400, 'invalid', metadata.message);
    const { id, offset } = await files.create(user, length, metadata.metadata, creationBody(request, length));
    response.writeHead(201, { Location: `${FILES_PATH}/${id}`, 'Upload-Offset': String(offset) });
    response.end();
    return;
  }
  const id = rest.slice(1);
  // Anything but an id (a slash, dots, an encoded path) is no file of ours.
  if (!isFileId(id)) throw new HttpError(404, 'not_found', 'no such file');
  const user = await files.authenticate(request.headers.authorization);
  switch (method) {
    case 'OPTIONS':
      return options(files, response);
    case 'HEAD': {
      requireTusVersion(request);
      const { record, offset } = await files.upload(user, id);
      response.writeHead(200, { 'Upload-Offset': String(offset), 'Upload-Length': String(record.size) });
      response.end();
      return;
    }
    case 'PATCH': {
      requireTusVersion(request);
      requireUploadContentType(request);
      const offset = parseLength(header(request, 'upload-offset'));
      if (offset === undefined) throw new HttpError(400, 'invalid', 'Upload-Offset must be a non-negative integer');
      const reached = await files.append(user, id, offset, request);
      response.writeHead(204, { 'Upload-Offset': String(reached) });
      response.end();
      return;
    }
    case 'DELETE':
      requireTusVersion(request);
      await files.terminate(user, id);
      response.writeHead(204);
      response.end();
      return;
    case 'GET':
      return download(files, request, response, await files.readable(user, id));
    default:
      throw new HttpError(405, 'method_not_allowed', `use ${ALLOWED_ON_FILE}`, { Allow: ALLOWED_ON_FILE });
  }
}

function options(files: FileService, response: ServerResponse): void {
  response.writeHead(204, {
    'Tus-Version': TUS_VERSION,
    'Tus-Extension': TUS_EXTENSIONS,
    'Tus-Max-Size': String(files.maxFileBytes),
  });
  response.end();
}

async function download(
  files: FileService,
  request: IncomingMessage,
  response: ServerResponse,
  record: Awaited<ReturnType<FileService['readable']>>,
): Promise<void> {
  const etag = `"${record.sha256}"`;
  const headers: Record<string, string> = {
    'Content-Type': record.mime || UNKNOWN_TYPE,
    'Content-Disposition': contentDisposition(record.mime, record.name),
    ETag: etag,
    'Accept-Ranges': 'bytes',
    // Private: only some users may read it; revalidated, since who may can change.
    'Cache-Control': 'private, no-cache',
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  // One range at most: several would need a multipart answer, and HTTP lets
  // a server send the whole file instead.
  const ranges = requestedRanges(request, record.size, etag, 1);
  if (ranges === 'unsatisfiable') {
    throw new HttpError(416, 'invalid', 'the range is outside the file', { 'Content-Range': `bytes */${record.size}` });
  }
  const range = ranges === 'whole' ? undefined : ranges[0];
  const body = await files.open(record, range);
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${record.size}`;
    headers['Content-Length'] = String(range.end - range.start + 1);
  } else {
    headers['Content-Length'] = String(record.size);
  }
  response.writeHead(range ? 206 : 200, headers);
  // A client that goes away, or a storage that fails midway, ends both
  // streams; the status line is out by then, so there is nothing to answer.
  await pipeline(body, response).catch(() => {});
}

/**
 * The bytes of a creation request (creation-with-upload), undefined when it
 * has none. Its Content-Type must be that of a PATCH, and more bytes than
 * Upload-Length are refused before any is read.
 */
function creationBody(request: IncomingMessage, length: number): UploadBody | undefined {
  const chunked = request.headers['transfer-encoding'] !== undefined;
  // Node's parser has checked Content-Length: digits only, one value.
  const declared = request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']);
  if (!chunked && !declared) return undefined;
  requireUploadContentType(request);
  if (declared !== undefined && declared > length) {
    throw new HttpError(413, 'payload_too_large', `the body (${declared} bytes) is longer than Upload-Length (${length})`);
  }
  return { stream: request, length: chunked ? undefined : declared };
}

function requireUploadContentType(request: IncomingMessage): void {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== UPLOAD_CONTENT_TYPE) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be ${UPLOAD_CONTENT_TYPE}`);
  }
}

function requireTusVersion(request: IncomingMessage): void {
  if (request.headers['tus-resumable'] !== TUS_VERSION) {
    throw new HttpError(412, 'precondition_failed', `Tus-Resumable must be ${TUS_VERSION}`, { 'Tus-Version': TUS_VERSION });
  }
}

/** A custom header's value; a repeated one counts as absent (Node joins those into an array). */
function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function parseLength(header: string | undefined): number | undefined {
  return header !== undefined && DIGITS.test(header) ? Number(header) : undefined;
}
