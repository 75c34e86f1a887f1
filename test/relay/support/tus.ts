// A minimal tus 1.0.0 client for tests, over fetch: just the requests, so
// that tests can also send the wrong ones.
import { createHash } from 'node:crypto';
import { FILES_PATH } from '../../../src/shared/protocol/index.ts';

export const TUS = { 'Tus-Resumable': '1.0.0' };

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export function metadata(name: string, type: string): string {
  return `filename ${Buffer.from(name).toString('base64')},filetype ${Buffer.from(type).toString('base64')}`;
}

export async function createUpload(
  url: string,
  token: string,
  length: number,
  name = 'photo.jpg',
  type = 'image/jpeg',
): Promise<{ status: number; id: string; response: Response }> {
  const response = await fetch(`${url}${FILES_PATH}`, {
    method: 'POST',
    headers: { ...TUS, ...bearer(token), 'Upload-Length': String(length), 'Upload-Metadata': metadata(name, type) },
  });
  await response.arrayBuffer();
  const location = response.headers.get('location') ?? '';
  return { status: response.status, id: location.slice(FILES_PATH.length + 1), response };
}

/** A creation request carrying bytes (creation-with-upload); `headers` override the usual ones. */
export async function createWithUpload(
  url: string,
  token: string,
  length: number,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<{ status: number; id: string; response: Response }> {
  const response = await fetch(`${url}${FILES_PATH}`, {
    method: 'POST',
    headers: {
      ...TUS,
      ...bearer(token),
      'Upload-Length': String(length),
      'Upload-Metadata': metadata('note.txt', 'text/plain'),
      'Content-Type': 'application/offset+octet-stream',
      ...headers,
    },
    body,
    duplex: 'half',
  } as RequestInit);
  await response.arrayBuffer();
  const location = response.headers.get('location') ?? '';
  return { status: response.status, id: location.slice(FILES_PATH.length + 1), response };
}

export async function patch(url: string, token: string, id: string, offset: number, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  const response = await fetch(`${url}${FILES_PATH}/${id}`, {
    method: 'PATCH',
    headers: { ...TUS, ...bearer(token), 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body,
  });
  await response.arrayBuffer();
  return response;
}

export async function head(url: string, token: string, id: string): Promise<Response> {
  return fetch(`${url}${FILES_PATH}/${id}`, { method: 'HEAD', headers: { ...TUS, ...bearer(token) } });
}

/** Creates and completes an upload of `bytes`; its id. */
export async function uploadFile(url: string, token: string, bytes: Uint8Array<ArrayBuffer>, name?: string, type?: string): Promise<string> {
  const created = await createUpload(url, token, bytes.length, name, type);
  if (created.status !== 201) throw new Error(`create: ${created.status}`);
  if (bytes.length > 0) {
    const response = await patch(url, token, created.id, 0, bytes);
    if (response.status !== 204) throw new Error(`patch: ${response.status}`);
  }
  return created.id;
}

export async function download(
  url: string,
  token: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<{ response: Response; body: Buffer }> {
  const response = await fetch(`${url}${FILES_PATH}/${id}`, { headers: { ...bearer(token), ...headers } });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
