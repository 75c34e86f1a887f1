// The FileStorage contract: what both implementations (the data directory and
// an S3 bucket) must do, as a suite to run against a factory.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FileMissingError, type FileStorage } from '../../relay/files/storage.ts';

export interface StorageUnderTest {
  storage: FileStorage;
  dispose(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `count` chunks of 64 KiB made one at a time, as a stream, with their sha256. */
function generated(count: number): { stream: Readable; size: number; sha256: () => string } {
  const hash = createHash('sha256');
  let made = 0;
  const stream = new Readable({
    read() {
      if (made === count) return void this.push(null);
      made++;
      const chunk = randomBytes(64 * 1024);
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, size: count * 64 * 1024, sha256: () => hash.digest('hex') };
}

export function runFileStorageContract(name: string, create: () => Promise<StorageUnderTest>): void {
  describe(`FileStorage contract: ${name}`, () => {
    let subject: StorageUnderTest;
    let storage: FileStorage;
    beforeEach(async () => {
      subject = await create();
      storage = subject.storage;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test('puts, stats, gets and deletes', async () => {
      const bytes = Buffer.from('hello, files');
      await storage.put('a1', Readable.from([bytes]), bytes.length);
      expect(await storage.stat('a1')).toEqual({ size: bytes.length });
      expect(await readAll(await storage.get('a1'))).toEqual(bytes);
      await storage.delete('a1');
      expect(await storage.stat('a1')).toBeUndefined();
      await expect(storage.get('a1')).rejects.toBeInstanceOf(FileMissingError);
    });

    test('an unknown key: stat undefined, get FileMissingError, delete is no error', async () => {
      expect(await storage.stat('never')).toBeUndefined();
      await expect(storage.get('never')).rejects.toBeInstanceOf(FileMissingError);
      await storage.delete('never');
    });

    test('gets a byte range, both ends inclusive', async () => {
      const bytes = Buffer.from('0123456789');
      await storage.put('r', Readable.from([bytes]), bytes.length);
      expect((await readAll(await storage.get('r', { start: 2, end: 5 }))).toString()).toBe('2345');
      expect((await readAll(await storage.get('r', { start: 9, end: 9 }))).toString()).toBe('9');
    });

    test('streams a multi-megabyte body both ways intact', async () => {
      const body = generated(80);
      await storage.put('big', body.stream, body.size);
      const expected = body.sha256();
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await storage.get('big')) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      expect(size).toBe(body.size);
      expect(hash.digest('hex')).toBe(expected);
    });

    test('a body shorter or longer than declared stores nothing', async () => {
      await expect(storage.put('short', Readable.from([Buffer.from('abc')]), 5)).rejects.toThrow();
      expect(await storage.stat('short')).toBeUndefined();
      await expect(storage.put('long', Readable.from([Buffer.from('abcdef')]), 5)).rejects.toThrow();
      expect(await storage.stat('long')).toBeUndefined();
    });

    test('a put replaces what was stored', async () => {
      await storage.put('k', Readable.from([Buffer.from('first')]), 5);
      await storage.put('k', Readable.from([Buffer.from('second')]), 6);
      expect((await readAll(await storage.get('k'))).toString()).toBe('second');
    });
  });
}
