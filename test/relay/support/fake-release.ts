// A desktop release as electron-builder writes it to dist/, without
// electron-builder: an installer and its blockmap per platform (random
// bytes standing in for them) and the channel files that name them with
// their sha512 and size, in electron-builder's layout.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dump } from 'js-yaml';

export interface FakeRelease {
  version: string;
  /** Channel file name → the installer it names. */
  installers: Record<string, { name: string; bytes: Buffer }>;
}

const PLATFORMS = [
  { channelFile: 'latest.yml', installer: (version: string) => `Duplex-Setup-${version}.exe` },
  { channelFile: 'latest-linux.yml', installer: (version: string) => `Duplex-${version}.AppImage` },
  { channelFile: 'latest-mac.yml', installer: (version: string) => `Duplex-${version}-arm64-mac.zip` },
];

export function sha512Base64(bytes: Buffer | string): string {
  return createHash('sha512').update(bytes).digest('base64');
}

export async function writeFakeRelease(distDir: string, version: string, installerBytes = 64 * 1024): Promise<FakeRelease> {
  await mkdir(distDir, { recursive: true });
  const installers: FakeRelease['installers'] = {};
  for (const platform of PLATFORMS) {
    const name = platform.installer(version);
    const bytes = randomBytes(installerBytes);
    await writeFile(path.join(distDir, name), bytes);
    await writeFile(path.join(distDir, `${name}.blockmap`), randomBytes(512));
    const sha512 = sha512Base64(bytes);
    const info = {
      version,
      files: [{ url: name, sha512, size: bytes.length }],
      path: name,
      sha512,
      releaseDate: '2026-12-04T18:00:00.000Z',
    };
    await writeFile(path.join(distDir, platform.channelFile), dump(info, { lineWidth: -1 }));
    installers[platform.channelFile] = { name, bytes };
  }
  // electron-builder leaves these in dist/ too; they are not for the feed.
  await writeFile(path.join(distDir, 'builder-debug.yml'), 'x64: {}\n');
  await writeFile(path.join(distDir, 'builder-effective-config.yaml'), 'appId: org.duplex.desktop\n');
  return { version, installers };
}
