// The macOS icon container (.icns) around PNGs: a header, then one element
// per OSType, each the PNG of one size (the types below all take PNG on
// any macOS that Electron runs on, 12 or later).

/** Each element's OSType and the pixel size of its PNG; the @2x types
 * repeat a size for Retina displays. */
export const ICNS_TYPES: ReadonlyArray<readonly [type: string, size: number]> = [
  ['icp4', 16],
  ['ic11', 32], // 16@2x
  ['icp5', 32],
  ['ic12', 64], // 32@2x
  ['icp6', 64],
  ['ic07', 128],
  ['ic13', 256], // 128@2x
  ['ic08', 256],
  ['ic14', 512], // 256@2x
  ['ic09', 512],
  ['ic10', 1024], // 512@2x
];

const HEADER_SIZE = 8;

function element(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(HEADER_SIZE + data.length, 4);
  return Buffer.concat([header, data]);
}

export function encodeIcns(pngOfSize: (size: number) => Buffer): Buffer {
  const body = Buffer.concat(ICNS_TYPES.map(([type, size]) => element(type, pngOfSize(size))));
  const header = Buffer.alloc(HEADER_SIZE);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(HEADER_SIZE + body.length, 4);
  return Buffer.concat([header, body]);
}
