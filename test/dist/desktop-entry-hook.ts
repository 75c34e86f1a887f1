// An afterExtract hook that pack-linux.test.ts adds to the build: writes the
// desktop entry that electron-builder puts into the AppImage and the .deb,
// computed by its own code from the real packager, to
// $DUPLEX_DESKTOP_ENTRY_FILE. The dir target, the one that packs without
// downloads, writes no desktop entry itself.
import { writeFile } from 'node:fs/promises';
import { LinuxTargetHelper } from 'app-builder-lib/out/targets/LinuxTargetHelper.js';
import type { AfterPackContext, LinuxPackager } from 'electron-builder';

export default async function writeDesktopEntry(context: AfterPackContext): Promise<void> {
  const file = process.env.DUPLEX_DESKTOP_ENTRY_FILE;
  if (file === undefined) throw new Error('DUPLEX_DESKTOP_ENTRY_FILE is not set');
  const packager = context.packager as LinuxPackager;
  await writeFile(file, await new LinuxTargetHelper(packager).computeDesktopEntry(packager.platformSpecificBuildOptions));
}
