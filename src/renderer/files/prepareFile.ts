// What the device does to a file before it is sent (docs/files.md, "The
// apps' side"): a photo (a still JPEG, PNG or WebP) is decoded, turned the
// right way up (EXIF orientation), scaled down to a long edge of 1600 px and
// re-encoded as JPEG through a canvas, which also leaves all its metadata
// (EXIF: camera, time, GPS position) behind; it gets its dimensions and a
// thumbnail of at most MAX_THUMB_CHARS characters. Anything else, a
// "document", keeps its original bytes; so does an image the user sends as a
// document ("Document" in the attach menu): no downscale, its metadata kept,
// and no dimensions, which is how the other side knows to show it as a
// document (src/shared/file-summary.ts).
import type { FileDraft } from '../../shared/api.ts';
import { MAX_FILE_BYTES, MAX_THUMB_CHARS } from './limits.ts';

/** A file ready for sendFile, less the caption. */
export type PreparedFile = Omit<FileDraft, 'caption' | 'replyTo'>;

export const PHOTO_LONG_EDGE = 1600;
const PHOTO_QUALITY = 0.85;
/** Formats decoded and re-encoded as photos; a GIF may move, an SVG is a document. */
const PHOTO_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/webp']);

export function isPhoto(mime: string): boolean {
  return PHOTO_TYPES.has(mime);
}

/** Throws an Error whose message is fit for the user. `asDocument`: send
 * the file's original bytes even if it is a photo. */
export async function prepareFile(file: File, asDocument = false): Promise<PreparedFile> {
  if (!asDocument && isPhoto(file.type)) return preparePhoto(file);
  if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  return { name: file.name, mime: file.type || 'application/octet-stream', bytes: new Uint8Array(await file.arrayBuffer()) };
}

async function preparePhoto(file: File): Promise<PreparedFile> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`${file.name} is not an image this device can read`);
  }
  try {
    const scale = Math.min(1, PHOTO_LONG_EDGE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const bytes = new Uint8Array(await (await encode(bitmap, width, height, PHOTO_QUALITY)).arrayBuffer());
    return { name: jpegName(file.name), mime: 'image/jpeg', bytes, width, height, thumb: await thumbnail(bitmap) };
  } finally {
    bitmap.close();
  }
}

/** The smallest-effort preview that fits: a 96 px long edge, then smaller
 * and coarser until the data URL is short enough. */
export async function thumbnail(image: ImageBitmap): Promise<string | undefined> {
  for (const [edge, quality] of [
    [96, 0.7],
    [64, 0.6],
    [32, 0.5],
  ] as const) {
    const scale = Math.min(1, edge / Math.max(image.width, image.height));
    const blob = await encode(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), quality);
    const url = await dataUrl(blob);
    if (url.length <= MAX_THUMB_CHARS) return url;
  }
  return undefined;
}

function encode(image: ImageBitmap, width: number, height: number, quality: number): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This device cannot draw images');
  // JPEG has no transparency: a transparent PNG gets a white background, not black.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('Could not encode the image'))), 'image/jpeg', quality),
  );
}

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the image'));
    reader.readAsDataURL(blob);
  });
}

function jpegName(name: string): string {
  const base = name.replace(/\.[^.]*$/, '');
  return `${base || 'photo'}.jpg`;
}
