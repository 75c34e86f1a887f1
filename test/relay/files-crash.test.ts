// An upload survives a crash: the relay (a real child process) is killed with
// SIGKILL in the middle of a PATCH; after a restart HEAD tells how far the
// bytes got, a PATCH from there completes the upload, and the content's
// SHA-256 is that of the original.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { FILES_PATH } from '../../src/shared/protocol/index.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import { register } from './support/client.ts';
import { createUpload, download, head, patch, sha256, TUS } from './support/tus.ts';

let relay: RelayProcess | undefined;
afterEach(async () => {
  await relay?.cleanup();
  relay = undefined;
});

test('kill -9 in the middle of a PATCH, restart, HEAD, PATCH the rest: the content is intact', async () => {
  relay = await RelayProcess.start();
  const { token } = await register(relay.url);
  const bytes = randomBytes(4 * 1024 * 1024);
  const { id } = await createUpload(relay.url, token, bytes.length, 'video.mp4', 'video/mp4');

  // A PATCH whose body stops after its first megabyte, as if the network stalled.
  const url = new URL(`${relay.url}${FILES_PATH}/${id}`);
  const stalled = request(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      Authorization: `Bearer ${token}`,
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(bytes.length),
    },
  });
  stalled.on('error', () => {});
  stalled.write(bytes.subarray(0, 1024 * 1024));
  await expect
    .poll(async () => Number((await head(relay!.url, token, id)).headers.get('upload-offset')), { timeout: 10_000 })
    .toBe(1024 * 1024);

  expect((await relay.stop('SIGKILL')).signal).toBe('SIGKILL');
  stalled.destroy();
  await relay.restart();

  const probe = await head(relay.url, token, id);
  expect(probe.status).toBe(200);
  const offset = Number(probe.headers.get('upload-offset'));
  expect(offset).toBe(1024 * 1024);
  const rest = await patch(relay.url, token, id, offset, bytes.subarray(offset));
  expect([rest.status, rest.headers.get('upload-offset')]).toEqual([204, String(bytes.length)]);
  const { response, body } = await download(relay.url, token, id);
  expect(response.status).toBe(200);
  expect(sha256(body)).toBe(sha256(bytes));
  // The recorded hash (the ETag) was recomputed from the file after the restart.
  expect(response.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
}, 30_000);
