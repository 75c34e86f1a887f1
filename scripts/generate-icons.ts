// Renders every icon from the one source image, resources/icon.svg:
//   build/icons/NxN.png   the app icon at each size (Linux icon set)
//   build/icon.ico        Windows (app, installer, shortcuts)
//   build/icon.icns       macOS (app bundle, dmg)
//   resources/tray/*.png  the unread icons of the tray and of Windows'
//                         taskbar overlay, 1× and 2×, per theme
// The outputs are committed, so that builds, dev runs and CI need no
// generation step; test/dist/icons.test.ts re-runs this into a temporary
// folder and fails when they differ. Run after changing the source image:
//   node scripts/generate-icons.ts [--out DIR]   (DIR: default the repository)
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UNREAD_LABELS } from '../src/main/tray/unread-count.ts';
import {
  badgeIconFile,
  ICON_SIZE,
  SCALE_FACTORS,
  TRAY_ICON_DIR,
  TRAY_THEMES,
  trayIconFile,
} from '../src/main/tray/tray-icon-files.ts';
import { encodeIcns } from './icons/icns.ts';
import { encodeIco } from './icons/ico.ts';
import {
  APP_ICON_SET_DIR,
  APP_ICON_SIZES,
  appIconSetFile,
  MAC_ICON,
  SOURCE_ICON,
  WINDOWS_ICON,
  WINDOWS_ICON_SIZES,
} from './icons/icon-files.ts';
import { rasterise, type Raster } from './icons/rasterise.ts';
import { parseSourceIcon } from './icons/source-icon.ts';
import { badgeIconSvg, trayIconSvg } from './icons/unread-icon-svgs.ts';

const repository = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: repository } } });
const out = resolve(values.out);

async function write(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(join(out, path)), { recursive: true });
  await writeFile(join(out, path), data);
}

const source = parseSourceIcon(await readFile(join(repository, SOURCE_ICON), 'utf8'));

// Both folders hold generated files only: emptied first, so that a variant
// no longer made does not linger.
for (const dir of [APP_ICON_SET_DIR, TRAY_ICON_DIR]) await rm(join(out, dir), { recursive: true, force: true });

const appIcons = new Map<number, Raster>();
for (const size of APP_ICON_SIZES) {
  const raster = await rasterise(source.svg, size);
  appIcons.set(size, raster);
  await write(join(APP_ICON_SET_DIR, appIconSetFile(size)), raster.png);
}
const appIcon = (size: number): Raster => {
  const raster = appIcons.get(size);
  if (raster === undefined) throw new Error(`no ${size} px app icon is rendered`);
  return raster;
};
await write(WINDOWS_ICON, encodeIco(WINDOWS_ICON_SIZES.map(appIcon)));
await write(MAC_ICON, encodeIcns((size) => appIcon(size).png));

for (const scale of SCALE_FACTORS) {
  const size = ICON_SIZE * scale;
  for (const label of UNREAD_LABELS) {
    for (const theme of TRAY_THEMES) {
      const raster = await rasterise(trayIconSvg(source, label, theme), size);
      await write(join(TRAY_ICON_DIR, trayIconFile(label, theme, scale)), raster.png);
    }
    if (label !== null) {
      const raster = await rasterise(badgeIconSvg(label), size);
      await write(join(TRAY_ICON_DIR, badgeIconFile(label, scale)), raster.png);
    }
  }
}
