// `npm run bench:files`: upload and download throughput of the relay's files
// endpoint (tus PATCH, GET) against a plain node:http baseline that streams
// the same bytes to and from disk, in the same run; and the relay's RSS growth
// during the 100 MiB upload. Prints a table, writes JSON to bench/results/
// (files-<time>.json and files-latest.json). docs/benchmarks.md explains it.
//
// Options: --rounds N (default 3; the median is reported), --out DIR, and
// --smoke: the same steps with tiny sizes (one 4 MiB file, 10 small ones, one
// round) in a few seconds, written to bench/results/smoke; npm test runs it
// to show the benchmark still works (docs/benchmarks.md, "Smoke runs").
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { describeMachine } from '../relay/machine.ts';
import { emergencyCleanup, launchServer, readRss, type ServerProcess } from '../relay/processes.ts';
import { defaultResultsDir, writeResults } from '../results.ts';
import { presetReader, SMOKE_NOTE } from '../smoke.ts';

const MiB = 1024 * 1024;
const SMALL_BYTES = 200 * 1000;

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string' },
    'big-mib': { type: 'string' },
    'small-count': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log(`Usage: node bench/files/run.ts [options]
  --rounds N         rounds per server; medians are reported (default 3)
  --big-mib N        size of the large file (default 100)
  --small-count N    number of 200 KB files (default 200)
  --smoke            tiny sizes, a few seconds: checks that the benchmark runs, measures nothing
  --out DIR          results folder (default bench/results, with --smoke bench/results/smoke)`);
  process.exit(0);
}
const option = presetReader(
  options,
  options.smoke,
  { rounds: '3', 'big-mib': '100', 'small-count': '200' },
  { rounds: '1', 'big-mib': '4', 'small-count': '10' },
);
const positive = (name: 'rounds' | 'big-mib' | 'small-count'): number => {
  const value = Number(option(name));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const ROUNDS = positive('rounds');
const BIG_BYTES = positive('big-mib') * MiB;
const SMALL_COUNT = positive('small-count');
const OUT_DIR = options.out ?? defaultResultsDir(options.smoke);
const SMALL_CONCURRENCY = 8;
const RSS_SAMPLE_MS = 20;
const GOAL_RATIO = 0.7;
const GOAL_RSS_GROWTH = 20 * 1000 * 1000;

process.on('exit', emergencyCleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    emergencyCleanup();
    process.exit(130);
  });
}

type TargetName = 'relay' | 'baseline' | 'baseline-fsync';

interface Target {
  name: TargetName;
  server: ServerProcess;
  upload(name: string, size: number, body: () => Readable): Promise<string>;
  download(key: string): Promise<number>;
}

const agent = new Agent({ keepAlive: true, maxSockets: SMALL_CONCURRENCY });

/** One HTTP exchange; the response body is counted and dropped. */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Readable,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes }));
      response.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

function expectStatus(what: string, status: number, expected: number): void {
  if (status !== expected) throw new Error(`${what}: HTTP ${status}, expected ${expected}`);
}

async function relayTarget(server: ServerProcess): Promise<Target> {
  const registered = await exchange(`${server.url}/api/register`, 'POST', { 'Content-Type': 'application/json' }, fromBuffer(
    Buffer.from(JSON.stringify({ username: 'bench', password: 'bench password' })),
  ));
  expectStatus('register', registered.status, 201);
  const login = await new Promise<string>((resolve, reject) => {
    const req = request(`${server.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve((JSON.parse(text) as { token: string }).token));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ username: 'bench', password: 'bench password' }));
  });
  const auth = { Authorization: `Bearer ${login}`, 'Tus-Resumable': '1.0.0' };
  return {
    name: 'relay',
    server,
    // One creation request that carries the whole body (tus creation-with-upload),
    // as the apps send a file that fits in one chunk (docs/files.md).
    async upload(name, size, body) {
      const created = await exchange(`${server.url}/api/files`, 'POST', {
        ...auth,
        'Upload-Length': String(size),
        'Upload-Metadata': `filename ${Buffer.from(name).toString('base64')}`,
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(size),
      }, body());
      expectStatus('create', created.status, 201);
      if (created.headers['upload-offset'] !== String(size)) throw new Error(`create: Upload-Offset ${String(created.headers['upload-offset'])}`);
      return String(created.headers.location);
    },
    async download(location) {
      const got = await exchange(`${server.url}${location}`, 'GET', auth);
      expectStatus('download', got.status, 200);
      return got.bytes;
    },
  };
}

function baselineTarget(server: ServerProcess, name: TargetName): Target {
  return {
    name,
    server,
    async upload(name, size, body) {
      const put = await exchange(`${server.url}/${name}`, 'PUT', { 'Content-Length': String(size) }, body());
      expectStatus('put', put.status, 204);
      return `/${name}`;
    },
    async download(key) {
      const got = await exchange(`${server.url}${key}`, 'GET', {});
      expectStatus('get', got.status, 200);
      return got.bytes;
    },
  };
}

/** One chunk as a stream (Readable.from would iterate a Buffer byte by byte). */
function fromBuffer(buffer: Buffer): Readable {
  return Readable.from([buffer]);
}

interface Figures {
  bigUploadMiBps: number;
  bigDownloadMiBps: number;
  smallUploadFilesPerSecond: number;
  smallDownloadFilesPerSecond: number;
  /** Largest RSS during the 100 MiB upload minus RSS just before it, bytes. */
  bigUploadRssGrowth: number;
}

async function measureRound(target: Target, bigFile: string, small: Buffer, round: number): Promise<Figures> {
  const rssBefore = readRss(target.server.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, readRss(target.server.pid));
  }, RSS_SAMPLE_MS);
  let started = performance.now();
  const bigKey = await target.upload(`big-${round}`, BIG_BYTES, () => createReadStream(bigFile, { highWaterMark: 256 * 1024 }));
  const bigUploadSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  started = performance.now();
  const downloaded = await target.download(bigKey);
  if (downloaded !== BIG_BYTES) throw new Error(`${target.name}: downloaded ${downloaded} bytes of ${BIG_BYTES}`);
  const bigDownloadSeconds = (performance.now() - started) / 1000;

  const names = Array.from({ length: SMALL_COUNT }, (_, i) => `small-${round}-${i}`);
  started = performance.now();
  const keys = await inParallel(names, (name) => target.upload(name, SMALL_BYTES, () => fromBuffer(small)));
  const smallUploadSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await inParallel(keys, (key) => target.download(key));
  const smallDownloadSeconds = (performance.now() - started) / 1000;
  return {
    bigUploadMiBps: BIG_BYTES / MiB / bigUploadSeconds,
    bigDownloadMiBps: BIG_BYTES / MiB / bigDownloadSeconds,
    smallUploadFilesPerSecond: SMALL_COUNT / smallUploadSeconds,
    smallDownloadFilesPerSecond: SMALL_COUNT / smallDownloadSeconds,
    bigUploadRssGrowth: rssPeak - rssBefore,
  };
}

async function inParallel<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: SMALL_CONCURRENCY }, worker));
  return results;
}

/** The relay's throughput as a multiple of another target's. */
function ratiosOf(relay: Figures, other: Figures): Record<string, number> {
  return {
    bigUpload: relay.bigUploadMiBps / other.bigUploadMiBps,
    bigDownload: relay.bigDownloadMiBps / other.bigDownloadMiBps,
    smallUpload: relay.smallUploadFilesPerSecond / other.smallUploadFilesPerSecond,
    smallDownload: relay.smallDownloadFilesPerSecond / other.smallDownloadFilesPerSecond,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function medianFigures(rounds: Figures[]): Figures {
  const keys = Object.keys(rounds[0] as Figures) as (keyof Figures)[];
  return Object.fromEntries(keys.map((key) => [key, median(rounds.map((round) => round[key]))])) as unknown as Figures;
}

async function main(): Promise<void> {
  const rounds = ROUNDS;
  const startedAt = new Date().toISOString();
  const machine = await describeMachine();
  console.log(`other processes use ${machine.busyCoresBefore.toFixed(2)} cores before the run`);

  const scratch = await mkdtemp(path.join(tmpdir(), 'duplex-bench-files-'));
  try {
    const bigFile = path.join(scratch, 'big.bin');
    await writeFile(bigFile, randomBytes(BIG_BYTES));
    const small = randomBytes(SMALL_BYTES);
    const relayServer = await launchServer('relay', [
      'relay/main.ts', '--port', '0', '--data', path.join(scratch, 'relay-data'), '--log-level', 'warn',
      '--no-rate-limits', '--scrypt-cost', '10', '--limit', `fileQuotaBytes=${100 * 1024 * MiB}`,
    ]);
    const baselineServer = await launchServer('baseline', ['bench/files/baseline-server.ts']);
    const fsyncServer = await launchServer('baseline-fsync', ['bench/files/baseline-server.ts', '--fsync']);
    const targets = [
      await relayTarget(relayServer),
      baselineTarget(baselineServer, 'baseline'),
      baselineTarget(fsyncServer, 'baseline-fsync'),
    ];
    const measured = new Map<string, Figures[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < rounds; round++) {
      // Alternating, so that a neighbour's burst on this shared machine does not land on one side only.
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        const figures = await measureRound(target, bigFile, small, round);
        measured.get(target.name)?.push(figures);
        console.log(`round ${round + 1}/${rounds} ${target.name}: ${JSON.stringify(figures, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(1)) : v))}`);
      }
    }
    await Promise.all([relayServer.stop(), baselineServer.stop(), fsyncServer.stop()]);
    const relay = medianFigures(measured.get('relay') ?? []);
    const baseline = medianFigures(measured.get('baseline') ?? []);
    const durable = medianFigures(measured.get('baseline-fsync') ?? []);
    const ratios = ratiosOf(relay, baseline);
    const durableRatios = ratiosOf(relay, durable);
    const goals = {
      throughputAtLeast70PercentOfBaseline: Object.values(ratios).every((ratio) => ratio >= GOAL_RATIO),
      rssGrowthBelow20MB: relay.bigUploadRssGrowth < GOAL_RSS_GROWTH,
    };
    const cell = (value: number, unit: string) => `${value.toFixed(1)} ${unit}`.padStart(16);
    const row = (label: string, key: keyof Figures, unit: string) =>
      `${label.padEnd(24)}${cell(relay[key], unit)}${cell(baseline[key], unit)}${(relay[key] / baseline[key]).toFixed(2).padStart(7)}` +
      `${cell(durable[key], unit)}${(relay[key] / durable[key]).toFixed(2).padStart(7)}`;
    console.log(
      [
        '',
        `median of ${rounds} round(s)${options.smoke ? SMOKE_NOTE : ''}`,
        `${''.padEnd(24)}${'relay'.padStart(16)}${'baseline'.padStart(16)}${'ratio'.padStart(7)}` +
          `${'baseline+fsync'.padStart(16)}${'ratio'.padStart(7)}`,
        row(`${BIG_BYTES / MiB} MiB upload`, 'bigUploadMiBps', 'MiB/s'),
        row(`${BIG_BYTES / MiB} MiB download`, 'bigDownloadMiBps', 'MiB/s'),
        row(`${SMALL_COUNT} x 200 KB upload`, 'smallUploadFilesPerSecond', 'files/s'),
        row(`${SMALL_COUNT} x 200 KB download`, 'smallDownloadFilesPerSecond', 'files/s'),
        `${'RSS growth, big upload'.padEnd(24)}${cell(relay.bigUploadRssGrowth / 1e6, 'MB')}${cell(baseline.bigUploadRssGrowth / 1e6, 'MB')}` +
          `${''.padStart(7)}${cell(durable.bigUploadRssGrowth / 1e6, 'MB')}`,
        `fsync of 4 KiB on this machine: p50 ${machine.fsync.p50.toFixed(2)} ms, p99 ${machine.fsync.p99.toFixed(2)} ms`,
        '',
        `goals: throughput >= ${GOAL_RATIO}x baseline: ${goals.throughputAtLeast70PercentOfBaseline ? 'met' : 'NOT met'}; ` +
          `RSS growth < 20 MB: ${goals.rssGrowthBelow20MB ? 'met' : 'NOT met'}`,
      ].join('\n'),
    );
    const report = {
      version: 1,
      smoke: options.smoke,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      rounds,
      sizes: { bigBytes: BIG_BYTES, smallBytes: SMALL_BYTES, smallCount: SMALL_COUNT },
      relay,
      baseline,
      baselineFsync: durable,
      ratios,
      ratiosToBaselineFsync: durableRatios,
      goals,
      perRound: Object.fromEntries(measured),
    };
    const file = await writeResults(OUT_DIR, 'files', startedAt, report);
    console.log(`Results: ${file} (and files-latest.json in the same directory)`);
  } finally {
    agent.destroy();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  emergencyCleanup();
  process.exitCode = 1;
});
