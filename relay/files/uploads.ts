// Unfinished uploads: one file each in `DATA/uploads` (0700; files 0600),
// named by the upload's id, holding the bytes received so far. Its size is
// the tus offset, so the offset survives a crash or a `kill -9` exactly as
// far as the bytes reached the file: HEAD then tells the client where to
// resume. A finished upload moves to the FileStorage (service.ts).
//
// The SHA-256 of the content is computed while the bytes arrive; the running
// hash lives in memory only, so after a restart (or an interrupted PATCH) it
// is recomputed from the file when the upload finishes.
//
// This is one node's area. In a cluster with an S3 bucket, unfinished uploads
// live in the bucket instead (s3-uploads.ts), so that any node resumes them.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DiskStorage, ensurePrivateDir, PRIVATE_FILE_MODE } from './disk-storage.ts';
import type { FileStorage } from './storage.ts';

export class UploadTooLongError extends Error {
  override name = 'UploadTooLongError';
}

/** Where unfinished uploads are kept, and how a finished one reaches the FileStorage (docs/files.md). */
export interface Uploads {
  /** Makes an empty upload. */
  create(id: string): Promise<void>;
  /** Bytes received so far; undefined when there is no such upload. */
  offset(id: string): Promise<number | undefined>;
  /**
   * Appends `body` at `offset` (the current offset), up to `limit` bytes. More
   * than that rejects with UploadTooLongError and keeps nothing of this body;
   * any other failure (the client went away) keeps what arrived, for resuming.
   * Returns the number of bytes appended.
   */
  append(id: string, offset: number, body: Readable, limit: number, onBytes: (count: number) => void): Promise<number>;
  /** Moves a complete upload of `size` bytes into `storage` under its id; the content's hex SHA-256. */
  complete(id: string, size: number, storage: FileStorage): Promise<string>;
  /**
   * Receives a whole upload of `size` bytes in one body (a creation request
   * that carries every byte) and puts it into `storage` under `id`; the
   * content's hex SHA-256. Fewer or more bytes than `size` (UploadTooLongError),
   * or any other failure, leave nothing.
   */
  receive(id: string, body: Readable, size: number, storage: FileStorage, onBytes: (count: number) => void): Promise<string>;
  /** Ids of the uploads last written before `before` (ms since the epoch). */
  idleSince(before: number): Promise<string[]>;
  remove(id: string): Promise<void>;
}

/** Counts the bytes passing, up to a limit (UploadTooLongError past it), and hashes them when given a hash. */
class ByteCounter extends Transform {
  received = 0;
  readonly #limit: number;
  readonly #hash: Hash | undefined;
  readonly #onBytes: (count: number) => void;

  constructor(limit: number, hash: Hash | undefined, onBytes: (count: number) => void) {
    super();
    this.#limit = limit;
    this.#hash = hash;
    this.#onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.#limit) return callback(new UploadTooLongError(`more than the ${this.#limit} bytes left of Upload-Length`));
    this.#hash?.update(chunk);
    this.#onBytes(chunk.length);
    callback(null, chunk);
  }
}

export class UploadArea implements Uploads {
  readonly #dir: string;
  /** Running hashes, by upload id, with the offset they have seen up to. */
  readonly #hashes = new Map<string, { hash: Hash; offset: number }>();

  constructor(dir: string) {
    this.#dir = ensurePrivateDir(dir);
  }

  path(id: string): string {
    return path.join(this.#dir, id);
  }

  async create(id: string): Promise<void> {
    const handle = await open(this.path(id), 'wx', PRIVATE_FILE_MODE);
    await handle.close();
    this.#hashes.set(id, { hash: createHash('sha256'), offset: 0 });
  }

  /** Bytes received so far; undefined when there is no such upload. */
  async offset(id: string): Promise<number | undefined> {
    const found = await stat(this.path(id)).catch(() => undefined);
    return found?.size;
  }

  /** Appends at `offset`, the file's size (Uploads.append). */
  async append(id: string, offset: number, body: Readable, limit: number, onBytes: (count: number) => void): Promise<number> {
    const running = this.#hashes.get(id);
    const hash = running?.offset === offset ? running.hash : undefined;
    this.#hashes.delete(id);
    const counter = new ByteCounter(limit, hash, onBytes);
    try {
      await pipeline(body, counter, createWriteStream(this.path(id), { flags: 'r+', start: offset }));
    } catch (error) {
      if (error instanceof UploadTooLongError) await truncate(this.path(id), offset);
      throw error;
    }
    if (hash) this.#hashes.set(id, { hash, offset: offset + counter.received });
    return counter.received;
  }

  /** The content's hex SHA-256: the running hash when it saw every byte, else read from the file. */
  async sha256(id: string, size: number): Promise<string> {
    const running = this.#hashes.get(id);
    this.#hashes.delete(id);
    if (running?.offset === size) return running.hash.digest('hex');
    const hash = createHash('sha256');
    await pipeline(createReadStream(this.path(id)), hash);
    return hash.digest('hex');
  }

  async complete(id: string, size: number, storage: FileStorage): Promise<string> {
    const sha256 = await this.sha256(id, size);
    if (storage instanceof DiskStorage) {
      await storage.adopt(id, this.path(id));
    } else {
      await storage.put(id, createReadStream(this.path(id)), size);
      await this.remove(id);
    }
    return sha256;
  }

  /**
   * Receives a whole upload into a new file (0600), then moves it into
   * `storage` (Uploads.receive): create, append and complete in one go. For
   * the data directory the file is flushed to disk as it is closed, and
   * renamed into place without a second open for the flush.
   */
  async receive(id: string, body: Readable, size: number, storage: FileStorage, onBytes: (count: number) => void): Promise<string> {
    const hash = createHash('sha256');
    const counter = new ByteCounter(size, hash, onBytes);
    const onDisk = storage instanceof DiskStorage;
    try {
      await pipeline(body, counter, createWriteStream(this.path(id), { flags: 'wx', mode: PRIVATE_FILE_MODE, flush: onDisk }));
      if (counter.received !== size) throw new Error(`the body ended after ${counter.received} of ${size} bytes`);
      if (onDisk) await storage.adopt(id, this.path(id), true);
      else await storage.put(id, createReadStream(this.path(id)), size);
    } finally {
      await this.remove(id);
    }
    return hash.digest('hex');
  }

  /** Ids of the uploads whose file was last written before `before` (ms since the epoch). */
  async idleSince(before: number): Promise<string[]> {
    const ids: string[] = [];
    for (const name of await readdir(this.#dir)) {
      const found = await stat(this.path(name)).catch(() => undefined);
      if (found && found.mtimeMs < before) ids.push(name);
    }
    return ids;
  }

  async remove(id: string): Promise<void> {
    this.#hashes.delete(id);
    await rm(this.path(id), { force: true });
  }
}
