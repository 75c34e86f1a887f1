// Files across the nodes of a cluster: two relay processes on one PostgreSQL
// database of this file's own and one S3 bucket (a real s3rver on loopback).
// A file uploaded through one node downloads through the other; a tus upload
// started on a node killed with SIGKILL in the middle of a PATCH resumes on
// the other node (HEAD, then PATCH from the offset it answers) and completes
// with the right SHA-256, leaving no staged parts behind. docs/files.md#several-nodes.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { S3Storage } from '../../relay/files/s3-storage.ts';
import { FILES_PATH } from '../../src/shared/protocol/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import { register } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';
import { bearer, createUpload, download, head, patch, sha256, TUS, uploadFile } from './support/tus.ts';

const SLOW = 30_000;

let database: TestDatabase;
let s3: TestS3;
let nodes: [RelayProcess, RelayProcess];

beforeAll(async () => {
  [database, s3] = await Promise.all([createTestDatabase(), startS3rver()]);
  const args = [
    '--database-url', database.url,
    '--s3-bucket', s3.settings.bucket,
    '--s3-endpoint', s3.settings.endpoint ?? '',
    '--no-rate-limits',
  ];
  nodes = (await Promise.all([0, 1].map(() => RelayProcess.start({ args, startTimeoutMs: SLOW })))) as [RelayProcess, RelayProcess];
}, 60_000);

afterAll(async () => {
  await Promise.allSettled((nodes ?? []).map((node) => node.cleanup()));
  await s3?.stop();
  await database?.drop();
}, 60_000);

/** Starts a PATCH at `offset`, writes `bytes` of its body and leaves the request open; resolves once the node has the request. */
function openPatch(url: string, token: string, id: string, offset: number, length: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const patching = request(`${url}${FILES_PATH}/${id}`, {
      method: 'PATCH',
      headers: {
        ...TUS,
        ...bearer(token),
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(length),
      },
    });
    patching.on('error', () => {});
    patching.write(bytes, () => resolve());
  });
}

describe('files in a cluster with an S3 bucket', () => {
  test('a file uploaded through one node downloads through the other', async () => {
    const [a, b] = nodes;
    const { alice, bob, a: aliceSocket, b: bobSocket, conv } = await directPair(a);
    const bytes = randomBytes(300_000);
    const id = await uploadFile(a.url, alice.token, bytes, 'plan.pdf', 'application/pdf');
    expect(await aliceSocket.sendMessage(conv, 'the plan', { file: { id } })).toMatchObject({ t: 'ack' });
    const { response, body } = await download(b.url, bob.token, id);
    expect([response.status, sha256(body)]).toEqual([200, sha256(bytes)]);
    const ranged = await download(b.url, bob.token, id, { Range: 'bytes=1000-1999' });
    expect([ranged.response.status, ranged.body.equals(bytes.subarray(1000, 2000))]).toEqual([206, true]);
    await Promise.all([aliceSocket.close(), bobSocket.close()]);
  });

  test('a tus upload whose node is killed mid-PATCH resumes on another node from the offset stored, to the right SHA-256', async () => {
    const [a, b] = nodes;
    const alice = await register(b.url);
    const bytes = randomBytes(600_000);
    const firstEnd = 200_000;
    const created = await createUpload(a.url, alice.token, bytes.length, 'video.mp4', 'video/mp4');
    expect(created.status).toBe(201);
    expect((await patch(a.url, alice.token, created.id, 0, bytes.subarray(0, firstEnd))).status).toBe(204);

    // The second PATCH is under way on node a when it dies: half its body sent.
    await openPatch(a.url, alice.token, created.id, firstEnd, bytes.length - firstEnd, bytes.subarray(firstEnd, 400_000));
    expect((await a.stop('SIGKILL')).signal).toBe('SIGKILL');

    const resumed = await head(b.url, alice.token, created.id);
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('upload-offset')).toBe(String(firstEnd));
    expect(resumed.headers.get('upload-length')).toBe(String(bytes.length));
    // A PATCH from anywhere else than the stored offset is refused.
    expect((await patch(b.url, alice.token, created.id, 400_000, bytes.subarray(400_000))).status).toBe(409);
    const finished = await patch(b.url, alice.token, created.id, firstEnd, bytes.subarray(firstEnd));
    expect([finished.status, finished.headers.get('upload-offset')]).toEqual([204, String(bytes.length)]);

    const { response, body } = await download(b.url, alice.token, created.id);
    expect([response.status, sha256(body)]).toEqual([200, sha256(bytes)]);
    expect(await database.query('SELECT sha256 FROM files WHERE id = $1', [created.id])).toEqual([{ sha256: sha256(bytes) }]);
    const bucket = new S3Storage(s3.settings);
    try {
      expect(await bucket.list(`uploads/${created.id}/`)).toEqual([]);
      expect((await bucket.stat(created.id))?.size).toBe(bytes.length);
    } finally {
      bucket.close();
    }
    await a.restart();
    expect(sha256((await download(a.url, alice.token, created.id)).body)).toBe(sha256(bytes));
  }, 60_000);
});
