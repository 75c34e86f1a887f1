// Photos are cropped square and shrunk on the device (docs/ui.md, "Account"):
// the middle square of the picture, drawn on a canvas of PHOTO_SIZE pixels
// and encoded as JPEG, tens of kilobytes whatever the camera made, so the
// relay stores and serves small files and never decodes an image itself.

/** The side of a photo as stored, in pixels: sharp on a high-density screen at the largest avatar size. */
export const PHOTO_SIZE = 256;
const JPEG_QUALITY = 0.85;

export interface CroppedPhoto {
  /** The JPEG, for setProfilePhoto / setGroupPhoto. */
  bytes: Uint8Array;
  /** The same as a data: URL, to show before it is saved (the page's CSP allows data: images, not blob:). */
  preview: string;
}

export async function cropPhoto(file: Blob): Promise<CroppedPhoto> {
  const bitmap = await createImageBitmap(file);
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = PHOTO_SIZE;
    canvas.height = PHOTO_SIZE;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw the photo');
    context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, PHOTO_SIZE, PHOTO_SIZE);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
    if (!blob) throw new Error('this browser cannot encode the photo');
    return { bytes: new Uint8Array(await blob.arrayBuffer()), preview: await dataUrlOf(blob) };
  } finally {
    bitmap.close();
  }
}

function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('could not read the photo'));
    reader.readAsDataURL(blob);
  });
}
