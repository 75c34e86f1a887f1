// FileStorage in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2…), with the
// AWS SDK. Credentials come from the SDK's standard chain (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, instance roles), never
// from the relay's own settings, so they stay out of config files and logs.
// A put is one streamed PutObject with its length known in advance (a file is
// at most the upload limit, far below S3's 5 GiB for one PUT): no part is
// buffered in memory, and an object appears only once complete.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { countBytes } from './disk-storage.ts';
import type { ByteRange } from '../byte-ranges.ts';
import { FileMissingError, type FileStorage } from './storage.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  /** For S3-compatible services: their URL; addresses the bucket by path (`ENDPOINT/BUCKET/KEY`). */
  endpoint?: string;
}

/** An object of the bucket, as a listing gives it. */
export interface StoredObject {
  key: string;
  size: number;
  /** ms since the epoch */
  modifiedAt: number;
}

export class S3Storage implements FileStorage {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(settings: S3Settings) {
    this.#bucket = settings.bucket;
    this.#client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.endpoint !== undefined,
      // Checksums only where S3 requires them: the default adds a CRC trailer
      // (aws-chunked encoding) that several S3-compatible services refuse.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable, size: number): Promise<void> {
    const counted = countBytes(size);
    // The SDK does not notice a body that fails: a wrong length (or a broken
    // source) aborts the request, and is the error reported.
    const abort = new AbortController();
    let failure: unknown;
    pipeline(body, counted).catch((error: unknown) => {
      failure = error;
      abort.abort();
    });
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: counted, ContentLength: size }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      throw failure ?? error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const answer = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Range: range && `bytes=${range.start}-${range.end}`,
        }),
      );
      return answer.Body as Readable;
    } catch (error) {
      throw isMissing(error) ? new FileMissingError(`no file ${key}`) : error;
    }
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const answer = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  /** Every object whose key starts with `prefix`, page after page. */
  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        found.push({ key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  close(): void {
    this.#client.destroy();
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404);
}
