// Both file storages against one contract: the data directory, and S3 against
// a real s3rver on loopback. Plus what only the directory does: private modes.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DiskStorage } from '../../relay/files/disk-storage.ts';
import { S3Storage } from '../../relay/files/s3-storage.ts';
import { runFileStorageContract } from './file-storage-contract.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';

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
    },
    dispose: async () => storage.close(),
  };
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
