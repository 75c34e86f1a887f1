// The icons generated from resources/icon.svg (scripts/generate-icons.ts):
// the committed files are what the generator makes now, byte for byte; the
// containers are well formed; the unread icons show what they should.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICNS_TYPES } from '../../scripts/icons/icns.ts';
import {
  APP_ICON_SET_DIR,
  APP_ICON_SIZES,
  appIconSetFile,
  MAC_ICON,
  SOURCE_ICON,
  WINDOWS_ICON,
  WINDOWS_ICON_SIZES,
} from '../../scripts/icons/icon-files.ts';
import { pixelText } from '../../scripts/icons/pixel-font.ts';
import { rasterise } from '../../scripts/icons/rasterise.ts';
import { parseSourceIcon } from '../../scripts/icons/source-icon.ts';
import { badgeIconSvg, trayIconSvg } from '../../scripts/icons/unread-icon-svgs.ts';
import {
  badgeIconFile,
  ICON_SIZE,
  SCALE_FACTORS,
  TRAY_ICON_DIR,
  TRAY_THEMES,
  trayIconFile,
} from '../../src/main/tray/tray-icon-files.ts';
import { UNREAD_LABELS } from '../../src/main/tray/unread-count.ts';

const repository = resolve(import.meta.dirname, '../..');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

async function filesUnder(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the generated icons', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await mkdtemp(join(tmpdir(), 'duplex-generated-icons-'));
    await promisify(execFile)(process.execPath, ['scripts/generate-icons.ts', '--out', generated], { cwd: repository });
  }, 60_000);
  afterAll(() => rm(generated, { recursive: true, force: true }));

  it('are committed as the generator makes them now (else run `npm run icons`)', async () => {
    const outputs = async (root: string): Promise<string[]> => [
      ...(await filesUnder(root, APP_ICON_SET_DIR)),
      ...(await filesUnder(root, TRAY_ICON_DIR)),
      WINDOWS_ICON,
      MAC_ICON,
    ];
    const files = await outputs(generated);
    expect(await outputs(repository)).toEqual(files);
    for (const file of files) {
      const [committed, fresh] = await Promise.all([readFile(join(repository, file)), readFile(join(generated, file))]);
      expect(committed.equals(fresh), `${file} is out of date`).toBe(true);
    }
  });
});

describe('the app icon', () => {
  it('is a PNG at every size', async () => {
    for (const size of APP_ICON_SIZES) {
      const png = await readFile(join(repository, APP_ICON_SET_DIR, appIconSetFile(size)));
      expect(pngSize(png)).toEqual([size, size]);
    }
  });

  it('is a Windows .ico: bitmaps up to 128 px, a PNG at 256', async () => {
    const ico = await readFile(join(repository, WINDOWS_ICON));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, WINDOWS_ICON_SIZES.length]);
    WINDOWS_ICON_SIZES.forEach((size, index) => {
      const entry = 6 + index * 16;
      expect(ico.readUInt8(entry) || 256).toBe(size);
      expect(ico.readUInt8(entry + 1) || 256).toBe(size);
      expect(ico.readUInt16LE(entry + 6)).toBe(32);
      const image = ico.subarray(ico.readUInt32LE(entry + 12), ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8));
      if (size === 256) {
        expect(pngSize(image)).toEqual([256, 256]);
        return;
      }
      // BITMAPINFOHEADER: the height counts the colour bitmap and the mask.
      expect([image.readUInt32LE(0), image.readInt32LE(4), image.readInt32LE(8), image.readUInt16LE(14)]).toEqual([
        40,
        size,
        size * 2,
        32,
      ]);
      expect(image.length).toBe(40 + size * size * 4 + Math.ceil(size / 32) * 4 * size);
    });
  });

  it('has straight BGRA bitmaps, bottom row first, with a mask of the transparent pixels', async () => {
    const ico = await readFile(join(repository, WINDOWS_ICON));
    const index = WINDOWS_ICON_SIZES.indexOf(48);
    const image = ico.subarray(ico.readUInt32LE(6 + index * 16 + 12));
    const pixel = (x: number, y: number): number[] => {
      const at = 40 + ((47 - y) * 48 + x) * 4;
      return [...image.subarray(at, at + 4)];
    };
    // The tile's teal (#00735e) in the middle of the left edge, opaque;
    // the margin's corner transparent, and set in the AND mask.
    expect(pixel(6, 24)).toEqual([0x5e, 0x73, 0x00, 0xff]);
    expect(pixel(0, 0)[3]).toBe(0);
    const maskRow = 40 + 48 * 48 * 4 + 47 * 8;
    expect(image.readUInt8(maskRow) & 0x80).toBe(0x80);
  });

  it('is a macOS .icns with a PNG per size, Retina ones included', async () => {
    const icns = await readFile(join(repository, MAC_ICON));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const elements: Array<[string, number]> = [];
    for (let offset = 8; offset < icns.length; offset += icns.readUInt32BE(offset + 4)) {
      const data = icns.subarray(offset + 8, offset + icns.readUInt32BE(offset + 4));
      elements.push([icns.toString('latin1', offset, offset + 4), pngSize(data)[0]]);
    }
    expect(elements).toEqual(ICNS_TYPES);
  });
});

describe('the unread icons', () => {
  it('exist for every label, theme and scale, at their pixel size', async () => {
    for (const scale of SCALE_FACTORS) {
      const files = UNREAD_LABELS.flatMap((label) => [
        ...TRAY_THEMES.map((theme) => trayIconFile(label, theme, scale)),
        ...(label === null ? [] : [badgeIconFile(label, scale)]),
      ]);
      expect(new Set(files).size).toBe(files.length);
      for (const file of files) {
        const png = await readFile(join(repository, TRAY_ICON_DIR, file));
        expect(pngSize(png), file).toEqual([ICON_SIZE * scale, ICON_SIZE * scale]);
      }
    }
  });

  describe('as drawn', () => {
    let source: ReturnType<typeof parseSourceIcon>;
    beforeAll(async () => {
      source = parseSourceIcon(await readFile(join(repository, SOURCE_ICON), 'utf8'));
    });

    /** Straight RGBA of one pixel of a premultiplied raster. */
    async function pixel(svg: string, size: number, x: number, y: number): Promise<number[]> {
      const { premultipliedRgba: rgba } = await rasterise(svg, size);
      const at = (y * size + x) * 4;
      const alpha = rgba[at + 3] ?? 0;
      return [0, 1, 2].map((c) => (alpha === 0 ? 0 : Math.round(((rgba[at + c] ?? 0) * 255) / alpha))).concat(alpha);
    }

    it('put a red badge at the top right only when there are unread messages', async () => {
      const [r, g, b, a] = await pixel(trayIconSvg(source, '3', 'light'), 32, 29, 5);
      expect(r).toBeGreaterThan(200);
      expect(g).toBeLessThan(100);
      expect(b).toBeLessThan(100);
      expect(a).toBe(255);
      expect((await pixel(trayIconSvg(source, null, 'light'), 32, 29, 5))[0]).toBeLessThan(100);
    });

    it('cut a transparent gap around the badge, which reads on any panel', async () => {
      // Just outside the badge, on the tile: covered without a badge.
      expect((await pixel(trayIconSvg(source, '3', 'light'), 32, 12, 9))[3]).toBe(0);
      expect((await pixel(trayIconSvg(source, null, 'light'), 32, 12, 9))[3]).toBe(255);
    });

    it('brighten the tile for dark panels', async () => {
      const light = await pixel(trayIconSvg(source, null, 'light'), 32, 2, 16);
      const dark = await pixel(trayIconSvg(source, null, 'dark'), 32, 2, 16);
      expect(light).toEqual([0x00, 0x73, 0x5e, 255]);
      expect(dark).toEqual([0x00, 0xa8, 0x84, 255]);
    });

    it('draw the taskbar overlay as the badge alone, edge to edge', async () => {
      expect((await pixel(badgeIconSvg('5'), 16, 1, 8))[0]).toBeGreaterThan(200);
      expect((await pixel(badgeIconSvg('5'), 16, 0, 0))[3]).toBe(0);
    });
  });
});

describe('the pixel font', () => {
  it('draws digits on whole pixels, centred', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7"><g shape-rendering="crispEdges">${pixelText('7', 3.5, 3.5, 1)}</g></svg>`;
    const { premultipliedRgba: rgba } = await rasterise(svg, 7);
    const rows = Array.from({ length: 7 }, (_, y) =>
      Array.from({ length: 7 }, (_, x) => ((rgba[(y * 7 + x) * 4 + 3] ?? 0) === 255 ? '#' : '.')).join(''),
    );
    expect(rows).toEqual(['.......', '..###..', '....#..', '....#..', '....#..', '....#..', '.......']);
  });

  it('refuses characters it has no glyph for', () => {
    expect(() => pixelText('x', 4, 4, 1)).toThrow('no glyph');
  });
});

describe('the source icon', () => {
  it('must name the tray frame', () => {
    expect(() => parseSourceIcon('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')).toThrow('view id="tray"');
    expect(() => parseSourceIcon('<g/>')).toThrow('not one <svg> element');
  });
});
