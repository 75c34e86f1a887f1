// Where the icon generator reads and writes, relative to the repository:
// the builder configuration and the tests take the same paths from here.

export const SOURCE_ICON = 'resources/icon.svg';

/** The PNGs of the app icon: Linux installs them as its hicolor icon set. */
export const APP_ICON_SET_DIR = 'build/icons';
export const APP_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
/** Up to 256 px, the largest an .ico holds. */
export const WINDOWS_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;

export const WINDOWS_ICON = 'build/icon.ico';
export const MAC_ICON = 'build/icon.icns';

/** electron-builder finds a size in the name: NxN.png. */
export function appIconSetFile(size: number): string {
  return `${size}x${size}.png`;
}
