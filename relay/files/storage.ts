// Where finished files live: one small interface with two implementations,
// the data directory (disk-storage.ts, the default) and an S3-compatible
// bucket (s3-storage.ts). Both pass test/relay/file-storage-contract.ts.
// Keys are file ids the relay made (files/ids.ts), never client input, so an
// implementation may use them as file names or object keys as they are.
// Bodies are streams both ways: a 100 MiB file never sits in memory.
import type { Readable } from 'node:stream';
import type { ByteRange } from '../byte-ranges.ts';

export interface FileStorage {
  /**
   * Stores exactly `size` bytes read from `body` under `key`, replacing what
   * was there. Nothing is visible under `key` until the whole body is stored;
   * a body of another length rejects and stores nothing.
   */
  put(key: string, body: Readable, size: number): Promise<void>;
  /** The stored bytes (only `range` of them when given); rejects with FileMissingError when there are none. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The stored size, or undefined when nothing is stored under `key`. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Removes the bytes; removing a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections (S3's sockets); called once, at shutdown. */
  close(): void;
}

export class FileMissingError extends Error {
  override name = 'FileMissingError';
}

export class FileSizeMismatchError extends Error {
  override name = 'FileSizeMismatchError';
}
