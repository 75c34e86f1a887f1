// The Windows icon container (.ico) around rendered images. Sizes below
// 256 are stored as 32-bit bitmaps and 256 as PNG, the layout Windows' own
// icons use: every consumer reads bitmaps (resource compilers and older
// icon readers reject PNG entries), and PNG keeps the large one small.
import type { Raster } from './rasterise.ts';

const DIRECTORY_SIZE = 6;
const ENTRY_SIZE = 16;
const BITMAP_HEADER_SIZE = 40;

/** A BITMAPINFOHEADER, XOR bitmap (BGRA, bottom row first, straight alpha)
 * and AND mask (1 bit per pixel, rows padded to 32 bits, set = transparent). */
function bitmapEntry({ size, premultipliedRgba: rgba }: Raster): Buffer {
  const maskRowBytes = Math.ceil(size / 32) * 4;
  const pixelBytes = size * size * 4;
  const data = Buffer.alloc(BITMAP_HEADER_SIZE + pixelBytes + maskRowBytes * size);
  data.writeUInt32LE(BITMAP_HEADER_SIZE, 0);
  data.writeInt32LE(size, 4);
  data.writeInt32LE(size * 2, 8); // the XOR bitmap and the AND mask, stacked
  data.writeUInt16LE(1, 12); // planes
  data.writeUInt16LE(32, 14); // bits per pixel
  data.writeUInt32LE(pixelBytes + maskRowBytes * size, 20);
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y;
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const alpha = rgba[from + 3] ?? 0;
      const straight = (channel: number): number =>
        alpha === 0 ? 0 : Math.min(255, Math.round(((rgba[from + channel] ?? 0) * 255) / alpha));
      const to = BITMAP_HEADER_SIZE + (row * size + x) * 4;
      data.writeUInt8(straight(2), to);
      data.writeUInt8(straight(1), to + 1);
      data.writeUInt8(straight(0), to + 2);
      data.writeUInt8(alpha, to + 3);
      if (alpha === 0) {
        const maskByte = BITMAP_HEADER_SIZE + pixelBytes + row * maskRowBytes + (x >> 3);
        data.writeUInt8(data.readUInt8(maskByte) | (0x80 >> (x & 7)), maskByte);
      }
    }
  }
  return data;
}

export function encodeIco(images: readonly Raster[]): Buffer {
  const payloads = images.map((image) => (image.size >= 256 ? image.png : bitmapEntry(image)));
  const header = Buffer.alloc(DIRECTORY_SIZE + ENTRY_SIZE * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, index) => {
    if (image.size > 256) throw new Error(`an .ico holds images up to 256 px, not ${image.size}`);
    const entry = DIRECTORY_SIZE + index * ENTRY_SIZE;
    const payload = payloads[index] as Buffer;
    header.writeUInt8(image.size % 256, entry); // 0 means 256
    header.writeUInt8(image.size % 256, entry + 1);
    header.writeUInt16LE(1, entry + 4); // planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(payload.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += payload.length;
  });
  return Buffer.concat([header, ...payloads]);
}
