// FileStorage in a directory of the data directory (`DATA/files` by default).
// Only the relay's user may read what is in it: the directory is 0700 and
// every file 0600, like relay.db's backups. A file is written under a
// temporary name, flushed, and renamed into place, so a crash leaves either
// the whole file or nothing under its key.
import { chmodSync, createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange } from '../byte-ranges.ts';
import { FileMissingError, FileSizeMismatchError, type FileStorage } from './storage.ts';

/**
 * Bytes per read of a download: four times Node's default, so that a large
 * file costs a quarter of the reads and socket writes (faster on loopback and
 * fast links in `npm run bench:files`; docs/benchmarks.md), at 256 KiB of
 * memory per download in flight.
 */
const READ_CHUNK_BYTES = 256 * 1024;

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export class DiskStorage implements FileStorage {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = ensurePrivateDir(dir);
  }

  async put(key: string, body: Readable, size: number): Promise<void> {
    const partial = `${this.#path(key)}.partial`;
    try {
      await pipeline(body, countBytes(size), createWriteStream(partial, { mode: PRIVATE_FILE_MODE }));
      await fsyncFile(partial);
      await rename(partial, this.#path(key));
    } finally {
      await rm(partial, { force: true });
    }
  }

  /**
   * Moves a finished upload (a file on the same file system, see
   * files/uploads.ts, which creates it 0600) into place without copying its
   * bytes; `flushed` when its bytes are on disk already (else they are
   * flushed first).
   */
  async adopt(key: string, file: string, flushed = false): Promise<void> {
    if (!flushed) await fsyncFile(file);
    await rename(file, this.#path(key));
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const handle = await open(this.#path(key), 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new FileMissingError(`no file ${key}`) : error;
    });
    // The stream closes the handle when it ends or is destroyed.
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_CHUNK_BYTES });
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    const found = await stat(this.#path(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return found && { size: found.size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  close(): void {
    // Nothing to release: every operation opens and closes its own file.
  }

  #path(key: string): string {
    return path.join(this.#dir, key);
  }
}

/** Creates `dir` (and its parents) and makes it 0700; returns it. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is filtered by the umask and leaves an existing directory as it was.
  chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/** Passes the bytes through and fails when there are more or fewer than `size`. */
export function countBytes(size: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > size) callback(new FileSizeMismatchError(`more than the declared ${size} bytes`));
      else callback(null, chunk);
    },
    flush(callback) {
      callback(seen === size ? null : new FileSizeMismatchError(`${seen} bytes, ${size} declared`));
    },
  });
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
