// Putting a desktop release into the update feed (`duplex-relay updates
// publish DIST_DIR`, docs/operations.md). DIST_DIR is electron-builder's
// output: channel files (latest.yml, latest-linux.yml, latest-mac.yml…)
// naming installers by file name with their sha512 and size.
//
// The feed must never show half a release, and a client part-way through a
// download must keep getting the bytes it started with. So:
// 1. everything is checked before anything is written: each channel file
//    parses, names files that exist beside it with the sha512 and size it
//    states, and no file already in the feed would change its bytes (a
//    published name is immutable: the feed lets caches keep installers);
// 2. installers and blockmaps go in first, each copied to a hidden
//    temporary name (never served) and renamed into place;
// 3. the channel files go in last, the same way: a client sees the new
//    version only once every file it names is there.
// Older installers and blockmaps stay: clients download the previous
// version's blockmap for differential updates, and downloads in flight
// finish. Removing old releases is the operator's call.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { describeIssues } from '../src/shared/protocol/index.ts';
import { isServableName } from './update-feed.ts';

/** electron-builder's channel files: latest, beta or alpha, per platform and architecture. */
const CHANNEL_FILE = /^(latest|beta|alpha)(-[a-z0-9]+)*\.yml$/;
const MAX_CHANNEL_FILE_BYTES = 1024 * 1024;

const fileName = z.string().refine(isServableName, 'must be a plain file name beside the channel file');
const sha512 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 SHA-512');

/** The part of electron-updater's UpdateInfo that names files; other keys (release notes, staging) pass through. */
const updateInfoSchema = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, 'must be a semantic version'),
  files: z.array(z.object({ url: fileName, sha512, size: z.number().int().nonnegative().optional() })).min(1),
  path: fileName.optional(),
  sha512: sha512.optional(),
});

export class PublishError extends Error {
  override name = 'PublishError';
}

export interface PublishedChannel {
  channelFile: string;
  version: string;
  files: string[];
}

export interface PublishSummary {
  channels: PublishedChannel[];
  /** Files copied now; the rest were in the feed already, byte for byte. */
  copied: string[];
}

export async function publishRelease(distDir: string, updatesDir: string): Promise<PublishSummary> {
  const entries = await readdir(distDir).catch((error: NodeJS.ErrnoException) => {
    throw new PublishError(`cannot read ${distDir}: ${error.code ?? error.message}`);
  });
  const channelFiles = entries.filter((name) => CHANNEL_FILE.test(name)).sort();
  if (channelFiles.length === 0) {
    throw new PublishError(`${distDir} holds no latest*.yml: is it electron-builder's output folder (dist/)?`);
  }
  const channels: PublishedChannel[] = [];
  /** Every installer and blockmap to publish, with its SHA-512 (base64). */
  const payload = new Map<string, string>();
  for (const channelFile of channelFiles) {
    const info = await readChannelFile(path.join(distDir, channelFile));
    const named = new Set(info.files.map((file) => file.url));
    if (info.path !== undefined && !named.has(info.path)) {
      throw new PublishError(`${channelFile}: path ${info.path} is not among its files`);
    }
    for (const file of info.files) {
      const source = path.join(distDir, file.url);
      const found = await stat(source).catch(() => undefined);
      if (!found?.isFile()) throw new PublishError(`${channelFile} names ${file.url}, which is not in ${distDir}`);
      if (file.size !== undefined && found.size !== file.size) {
        throw new PublishError(`${file.url} is ${found.size} bytes, ${channelFile} says ${file.size}`);
      }
      const digest = await sha512Of(source);
      if (digest !== file.sha512) throw new PublishError(`${file.url} does not match the sha512 in ${channelFile}`);
      payload.set(file.url, digest);
      // Differential downloads need the blockmap of this version (and,
      // from the next release on, of this one as the old version).
      const blockmap = `${file.url}.blockmap`;
      if (entries.includes(blockmap)) payload.set(blockmap, await sha512Of(path.join(distDir, blockmap)));
    }
    channels.push({ channelFile, version: info.version, files: [...named] });
  }

  await mkdir(updatesDir, { recursive: true });
  const toCopy: string[] = [];
  for (const [name, digest] of payload) {
    const published = path.join(updatesDir, name);
    if (!(await stat(published).catch(() => undefined))) {
      toCopy.push(name);
    } else if ((await sha512Of(published)) !== digest) {
      throw new PublishError(
        `${name} is already published with other contents; a published file never changes: build a new version`,
      );
    }
  }
  for (const name of toCopy) await placeAtomically(path.join(distDir, name), updatesDir, name);
  for (const { channelFile } of channels) await placeAtomically(path.join(distDir, channelFile), updatesDir, channelFile);
  // The renames survive a crash only once the directory itself is flushed.
  await flushToDisk(updatesDir);
  return { channels, copied: toCopy };
}

async function readChannelFile(file: string): Promise<z.infer<typeof updateInfoSchema>> {
  const name = path.basename(file);
  const text = await readFile(file, 'utf8');
  if (Buffer.byteLength(text) > MAX_CHANNEL_FILE_BYTES) throw new PublishError(`${name} is larger than 1 MiB`);
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new PublishError(`${name} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = updateInfoSchema.safeParse(parsed);
  if (!result.success) throw new PublishError(`${name}: ${describeIssues(result.error)}`);
  return result.data;
}

function sha512Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('base64')));
  });
}

/** Copies to a hidden temporary name in the feed, flushes it, then renames it over `name`. */
async function placeAtomically(source: string, updatesDir: string, name: string): Promise<void> {
  const temporary = path.join(updatesDir, `.publish-${randomBytes(6).toString('hex')}-${name}`);
  try {
    await copyFile(source, temporary);
    await flushToDisk(temporary);
    await rename(temporary, path.join(updatesDir, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** fsync of a file or a directory. */
async function flushToDisk(pathname: string): Promise<void> {
  const handle = await open(pathname, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
