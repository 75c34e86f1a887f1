// Profile and group photos (docs/protocol.md, "Profiles"): what a file must
// be to become one, and erasing the photo a change replaced. A photo is an
// upload of the user setting it, finished, a JPEG, PNG or WebP image of at
// most MAX_PHOTO_BYTES; the app crops and shrinks it before uploading.
import { MAX_PHOTO_BYTES, PHOTO_MEDIA_TYPES } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import { Refused } from './guards.ts';

export async function requirePhoto(ctx: RelayContext, userId: string, fileId: string): Promise<void> {
  const record = await ctx.store.fileRecord(fileId);
  if (!record || record.uploaderId !== userId || record.finishedAt === null) {
    throw new Refused('invalid', 'photo: not a finished upload of yours');
  }
  if (!PHOTO_MEDIA_TYPES.includes(record.mime)) throw new Refused('invalid', 'photo: must be a JPEG, PNG or WebP image');
  if (record.size > MAX_PHOTO_BYTES) throw new Refused('invalid', `photo: must be at most ${MAX_PHOTO_BYTES} bytes`);
}

/** Erases a replaced photo, record and bytes, unless a message carries it or it is another photo too. */
export async function eraseReplacedPhoto(ctx: RelayContext, fileId: string | null): Promise<void> {
  if (fileId === null) return;
  // The change is made and announced; a failure here leaves the file to the sweep.
  await ctx.files.erase(fileId).catch((error: unknown) => ctx.log.warn({ err: error, file: fileId }, 'could not erase a replaced photo'));
}
