// Finds the Electron binary without triggering the `electron` package's lazy
// download: requiring `electron` downloads the binary when it is missing,
// which cannot work on the build machines (no access to its release host).
// The lookup mirrors the package's own index.js.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const SKIPPED_MESSAGE =
  'SKIPPED: Electron binary not installed (node_modules/electron has no dist/; run `npx install-electron` where its release host is reachable)';

/** The Electron executable, or null when it is not installed. */
export function electronBinary(): string | null {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = readFileSync(pathFile, 'utf8');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? join(override, executable || 'electron') : join(packageDir, 'dist', executable);
  return existsSync(binary) ? binary : null;
}
