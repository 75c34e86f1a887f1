// The desktop app's update feed at /updates/ and `updates publish`: a real
// relay on loopback serving a real folder; requests are sent byte for byte
// as written (node:http, not fetch, which would normalise the paths under
// test). electron-updater's own generic provider reads the feed as the app
// would, with a plain Node HTTP executor in place of Electron's `net`.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { CancellationToken, HttpExecutor } from 'builder-util-runtime';
import type { BlockMap } from 'builder-util-runtime/out/blockMapApi.js';
import { GenericDifferentialDownloader } from 'electron-updater/out/differentialDownloader/GenericDifferentialDownloader.js';
import { GenericProvider } from 'electron-updater/out/providers/GenericProvider.js';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { publishRelease } from '../../relay/update-publish.ts';
import { runInProcess } from './support/cli.ts';
import { type FakeRelease, sha512Base64, writeFakeRelease } from './support/fake-release.ts';
import { scrapeMetrics, startTestRelay, type TestRelay } from './support/relay.ts';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends `target` exactly as given. */
function raw(target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const url = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: target, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

let relay: TestRelay;
let work: string;
let release: FakeRelease;
const SECRET = 'secret outside the feed';

beforeAll(async () => {
  relay = await startTestRelay();
  work = await mkdtemp(path.join(tmpdir(), 'duplex-updates-'));
  release = await writeFakeRelease(path.join(work, 'dist-1.0.0'), '1.0.0');
  await publishRelease(path.join(work, 'dist-1.0.0'), path.join(relay.dataDir, 'updates'));
  // Things a traversal would like to reach.
  await writeFile(path.join(relay.dataDir, 'secret.txt'), SECRET);
  const updatesDir = path.join(relay.dataDir, 'updates');
  await symlink(path.join(relay.dataDir, 'secret.txt'), path.join(updatesDir, 'link-out.txt'));
  await symlink(path.join(updatesDir, 'latest.yml'), path.join(updatesDir, 'link-in.yml'));
  await mkdir(path.join(updatesDir, 'sub'));
  await writeFile(path.join(updatesDir, 'sub', 'inner.txt'), SECRET);
  await writeFile(path.join(updatesDir, '.hidden'), SECRET);
});

afterAll(async () => {
  await relay.stop();
  await rm(work, { recursive: true, force: true });
});

const linux = () => release.installers['latest-linux.yml']!;

describe('serving the feed', () => {
  test('channel files: YAML, revalidated every time, with validators', async () => {
    const response = await raw('/updates/latest-linux.yml');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/yaml; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers.etag).toMatch(/^"[0-9a-z-]+"$/);
    expect(response.headers['last-modified']).toMatch(/GMT$/);
    expect(response.headers['accept-ranges']).toBe('bytes');
    expect(parseYaml(response.body.toString())).toMatchObject({ version: '1.0.0', path: linux().name });
  });

  test('installers and blockmaps: the bytes, cacheable for good', async () => {
    const response = await raw(`/updates/${linux().name}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['content-length']).toBe(String(linux().bytes.length));
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.equals(linux().bytes)).toBe(true);
    const windows = await raw(`/updates/${encodeURIComponent(release.installers['latest.yml']!.name)}`);
    expect(windows.headers['content-type']).toBe('application/vnd.microsoft.portable-executable');
    expect((await raw(`/updates/${linux().name}.blockmap`)).status).toBe(200);
  });

  test('HEAD: the headers without the body', async () => {
    const response = await raw(`/updates/${linux().name}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(linux().bytes.length));
    expect(response.body.length).toBe(0);
  });

  test('If-None-Match with the current ETag: 304 without a body; another tag: the file', async () => {
    const { headers } = await raw('/updates/latest-linux.yml');
    const etag = headers.etag as string;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await raw('/updates/latest-linux.yml', { headers: { 'If-None-Match': ifNoneMatch } });
      expect(response.status, ifNoneMatch).toBe(304);
      expect(response.body.length).toBe(0);
      expect(response.headers.etag).toBe(etag);
    }
    expect((await raw('/updates/latest-linux.yml', { headers: { 'If-None-Match': '"stale"' } })).status).toBe(200);
  });

  test('single ranges: 206 with Content-Range; suffix and open-ended ranges', async () => {
    const bytes = linux().bytes;
    const size = bytes.length;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-10', size - 10, size - 1],
      [`bytes=${size - 5}-${size + 100}`, size - 5, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const response = await raw(`/updates/${linux().name}`, { headers: { Range: range } });
      expect(response.status, range).toBe(206);
      expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers['content-length']).toBe(String(end - start + 1));
      expect(response.body.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
  });

  test('ranges past the end: 416 naming the size; ranges we do not honour: the whole file', async () => {
    const size = linux().bytes.length;
    const unsatisfiable = await raw(`/updates/${linux().name}`, { headers: { Range: `bytes=${size}-` } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe(`bytes */${size}`);
    const overlapping = Array.from({ length: 3 }, () => `0-${size - 1}`).join(',');
    for (const range of ['items=0-1', 'bytes=5-1', 'bytes=abc', `bytes=${overlapping}`]) {
      const response = await raw(`/updates/${linux().name}`, { headers: { Range: range } });
      expect(response.status, range).toBe(200);
      expect(response.body.length).toBe(size);
    }
  });

  test('If-Range: the ranges for the same file, the whole file once it changed', async () => {
    const { headers } = await raw(`/updates/${linux().name}`, { method: 'HEAD' });
    const same = await raw(`/updates/${linux().name}`, { headers: { Range: 'bytes=0-9', 'If-Range': headers.etag as string } });
    expect(same.status).toBe(206);
    const changed = await raw(`/updates/${linux().name}`, { headers: { Range: 'bytes=0-9', 'If-Range': '"older"' } });
    expect(changed.status).toBe(200);
    expect(changed.body.length).toBe(linux().bytes.length);
  });

  test('several ranges: multipart/byteranges, as differential downloads ask', async () => {
    const bytes = linux().bytes;
    const response = await raw(`/updates/${linux().name}`, { headers: { Range: 'bytes=0-9, 100-199, 5000-5003' } });
    expect(response.status).toBe(206);
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(response.headers['content-type'] ?? '')?.[1];
    expect(boundary).toBeDefined();
    expect(response.headers['content-length']).toBe(String(response.body.length));
    const parts = response.body.toString('latin1').split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(3);
    const expected: Array<[number, number]> = [[0, 9], [100, 199], [5000, 5003]];
    parts.forEach((part, i) => {
      const [start, end] = expected[i]!;
      const [head, body] = part.split('\r\n\r\n') as [string, string];
      expect(head).toContain(`Content-Range: bytes ${start}-${end}/${bytes.length}`);
      expect(Buffer.from(body.slice(0, -2), 'latin1').equals(bytes.subarray(start, end + 1))).toBe(true);
    });
    expect(response.body.toString('latin1').endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  test('only GET and HEAD', async () => {
    const response = await raw('/updates/latest.yml', { method: 'POST' });
    expect(response.status).toBe(405);
  });

  test('counted in the metrics under route="updates"', async () => {
    const metrics = await scrapeMetrics(relay);
    expect(metrics).toMatch(/duplex_http_requests_total\{[^}]*route="updates"[^}]*status="200"[^}]*\} [1-9]/);
  });
});

describe('nothing outside the folder, and no listing', () => {
  const attempts = [
    '/updates',
    '/updates/',
    '/updates/sub',
    '/updates/sub/inner.txt',
    '/updates/sub%2finner.txt',
    '/updates/..%2fsecret.txt',
    '/updates/%2e%2e%2fsecret.txt',
    '/updates/%2E%2E%2Fsecret.txt',
    '/updates/..%5csecret.txt',
    '/updates/.hidden',
    '/updates/link-out.txt',
    '/updates/link-in.yml',
    '/updates//etc/passwd',
    '/updates/%2fetc%2fpasswd',
    `/updates/${encodeURIComponent(path.join(tmpdir(), 'x'))}`,
    '/updates/latest.yml%00',
    '/updates/%00latest.yml',
    '/updates/latest.yml%00.exe',
    '/updates/%',
    '/updates/%c0%ae%c0%ae%2fsecret.txt',
  ];
  test.each(attempts)('%s', async (target) => {
    const response = await raw(target);
    expect(response.status).toBe(404);
    expect(response.body.toString()).not.toContain(SECRET);
    expect(response.body.toString()).not.toContain('version:');
  });

  test('dot segments are resolved before routing, and land outside the feed', async () => {
    for (const target of ['/updates/..', '/updates/%2e%2e', '/updates/../secret.txt', '/updates/%2e%2e/secret.txt', '/updates/./../secret.txt']) {
      const response = await raw(target);
      expect(response.body.toString(), target).not.toContain(SECRET);
    }
  });

  test('a missing updates folder: 404 for everything', async () => {
    const other = await startTestRelay({ updatesDir: path.join(work, 'does-not-exist') });
    try {
      const response = await fetch(`${other.url}/updates/latest.yml`);
      expect(response.status).toBe(404);
    } finally {
      await other.stop();
    }
  });
});

/** electron-updater's HTTP client, over node:http instead of Electron's net. */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return httpRequest(options, callback);
  }
}

describe("electron-updater's generic provider reads the feed", () => {
  test.each([
    ['linux', 'latest-linux.yml'],
    ['win32', 'latest.yml'],
    ['darwin', 'latest-mac.yml'],
  ] as const)('%s: version, file URL, and bytes that match the sha512', async (platform, channelFile) => {
    const executor = new NodeHttpExecutor();
    const provider = new GenericProvider(
      { provider: 'generic', url: `${relay.url}/updates/` },
      // The parts of AppUpdater the provider reads.
      { channel: null, isAddNoCacheQuery: false } as never,
      // Typed as Electron's executor; the provider only uses HttpExecutor's request().
      { isUseMultipleRangeRequest: true, platform, executor: executor as never },
    );
    const info = await provider.getLatestVersion();
    expect(info.version).toBe('1.0.0');
    const [file] = provider.resolveFiles(info);
    const installer = release.installers[channelFile]!;
    expect(file?.url.href).toBe(`${relay.url}/updates/${installer.name}`);
    const bytes = await downloadWith(executor, file!.url);
    expect(sha512Base64(bytes)).toBe(file?.info.sha512);
  });
});

describe("electron-updater's differential download reads ranges from the feed", () => {
  const BLOCK = 4096;
  /** A blockmap of fixed-size blocks (electron-builder cuts by content; the plan only compares checksums). */
  const blockMap = (bytes: Buffer): BlockMap => {
    const sizes: number[] = [];
    const checksums: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += BLOCK) {
      const block = bytes.subarray(offset, offset + BLOCK);
      sizes.push(block.length);
      checksums.push(createHash('sha256').update(block).digest('base64'));
    }
    return { version: '2', files: [{ name: 'file', offset: 0, sizes, checksums }] };
  };

  test.each([
    ['several ranges per request (multipart/byteranges)', true],
    ['one range per request, as the app asks', false],
  ])('%s: the new file from the old one and the changed blocks, sha512 checked', async (_name, multipleRanges) => {
    const old = randomBytes(64 * BLOCK + 100);
    const next = Buffer.from(old);
    // Changed blocks here and there, and a longer tail.
    for (const block of [3, 4, 20, 41, 63]) randomBytes(BLOCK).copy(next, block * BLOCK);
    const grown = Buffer.concat([next, randomBytes(BLOCK + 7)]);
    const name = `Duplex-diff-${multipleRanges ? 'multi' : 'single'}.AppImage`;
    await writeFile(path.join(relay.dataDir, 'updates', name), grown);
    const oldFile = path.join(work, `${name}.old`);
    const newFile = path.join(work, `${name}.new`);
    await writeFile(oldFile, old);

    const requests: string[] = [];
    class RecordingExecutor extends NodeHttpExecutor {
      override createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
        // electron-updater spells it `range` for single ranges, `Range` for several.
        const headers = (options.headers ?? {}) as Record<string, unknown>;
        requests.push(String(headers.range ?? headers.Range ?? 'whole'));
        return super.createRequest(options, callback);
      }
    }
    const downloader = new GenericDifferentialDownloader(
      { size: grown.length, sha512: sha512Base64(grown) },
      new RecordingExecutor() as never,
      {
        newUrl: new URL(`${relay.url}/updates/${name}`),
        oldFile,
        newFile,
        logger: { info: () => {}, warn: () => {}, error: () => {} },
        isUseMultipleRangeRequest: multipleRanges,
        requestHeaders: null,
        cancellationToken: new CancellationToken(),
      },
    );
    await downloader.download(blockMap(old), blockMap(grown));
    expect((await readFile(newFile)).equals(grown)).toBe(true);
    // Only the changed blocks and the tail crossed the network.
    if (multipleRanges) {
      expect(requests).toHaveLength(1);
      expect(requests[0]?.split(',').length).toBeGreaterThan(1);
    } else {
      expect(requests.length).toBeGreaterThan(1);
      expect(requests.every((range) => /^bytes=\d+-\d+$/.test(range))).toBe(true);
    }
  });
});

async function downloadWith(executor: NodeHttpExecutor, url: URL): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = executor.createRequest({ hostname: url.hostname, port: url.port, path: url.pathname }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks)));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('updates publish', () => {
  test('copies a release in: installers, blockmaps and channel files, not the builder leftovers', async () => {
    const dist = path.join(work, 'dist-cli');
    const updatesDir = path.join(work, 'feed-cli');
    const fake = await writeFakeRelease(dist, '2.0.0', 1024);
    const result = await runInProcess(['updates', 'publish', dist, '--updates-dir', updatesDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`latest-linux.yml: version 2.0.0 (${fake.installers['latest-linux.yml']!.name})`);
    const published = (await readdir(updatesDir)).sort();
    const names = Object.values(fake.installers).flatMap(({ name }) => [name, `${name}.blockmap`]);
    expect(published).toEqual([...names, 'latest-linux.yml', 'latest-mac.yml', 'latest.yml'].sort());
    // Publishing the same build again changes nothing and succeeds.
    const again = await runInProcess(['updates', 'publish', dist, '--updates-dir', updatesDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 file(s) copied');
  });

  test('defaults to updates/ in the data directory, and says so in --help', async () => {
    const dist = path.join(work, 'dist-default');
    const data = path.join(work, 'data-default');
    await writeFakeRelease(dist, '2.0.0', 1024);
    expect((await runInProcess(['updates', 'publish', dist, '--data', data])).code).toBe(0);
    expect(await readdir(path.join(data, 'updates'))).toContain('latest.yml');
    const help = await runInProcess(['updates', 'publish', '--help']);
    expect(help.stdout).toContain('--updates-dir DIR');
    expect(help.stdout).toContain('DUPLEX_UPDATES_DIR');
  });

  const refusals: Array<[string, (dist: string, fake: FakeRelease) => Promise<void>, RegExp]> = [
    ['a named file is missing', (dist, fake) => rm(path.join(dist, fake.installers['latest-mac.yml']!.name)), /names .*which is not in/],
    [
      'an installer does not match its sha512',
      async (dist, fake) => {
        const installer = fake.installers['latest.yml']!;
        const changed = Buffer.from(installer.bytes);
        changed[0] = (changed[0]! + 1) % 256;
        await writeFile(path.join(dist, installer.name), changed);
      },
      /does not match the sha512 in latest\.yml/,
    ],
    ['a channel file is not YAML', (dist) => writeFile(path.join(dist, 'latest-linux.yml'), 'version: [\n'), /not valid YAML/],
    [
      'a channel file names a path outside its folder',
      async (dist, fake) => {
        const yml = await readFile(path.join(dist, 'latest.yml'), 'utf8');
        await writeFile(path.join(dist, 'latest.yml'), yml.replaceAll(fake.installers['latest.yml']!.name, '../../etc/passwd'));
      },
      /plain file name/,
    ],
    ['there is no channel file', (dist) => rm(path.join(dist, 'latest.yml')).then(() => rm(path.join(dist, 'latest-linux.yml'))).then(() => rm(path.join(dist, 'latest-mac.yml'))), /no latest\*\.yml/],
  ];
  test.each(refusals)('refuses when %s, and leaves the feed as it was', async (_name, spoil, message) => {
    const dist = await mkdtemp(path.join(work, 'dist-bad-'));
    const updatesDir = await mkdtemp(path.join(work, 'feed-bad-'));
    const fake = await writeFakeRelease(dist, '3.0.0', 1024);
    await spoil(dist, fake);
    const result = await runInProcess(['updates', 'publish', dist, '--updates-dir', updatesDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(await readdir(updatesDir)).toEqual([]);
  });

  test('refuses to change the bytes of a published file', async () => {
    const updatesDir = await mkdtemp(path.join(work, 'feed-immutable-'));
    const first = path.join(work, 'dist-immutable-1');
    const rebuilt = path.join(work, 'dist-immutable-2');
    await writeFakeRelease(first, '4.0.0', 1024);
    await writeFakeRelease(rebuilt, '4.0.0', 1024);
    expect((await runInProcess(['updates', 'publish', first, '--updates-dir', updatesDir])).code).toBe(0);
    const before = await readFile(path.join(updatesDir, 'latest.yml'));
    const result = await runInProcess(['updates', 'publish', rebuilt, '--updates-dir', updatesDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already published with other contents');
    expect((await readFile(path.join(updatesDir, 'latest.yml'))).equals(before)).toBe(true);
  });

  test('a missing DIST_DIR argument is a usage error', async () => {
    const result = await runInProcess(['updates', 'publish']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing DIST_DIR');
  });
});

describe('publishing while clients download', () => {
  test('every channel file a client sees names files that are complete; a download in flight keeps its bytes', async () => {
    const updatesDir = path.join(relay.dataDir, 'updates');
    const next = await writeFakeRelease(path.join(work, 'dist-1.0.1'), '1.0.1', 2 * 1024 * 1024);
    const oldInstaller = linux();

    // A download of 1.0.0 that has started and is paused mid-file.
    const url = new URL(relay.url);
    const slowDownload = new Promise<Buffer>((resolve, reject) => {
      const request = httpRequest({ host: url.hostname, port: url.port, path: `/updates/${oldInstaller.name}` }, (response) => {
        const chunks: Buffer[] = [];
        response.once('data', (chunk: Buffer) => {
          chunks.push(chunk);
          response.pause();
          publishing.then(() => {
            response.on('data', (more: Buffer) => chunks.push(more));
            response.resume();
          }, reject);
        });
        response.on('end', () => resolve(Buffer.concat(chunks)));
      });
      request.on('error', reject);
      request.end();
    });

    // Clients polling the channel file during the publish.
    let done = false;
    const seen = new Set<string>();
    const problems: string[] = [];
    const poll = (async () => {
      while (!done) {
        const response = await raw('/updates/latest-linux.yml');
        const info = parseYaml(response.body.toString()) as { version: string; files: Array<{ url: string; sha512: string }> };
        seen.add(info.version);
        for (const file of info.files) {
          const installer = await raw(`/updates/${file.url}`);
          if (installer.status !== 200 || sha512Base64(installer.body) !== file.sha512) {
            problems.push(`${info.version}: ${file.url} answered ${installer.status}`);
          }
        }
      }
    })();
    const publishing = publishRelease(path.join(work, 'dist-1.0.1'), updatesDir);
    await publishing;
    done = true;
    await poll;
    expect(problems).toEqual([]);
    expect(seen.has('1.0.0') || seen.has('1.0.1')).toBe(true);
    const fetched = parseYaml((await raw('/updates/latest-linux.yml')).body.toString()) as { version: string };
    expect(fetched.version).toBe('1.0.1');
    expect((await slowDownload).equals(oldInstaller.bytes)).toBe(true);
    // The old version stays for downloads in flight and differential updates.
    expect((await raw(`/updates/${oldInstaller.name}.blockmap`)).status).toBe(200);
    expect((await raw(`/updates/${next.installers['latest-linux.yml']!.name}`)).status).toBe(200);
  });
});
