// The unread icons as nativeImages. They are PNGs rendered ahead of time
// from resources/icon.svg by scripts/generate-icons.ts (committed, and
// packed into app.asar), each with a 1× and a 2× representation so that the
// OS picks the sharp one for the display. Read on first use and kept: there
// are a few dozen at most.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, nativeImage, type NativeImage } from 'electron';
import {
  badgeIconFile,
  SCALE_FACTORS,
  TRAY_ICON_DIR,
  trayIconFile,
  type ScaleFactor,
  type TrayTheme,
} from './tray-icon-files.ts';

const cache = new Map<string, NativeImage>();

function image(fileAt: (scale: ScaleFactor) => string): NativeImage {
  const key = fileAt(1);
  let cached = cache.get(key);
  if (cached === undefined) {
    cached = nativeImage.createEmpty();
    for (const scaleFactor of SCALE_FACTORS) {
      // Read here rather than left to nativeImage.createFromPath, which
      // returns an empty image for a missing file where this throws. (fs
      // reads inside app.asar in Electron.)
      const buffer = readFileSync(join(app.getAppPath(), TRAY_ICON_DIR, fileAt(scaleFactor)));
      cached.addRepresentation({ scaleFactor, buffer });
    }
    cache.set(key, cached);
  }
  return cached;
}

/** The tray icon for an unread label (null: no unread messages). */
export function trayImage(label: string | null, theme: TrayTheme): NativeImage {
  return image((scale) => trayIconFile(label, theme, scale));
}

export function badgeImage(label: string): NativeImage {
  return image((scale) => badgeIconFile(label, scale));
}
