// The pre-rendered unread icons: which exist and what each file is called.
// scripts/generate-icons.ts renders them from resources/icon.svg into
// TRAY_ICON_DIR, unread-images.ts reads them, and electron-builder.config.ts
// packs that folder into app.asar, so all three take the names from here.
// Pure data: the script and the builder config import it outside Electron.

/** Relative to the app's root: the repository in development and tests,
 * app.asar once packaged, where `app.getAppPath()` points in both cases. */
export const TRAY_ICON_DIR = 'resources/tray';

/** The icons' size in points; each is rendered at 1× and 2×. */
export const ICON_SIZE = 16;
export const SCALE_FACTORS = [1, 2] as const;
export type ScaleFactor = (typeof SCALE_FACTORS)[number];

/** The system theme a tray icon is drawn for: the tile is brighter on dark
 * panels, where the app's deep teal would barely stand out. */
export const TRAY_THEMES = ['light', 'dark'] as const;
export type TrayTheme = (typeof TRAY_THEMES)[number];

function scaleSuffix(scale: ScaleFactor): string {
  // Electron's naming for high-DPI variants of one image.
  return scale === 1 ? '' : `@${scale}x`;
}

function labelPart(label: string): string {
  return label.replace('+', '-plus');
}

export function trayIconFile(label: string | null, theme: TrayTheme, scale: ScaleFactor): string {
  return `tray-${theme}-${label === null ? 'none' : labelPart(label)}${scaleSuffix(scale)}.png`;
}

/** The badge alone, for Windows' taskbar overlay. */
export function badgeIconFile(label: string, scale: ScaleFactor): string {
  return `badge-${labelPart(label)}${scaleSuffix(scale)}.png`;
}
