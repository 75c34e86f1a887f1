// The relay's files (docs/files.md): creating, appending to, finishing and
// terminating uploads, opening downloads, and the periodic sweep of what
// expired. Policy lives here (who may touch what, limits, quota); the tus and
// download wire formats are http-files.ts's, bytes are the Uploads' (uploads.ts) and the
// FileStorage's, records the RelayStore's.
import { Readable } from 'node:stream';
import type { User } from '../../src/shared/protocol/index.ts';
import { authenticateBearer } from '../bearer-auth.ts';
import { HttpError } from '../http-error.ts';
import type { Limits } from '../limits.ts';
import type { Logger } from '../log.ts';
import type { BucketLimiter } from '../rate-limit.ts';
import type { ExpiredFile, FileRecord, NewFile, RelayStore } from '../store/types.ts';
import type { TokenExpiry } from '../token-expiry.ts';
import { eraseFiles } from './erase-files.ts';
import { FinishedRecords } from './finished-records.ts';
import { newFileId } from './ids.ts';
import type { UploadMetadata } from './metadata.ts';
import type { FileMetrics } from './metrics.ts';
import type { ByteRange } from '../byte-ranges.ts';
import type { FileStorage } from './storage.ts';
import { type Uploads, UploadTooLongError } from './uploads.ts';

/** Expired files removed per store query during a sweep. */
const SWEEP_PAGE = 200;

export interface FileServiceOptions {
  store: RelayStore;
  storage: FileStorage;
  uploads: Uploads;
  limits: Limits;
  /** Uploads created per user (the relay's rate limits: rate-limit.ts; unlimited with --no-rate-limits). */
  creations: BucketLimiter;
  metrics: FileMetrics;
  log: Logger;
  /** Sign-ins left unused expire (token-expiry.ts); a file request does not count as a use. */
  tokenExpiry: TokenExpiry;
}

export interface UploadState {
  record: FileRecord;
  offset: number;
}

export class FileService {
  readonly #store: RelayStore;
  readonly #storage: FileStorage;
  readonly #uploads: Uploads;
  readonly #limits: Limits;
  readonly #metrics: FileMetrics;
  readonly #log: Logger;
  readonly #tokenExpiry: TokenExpiry;
  readonly #creations: BucketLimiter;
  readonly #finishedRecords: FinishedRecords;
  /** Uploads a request is writing to or finishing now: a second one gets 409, the sweep leaves them alone. */
  readonly #busy = new Set<string>();
  /** Bytes of uploads being created, by user, until their record is stored. */
  readonly #creating = new Map<string, number>();
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;

  constructor(options: FileServiceOptions) {
    this.#store = options.store;
    this.#storage = options.storage;
    this.#uploads = options.uploads;
    this.#limits = options.limits;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#tokenExpiry = options.tokenExpiry;
    this.#creations = options.creations;
    this.#finishedRecords = new FinishedRecords(options.store);
  }

  get maxFileBytes(): number {
    return this.#limits.fileBytes;
  }

  /** The user of the request's bearer token; 401 without a valid one (unknown, revoked or expired). */
  async authenticate(authorization: string | undefined): Promise<User> {
    return (await authenticateBearer(this.#store, this.#tokenExpiry, authorization)).user;
  }

  /**
   * A new upload of `length` bytes, with its first bytes when the creation
   * request carries them (tus creation-with-upload); its id and offset. The
   * bytes come first and the record after them: a creation request that
   * breaks off leaves nothing, since its client never got the upload's
   * Location to resume from (tus clients create again when the creation
   * request fails). A body of the whole upload (or an empty upload) is
   * recorded finished at once, in one commit instead of two.
   */
  async create(user: User, length: number, metadata: UploadMetadata, body?: UploadBody): Promise<{ id: string; offset: number }> {
    if (length > this.#limits.fileBytes) {
      throw new HttpError(413, 'payload_too_large', `Upload-Length is over the limit of ${this.#limits.fileBytes} bytes`);
    }
    // Reserved before the quota is read, so that simultaneous requests of one
    // user can not each pass the check: each counts the others' bytes.
    this.#creating.set(user.id, (this.#creating.get(user.id) ?? 0) + length);
    const id = newFileId();
    const record = { id, uploaderId: user.id, ...metadata, size: length };
    let offset: number;
    // Busy until recorded, so that the sweep does not take its file for one without a record.
    this.#busy.add(id);
    try {
      const used = (await this.#store.storageUsedBy(user.id)) + (this.#creating.get(user.id) ?? 0);
      if (used > this.#limits.fileQuotaBytes) {
        throw new HttpError(413, 'quota_exceeded', `this upload would exceed your storage quota of ${this.#limits.fileQuotaBytes} bytes`);
      }
      if (!(await this.#creations.take(user.id))) {
        const retryAfter = Math.ceil(60 / this.#limits.uploadsPerMinute);
        throw new HttpError(429, 'rate_limited', 'too many uploads; retry later', { 'Retry-After': String(retryAfter) });
      }
      const whole = body === undefined ? length === 0 : body.length === length;
      offset = whole ? await this.#createWhole(record, body?.stream) : await this.#createPartial(record, body?.stream);
    } finally {
      this.#busy.delete(id);
      const left = (this.#creating.get(user.id) ?? 0) - length;
      if (left > 0) this.#creating.set(user.id, left);
      else this.#creating.delete(user.id);
    }
    this.#log.info({ user: user.id, file: id, size: length }, 'upload created');
    return { id, offset };
  }

  /** The user's own upload and how far it got; 404 for anyone else's and unknown ids. */
  async upload(user: User, id: string): Promise<UploadState> {
    const record = await this.#store.fileRecord(id);
    if (!record || record.uploaderId !== user.id) throw notFound();
    if (record.finishedAt !== null) return { record, offset: record.size };
    const offset = await this.#uploads.offset(id);
    if (offset === undefined) throw notFound();
    return { record, offset };
  }

  /**
   * Appends a PATCH body at `offset` and finishes the upload when it is
   * complete; the new offset. 409 when `offset` is not where the upload is,
   * or when another request is writing to it.
   */
  async append(user: User, id: string, offset: number, body: Readable): Promise<number> {
    const state = await this.upload(user, id);
    if (state.record.finishedAt !== null || offset !== state.offset) {
      throw new HttpError(409, 'conflict', `Upload-Offset ${offset} does not match the upload's offset ${state.offset}`);
    }
    if (this.#busy.has(id)) throw new HttpError(409, 'conflict', 'another request is writing to this upload');
    this.#busy.add(id);
    try {
      const reached = offset + (await this.#appendBody(id, offset, body, state.record.size - offset));
      if (reached === state.record.size) await this.#finish(id, reached);
      return reached;
    } finally {
      this.#busy.delete(id);
    }
  }

  /** tus termination: the uploader removes an unfinished upload. */
  async terminate(user: User, id: string): Promise<void> {
    const { record } = await this.upload(user, id);
    if (record.finishedAt !== null) {
      throw new HttpError(409, 'conflict', 'the upload is finished; it goes away with the messages that carry it');
    }
    if (this.#busy.has(id)) throw new HttpError(409, 'conflict', 'a request is writing to this upload');
    await this.#store.deleteFile(id);
    await this.#uploads.remove(id);
  }

  /**
   * Erases a replaced photo, its record then its bytes, unless a message
   * carries it or it is another photo too (RelayStore.deleteFile): unlike
   * eraseUnreferenced, whose file no message carries any more, this one may
   * still be in use. Whether it did.
   */
  async erase(id: string): Promise<boolean> {
    if (!(await this.#store.deleteFile(id))) return false;
    await this.#storage.delete(id);
    return true;
  }

  /** A finished file the user may read, and its bytes (a range of them when given); 404 otherwise. */
  async readable(user: User, id: string): Promise<FileRecord> {
    const record = await this.#store.readableFile(id, user.id);
    if (!record) throw notFound();
    return record;
  }

  async open(record: FileRecord, range?: ByteRange): Promise<Readable> {
    const stored = await this.#storage.get(record.id, range);
    // Counted as the bytes pass, without a stream of its own on the way.
    // Paused first, so that the listener does not start the flow before the
    // caller pipes the stream (pipe resumes it).
    const downloadBytes = this.#metrics.downloadBytes;
    stored.pause().on('data', (chunk: Buffer) => downloadBytes.inc(chunk.length));
    return stored;
  }

  /**
   * Erases a file that a delete for everyone left without a message. The
   * bytes go first, so that a crash can only leave a record without bytes
   * (which the sweep removes, as no message carries it), never bytes of a
   * deleted message without a record. The one race: its uploader attaching
   * it to a new message in between; that message's file then reads as gone.
   */
  async eraseUnreferenced(id: string): Promise<void> {
    try {
      await this.#storage.delete(id);
      await this.#store.deleteFile(id);
      this.#metrics.erasedFiles.inc();
      this.#log.info({ file: id }, 'file erased: its last message was deleted');
    } catch (error) {
      // The delete is stored all the same; the record, carried by no message, is the sweep's.
      this.#log.error({ err: error, file: id }, 'erasing the file of a deleted message failed; the sweep will retry');
    }
  }

  /** Erases the files an account's deletion left (erase-files.ts). */
  async eraseAccountFiles(files: readonly ExpiredFile[]): Promise<void> {
    const erased = await eraseFiles(this.#store, { storage: this.#storage, uploads: this.#uploads }, files, this.#log);
    this.#metrics.erasedFiles.inc(erased);
  }

  /** Runs the sweep every `intervalMs`, first after one interval. */
  startSweeping(intervalMs: number): void {
    this.#sweepTimer = setInterval(() => {
      this.#sweeping ??= this.sweep(Date.now()).finally(() => {
        this.#sweeping = undefined;
      });
    }, intervalMs);
    this.#sweepTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweepTimer);
    await this.#sweeping;
    this.#storage.close();
  }

  /**
   * Removes unfinished uploads and files no message carries, created more
   * than the retention time before `now`. The record goes first (the store
   * refuses when a message carries the file meanwhile), then the bytes.
   */
  async sweep(now: number): Promise<{ unfinished: number; unreferenced: number }> {
    const removed = { unfinished: 0, unreferenced: 0 };
    const cutoff = now - this.#limits.fileRetentionMs;
    const skipped = new Set<string>();
    for (;;) {
      const expired = (await this.#store.expiredFiles(cutoff, SWEEP_PAGE + skipped.size)).filter((file) => !skipped.has(file.id));
      if (expired.length === 0) break;
      for (const file of expired) {
        if (this.#busy.has(file.id) || !(await this.#store.deleteFile(file.id))) {
          skipped.add(file.id);
          continue;
        }
        // An unfinished record may also have bytes in the storage: a crash
        // between moving them there and recording the upload as finished.
        if (!file.finished) await this.#uploads.remove(file.id);
        await this.#storage.delete(file.id);
        removed[file.finished ? 'unreferenced' : 'unfinished']++;
      }
    }
    // Upload files without a record: a crash between creating the file and the record.
    for (const id of await this.#uploads.idleSince(cutoff)) {
      if (this.#busy.has(id) || (await this.#store.fileRecord(id))) continue;
      await this.#uploads.remove(id);
      removed.unfinished++;
    }
    this.#metrics.sweeps.inc();
    this.#metrics.sweptFiles.inc({ kind: 'unfinished' }, removed.unfinished);
    this.#metrics.sweptFiles.inc({ kind: 'unreferenced' }, removed.unreferenced);
    if (removed.unfinished + removed.unreferenced > 0) this.#log.info(removed, 'file sweep removed expired files');
    return removed;
  }

  /** Moves a complete upload into the storage and records its hash. */
  /** Appends at `offset`, up to `left` bytes (413 past them); the number appended. */
  async #appendBody(id: string, offset: number, body: Readable, left: number): Promise<number> {
    try {
      return await this.#uploads.append(id, offset, body, left, (count) => this.#metrics.uploadBytes.inc(count));
    } catch (error) {
      if (error instanceof UploadTooLongError) throw new HttpError(413, 'payload_too_large', error.message, { Connection: 'close' });
      throw error;
    }
  }

  /**
   * Receives a whole upload into the storage, then records it finished: a
   * failure before the record leaves nothing (the bytes are taken back out
   * of the storage). Its size.
   */
  async #createWhole(record: NewFile, body: Readable | undefined): Promise<number> {
    const bytes = (count: number) => this.#metrics.uploadBytes.inc(count);
    let sha256: string;
    try {
      sha256 = await this.#uploads.receive(record.id, body ?? Readable.from([]), record.size, this.#storage, bytes);
    } catch (error) {
      if (error instanceof UploadTooLongError) throw new HttpError(413, 'payload_too_large', error.message, { Connection: 'close' });
      throw error;
    }
    try {
      await this.#finishedRecords.add({ ...record, sha256 });
    } catch (error) {
      await this.#storage.delete(record.id).catch(() => {});
      throw error;
    }
    return record.size;
  }

  /**
   * Receives the first bytes of an upload, if any, then records it; the
   * offset reached. A body that breaks off leaves nothing. One that turns out
   * to be all of it (a chunked body) finishes the upload.
   */
  async #createPartial(record: NewFile, body: Readable | undefined): Promise<number> {
    await this.#uploads.create(record.id);
    let offset = 0;
    try {
      if (body) offset = await this.#appendBody(record.id, 0, body, record.size);
      await this.#store.createFile(record, Date.now());
    } catch (error) {
      await this.#uploads.remove(record.id);
      throw error;
    }
    if (offset === record.size) await this.#finish(record.id, offset);
    return offset;
  }

  async #finish(id: string, size: number): Promise<void> {
    const sha256 = await this.#uploads.complete(id, size, this.#storage);
    await this.#store.finishFile(id, sha256, Date.now());
  }
}

/** The bytes a creation request carries: its body and its Content-Length (undefined when chunked). */
export interface UploadBody {
  stream: Readable;
  length: number | undefined;
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'no such file');
}
