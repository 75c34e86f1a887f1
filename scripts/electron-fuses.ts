// electron-builder's afterPack hook (see electron-builder.config.ts): flips
// Electron's fuses in the packed executable. afterPack runs before
// electron-builder signs the app, so the signature covers the flipped bits
// and the OS refuses a binary whose fuses were changed back.
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import { Arch, type AfterPackContext, type LinuxPackager } from 'electron-builder';

/** Every fuse of the wire, decided. strictlyRequireAllFuses makes packing
 * fail when an Electron upgrade brings a fuse this does not decide, rather
 * than leave it at Electron's default unreviewed. */
export const ELECTRON_FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  // ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node.
  [FuseV1Options.RunAsNode]: false,
  // Chromium's cookie store encrypted with the OS keyring, as Chrome's is.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS and --inspect… would let anyone who starts the app inject
  // code into the main process (which holds the session token).
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Load only app.asar, and only while its hash matches the one
  // electron-builder embeds (Info.plist on macOS, a resource on Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // No custom V8 snapshot is shipped.
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The page is served from app://, never file://, so file: needs no
  // privileges beyond a web page's.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  // Electron's default: WebAssembly bounds checks by signal handler, faster.
  [FuseV1Options.WasmTrapHandlers]: true,
} as const satisfies FuseV1Config;

/** The file that holds the fuse wire, named as electron-builder names the
 * executable: the .app bundle on macOS (@electron/fuses finds the framework
 * inside), the product's .exe on Windows, linux.executableName on Linux. */
export function packedElectron({ appOutDir, electronPlatformName, packager }: AfterPackContext): string {
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return join(appOutDir, (packager as LinuxPackager).executableName);
  }
}

export default async function afterPack(context: AfterPackContext): Promise<void> {
  await flipFuses(packedElectron(context), {
    ...ELECTRON_FUSES,
    // Changing the binary voids the ad-hoc signature that Apple silicon
    // requires before anything will run; signing with a real identity
    // afterwards replaces it anyway.
    resetAdHocDarwinSignature:
      context.electronPlatformName === 'darwin' && (context.arch === Arch.arm64 || context.arch === Arch.universal),
  });
}
