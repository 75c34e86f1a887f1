// Both file storages against one contract: the data directory, and S3 against
// a real s3rver on loopback; a relay that keeps its files in S3. Plus what
// only the directory does: private modes.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DiskStorage } from '../../relay/files/disk-storage.ts';
import { S3Storage } from '../../relay/files/s3-storage.ts';
import { runFileStorageContract } from './file-storage-contract.ts';
import { register } from './support/client.ts';
import { startTestRelay } from './support/relay.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';
import { createWithUpload, download, sha256, uploadFile } from './support/tus.ts';

runFileStorageContract('data directory', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'duplex-disk-storage-'));
  return {
    storage: new DiskStorage(path.join(dir, 'files')),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3.stop();
});

let s3Keys = 0;
runFileStorageContract('S3 (s3rver)', async () => {
  const storage = new S3Storage(s3.settings);
  // One bucket for every test: each test's keys get their own prefix.
  const prefix = `t${++s3Keys}-`;
  return {
    storage: {
      put: (key, body, size) => storage.put(prefix + key, body, size),
      get: (key, range) => storage.get(prefix + key, range),
      stat: (key) => storage.stat(prefix + key),
      delete: (key) => storage.delete(prefix + key),
      close: () => storage.close(),
    },
    dispose: async () => storage.close(),
  };
});

test('a relay with --s3-bucket keeps finished files in the bucket, nothing in DATA/files', async () => {
  const relay = await startTestRelay({ s3: s3.settings });
  try {
    const { token } = await register(relay.url);
    const bytes = randomBytes(200 * 1024);
    const id = await uploadFile(relay.url, token, bytes, 'scan.pdf', 'application/pdf');
    const stored = new S3Storage(s3.settings);
    expect(await stored.stat(id)).toEqual({ size: bytes.length });
    stored.close();
    expect(await readdir(path.join(relay.dataDir, 'uploads'))).toEqual([]);
    const { response, body } = await download(relay.url, token, id, { Range: 'bytes=100-199' });
    expect(response.status).toBe(206);
    expect(body).toEqual(bytes.subarray(100, 200));
    expect(sha256((await download(relay.url, token, id)).body)).toBe(sha256(bytes));
    // The whole upload with its creation request (creation-with-upload) lands in the bucket the same way.
    const whole = await createWithUpload(relay.url, token, bytes.length, bytes);
    expect([whole.status, whole.response.headers.get('upload-offset')]).toEqual([201, String(bytes.length)]);
    const again = new S3Storage(s3.settings);
    expect(await again.stat(whole.id)).toEqual({ size: bytes.length });
    again.close();
    expect(await readdir(path.join(relay.dataDir, 'uploads'))).toEqual([]);
    expect(await readdir(path.join(relay.dataDir, 'files')).catch(() => [])).toEqual([]);
    expect(sha256((await download(relay.url, token, whole.id)).body)).toBe(sha256(bytes));
  } finally {
    await relay.stop();
  }
});

test('the data directory is 0700 and its files 0600, whatever the umask', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'duplex-disk-storage-'));
  const previous = process.umask(0o022);
  try {
    const storage = new DiskStorage(path.join(dir, 'files'));
    await storage.put('f', Readable.from([Buffer.from('x')]), 1);
    expect((await stat(path.join(dir, 'files'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'files', 'f'))).mode & 0o777).toBe(0o600);
    expect(await readdir(path.join(dir, 'files'))).toEqual(['f']);
  } finally {
    process.umask(previous);
    await rm(dir, { recursive: true, force: true });
  }
});
