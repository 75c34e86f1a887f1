// Unfinished uploads in the bucket (relay/files/s3-uploads.ts) against a real
// s3rver on loopback: PATCH bodies become parts, a body cut short keeps what
// arrived, one over the length keeps nothing, stray parts do not count,
// completing joins the parts in order with the right SHA-256 and removes
// them, and the sweep finds idle uploads. The relay-level behaviour (resume
// on another node) is test/relay/cluster-files.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { S3Storage } from '../../relay/files/s3-storage.ts';
import { S3Uploads } from '../../relay/files/s3-uploads.ts';
import { UploadTooLongError } from '../../relay/files/uploads.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';

let s3: TestS3;
let bucket: S3Storage;
let spoolDir: string;
let uploads: S3Uploads;
let ids = 0;

beforeAll(async () => {
  s3 = await startS3rver();
  bucket = new S3Storage(s3.settings);
  spoolDir = await mkdtemp(path.join(tmpdir(), 'duplex-s3-uploads-'));
  uploads = new S3Uploads(bucket, spoolDir);
});
afterAll(async () => {
  bucket.close();
  await s3.stop();
  await rm(spoolDir, { recursive: true, force: true });
});

const newId = () => `up${process.pid}x${++ids}`;
const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A body that brings `bytes` and fails once they reached the spool file, as a client that went away. */
function cutShort(id: string, offset: number, bytes: Buffer): PassThrough {
  const body = new PassThrough();
  body.write(bytes);
  const spooled = path.join(spoolDir, `${id}.${offset}`);
  void (async () => {
    while (((await stat(spooled).catch(() => undefined))?.size ?? 0) < bytes.length) await new Promise((resolve) => setTimeout(resolve, 5));
    body.destroy(new Error('client went away'));
  })();
  return body;
}

describe('S3Uploads', () => {
  test('PATCH bodies become parts; completing joins them in order, hashes them and removes them', async () => {
    const id = newId();
    const bytes = randomBytes(150_000);
    await uploads.create(id);
    expect(await uploads.offset(id)).toBe(0);
    let counted = 0;
    expect(await uploads.append(id, 0, Readable.from([bytes.subarray(0, 50_000)]), bytes.length, (n) => (counted += n))).toBe(50_000);
    expect(await uploads.append(id, 50_000, Readable.from([bytes.subarray(50_000)]), 100_000, (n) => (counted += n))).toBe(100_000);
    expect([await uploads.offset(id), counted]).toEqual([150_000, 150_000]);
    expect(await uploads.complete(id, bytes.length, bucket)).toBe(hex(bytes));
    const stored = await bucket.get(id);
    const chunks: Buffer[] = [];
    for await (const chunk of stored) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(await bucket.list(`uploads/${id}/`)).toEqual([]);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  test('a body cut short keeps what arrived; one over the length keeps nothing of itself', async () => {
    const id = newId();
    const bytes = randomBytes(40_000);
    await expect(uploads.append(id, 0, cutShort(id, 0, bytes.subarray(0, 10_000)), bytes.length, () => {})).rejects.toThrow('client went away');
    expect(await uploads.offset(id)).toBe(10_000);
    await expect(uploads.append(id, 10_000, Readable.from([randomBytes(30_001)]), 30_000, () => {})).rejects.toBeInstanceOf(UploadTooLongError);
    expect(await uploads.offset(id)).toBe(10_000);
    await uploads.append(id, 10_000, Readable.from([bytes.subarray(10_000)]), 30_000, () => {});
    expect(await uploads.complete(id, bytes.length, bucket)).toBe(hex(bytes));
  });

  test('a part that does not continue the chain is not counted, and remove() takes it too', async () => {
    const id = newId();
    await uploads.append(id, 0, Readable.from([randomBytes(1_000)]), 5_000, () => {});
    // Bytes at 3000 with nothing between 1000 and 3000.
    await bucket.put(`uploads/${id}/${'3000'.padStart(15, '0')}`, Readable.from([randomBytes(500)]), 500);
    expect(await uploads.offset(id)).toBe(1_000);
    await expect(uploads.complete(id, 5_000, bucket)).rejects.toThrow('holds 1000 of its 5000 bytes');
    await uploads.remove(id);
    expect(await bucket.list(`uploads/${id}/`)).toEqual([]);
    expect(await uploads.offset(id)).toBe(0);
  });

  test('idleSince names the uploads whose newest part is older than the time given', async () => {
    const id = newId();
    await uploads.append(id, 0, Readable.from([randomBytes(100)]), 100, () => {});
    expect(await uploads.idleSince(Date.now() - 60_000)).not.toContain(id);
    expect(await uploads.idleSince(Date.now() + 60_000)).toContain(id);
    await uploads.remove(id);
  });
});
