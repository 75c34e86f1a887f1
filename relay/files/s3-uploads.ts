// Unfinished uploads kept in the S3 bucket, beside the finished files, so that
// a tus upload started on one node of a cluster resumes on any other, also
// after that node died (docs/files.md#several-nodes).
//
// S3 stores whole objects only, and a PATCH's length is known only at its
// end, so each PATCH's bytes are spooled to a local file as they arrive (the
// one node's UploadArea, which also enforces the upload's length), then
// stored as one part object `uploads/ID/OFFSET`. What a PATCH brought before
// its client went away is kept as a part too, as on disk. A node that dies
// mid-PATCH loses only that PATCH's unstored bytes: HEAD, on any node, answers
// the end of the chain of parts stored from offset 0, and the client resumes
// from there. The upload's record (size, owner, name) is in the shared
// database already. Completing streams the parts in order into the file's
// object, hashing them on the way, then deletes them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { S3Storage } from './s3-storage.ts';
import type { FileStorage } from './storage.ts';
import { UploadArea, type Uploads } from './uploads.ts';

const PREFIX = 'uploads/';
/** Offsets are zero-padded in keys, so that a listing sorts them. */
const OFFSET_DIGITS = 15;

interface Part {
  key: string;
  offset: number;
  size: number;
}

export class S3Uploads implements Uploads {
  readonly #bucket: S3Storage;
  /** PATCH bodies on their way to the bucket. */
  readonly #spool: UploadArea;

  constructor(bucket: S3Storage, spoolDir: string) {
    this.#bucket = bucket;
    this.#spool = new UploadArea(spoolDir);
  }

  /** Nothing to store: an upload without parts is at offset 0 (its record says it exists). */
  async create(_id: string): Promise<void> {}

  async offset(id: string): Promise<number> {
    return chain(await this.#parts(id)).end;
  }

  async append(id: string, offset: number, body: Readable, limit: number, onBytes: (count: number) => void): Promise<number> {
    const spooled = `${id}.${offset}`;
    await this.#spool.remove(spooled);
    await this.#spool.create(spooled);
    try {
      return await this.#spool.append(spooled, 0, body, limit, onBytes);
    } finally {
      // On success, and after a client that went away: what arrived (over
      // the length, the spool kept nothing of the body).
      try {
        const kept = (await this.#spool.offset(spooled)) ?? 0;
        if (kept > 0) await this.#bucket.put(partKey(id, offset), createReadStream(this.#spool.path(spooled)), kept);
      } finally {
        await this.#spool.remove(spooled);
      }
    }
  }

  async complete(id: string, size: number, storage: FileStorage): Promise<string> {
    const { parts, end } = chain(await this.#parts(id));
    if (end !== size) throw new Error(`upload ${id} holds ${end} of its ${size} bytes`);
    const hash = createHash('sha256');
    const bucket = this.#bucket;
    async function* joined() {
      for (const part of parts) {
        for await (const chunk of await bucket.get(part.key)) {
          hash.update(chunk as Buffer);
          yield chunk as Buffer;
        }
      }
    }
    await storage.put(id, Readable.from(joined()), size);
    await this.remove(id);
    return hash.digest('hex');
  }

  /** A whole upload needs no parts: spooled, then put as the file's object (UploadArea.receive). */
  receive(id: string, body: Readable, size: number, storage: FileStorage, onBytes: (count: number) => void): Promise<string> {
    return this.#spool.receive(id, body, size, storage, onBytes);
  }

  /** Uploads whose newest part is older than `before`; spooled bodies a crash left behind are removed on the way. */
  async idleSince(before: number): Promise<string[]> {
    for (const spooled of await this.#spool.idleSince(before)) await this.#spool.remove(spooled);
    const newest = new Map<string, number>();
    for (const object of await this.#bucket.list(PREFIX)) {
      const id = object.key.slice(PREFIX.length).split('/')[0] ?? '';
      newest.set(id, Math.max(newest.get(id) ?? 0, object.modifiedAt));
    }
    return [...newest].filter(([, modifiedAt]) => modifiedAt < before).map(([id]) => id);
  }

  async remove(id: string): Promise<void> {
    for (const part of await this.#parts(id)) await this.#bucket.delete(part.key);
  }

  async #parts(id: string): Promise<Part[]> {
    const prefix = `${PREFIX}${id}/`;
    return (await this.#bucket.list(prefix)).map((object) => ({
      key: object.key,
      offset: Number(object.key.slice(prefix.length)),
      size: object.size,
    }));
  }
}

function partKey(id: string, offset: number): string {
  return `${PREFIX}${id}/${String(offset).padStart(OFFSET_DIGITS, '0')}`;
}

/**
 * The parts that continue each other from offset 0, and where they end. A
 * part that starts elsewhere (two nodes written to at once, one overwriting
 * the other's part) is not part of the upload; remove() takes it with the rest.
 */
function chain(parts: Part[]): { parts: Part[]; end: number } {
  const byOffset = new Map(parts.filter((part) => part.size > 0).map((part) => [part.offset, part]));
  const chained: Part[] = [];
  let end = 0;
  for (let part = byOffset.get(0); part; part = byOffset.get(end)) {
    chained.push(part);
    end += part.size;
  }
  return { parts: chained, end };
}
