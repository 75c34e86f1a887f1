// One server under test and its load generator: starting them, each
// measurement the coordinator asks for, and stopping them again. A server is
// one process, or for `relay-cluster` several relay processes (nodes) on one
// PostgreSQL database and one private redis-server, measured together.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, TargetName } from './args.ts';
import { type ConnectResult, type LoadResult, LoadGenerator, type SetupResult } from './ipc.ts';
import { launchServer, sampleRss, type ServerProcess, trackScratchDir, untrackScratchDir } from './processes.ts';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres.ts';
import { RedisServer } from '../../test/helpers/redis-server.ts';
import { type DependencyCpu, DependencyCpuMeter } from './dependency-cpu.ts';
import { judge, type Step } from './ramp.ts';
import { median } from './stats.ts';

const BASELINE_ENTRY = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));
/** Generous request timeouts: they only exist so that a hung child cannot hang the run. */
const SETUP_TIMEOUT_MS = 600_000;
const CONNECT_TIMEOUT_MS = 300_000;
const LOAD_TIMEOUT_SLACK_MS = 60_000;

export interface MemoryResult {
  /** RSS after setup, before the measured clients connect. */
  rssBeforeConnectBytes: number;
  rssIdleBytes: number;
  /** Median RSS during the closed-loop probe: every client with a send in flight. */
  rssBusyBytes: number;
  /** Highest RSS seen in any measured window (usually after an overloaded ramp step). */
  rssPeakBytes: number;
  idleBytesPerConnection: number;
  busyBytesPerConnection: number;
}

/** A measured step, with the CPU of PostgreSQL and Redis over it for the targets that use them. */
export type MeasuredStep = Step & { dependencyCpu?: DependencyCpu };

export interface TargetResult {
  target: TargetName;
  setup: SetupResult & ConnectResult;
  memory: MemoryResult;
  probe: LoadResult;
  steps: MeasuredStep[];
  /** The sustained step with the highest delivery rate; null if none was. */
  max: MeasuredStep | null;
  latency: MeasuredStep;
  /** Relay processes measured together (a cluster's nodes), 1 otherwise. */
  nodes: number;
  /**
   * The server's own counters at the end of the run (unlabelled samples and
   * histogram sums and counts from its Prometheus /metrics), when it has any.
   */
  serverMetrics?: Record<string, number>;
  /** Where the server's V8 CPU profile went, when asked for one. */
  profileDir?: string;
}

export class BenchTarget {
  readonly name: TargetName;
  private readonly options: BenchOptions;
  private readonly scratch: string;
  private readonly profileDir: string | undefined;
  private readonly servers: ServerProcess[];
  /** The PostgreSQL database of `relay-postgres` and `relay-cluster`, dropped at the end. */
  private readonly database: TestDatabase | undefined;
  /** The cluster's redis-server, killed at the end. */
  private readonly redis: RedisServer | undefined;
  private readonly dependencies: DependencyCpuMeter | undefined;
  private readonly generator: LoadGenerator;
  private setupResult: (SetupResult & ConnectResult) | undefined;
  private rssBefore = 0;
  private rssIdle = 0;

  private constructor(
    name: TargetName,
    options: BenchOptions,
    scratch: string,
    profileDir: string | undefined,
    servers: ServerProcess[],
    database: TestDatabase | undefined,
    redis: RedisServer | undefined,
  ) {
    this.name = name;
    this.database = database;
    this.redis = redis;
    this.dependencies = database && new DependencyCpuMeter(database.name, redis?.pid);
    this.options = options;
    this.scratch = scratch;
    this.profileDir = profileDir;
    this.servers = servers;
    this.generator = new LoadGenerator();
  }

  static async start(name: TargetName, options: BenchOptions): Promise<BenchTarget> {
    const scratch = await mkdtemp(join(tmpdir(), `duplex-bench-${name}-`));
    const profileDir = options.profile ? join(scratch, 'profile') : undefined;
    // A profile someone asked for must survive even an interrupted run.
    if (!profileDir) trackScratchDir(scratch);
    let database: TestDatabase | undefined;
    let redis: RedisServer | undefined;
    try {
      if (name === 'relay-postgres' || name === 'relay-cluster') database = await createTestDatabase('duplex_bench', options.postgresServer);
      if (name === 'relay-cluster') redis = await RedisServer.start();
      // A cluster's nodes start together, on the empty database.
      const servers = await Promise.all(
        Array.from({ length: name === 'relay-cluster' ? options.nodes : 1 }, (_, node) =>
          launchTarget(name, options, join(scratch, `node${node}`), profileDir, database?.url, redis?.url),
        ),
      );
      return new BenchTarget(name, options, scratch, profileDir, servers, database, redis);
    } catch (error) {
      await database?.drop();
      await redis?.kill();
      untrackScratchDir(scratch);
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  /** The (first node's) URL. */
  get url(): string {
    return this.servers[0]?.url ?? '';
  }

  get pids(): number[] {
    return this.servers.map((server) => server.pid);
  }

  /** The server's last lines of output, for a failure report. */
  serverOutput(): string {
    return this.servers.map((server) => server.output()).join('\n');
  }

  get fanout(): number {
    return this.setupResult?.meanFanout ?? 0;
  }

  async setup(): Promise<SetupResult> {
    const { options } = this;
    const setup = await this.generator.request<SetupResult>(
      {
        cmd: 'setup',
        target: this.name === 'baseline' ? 'baseline' : 'relay',
        urls: this.servers.map((server) => server.url),
        serverPids: this.pids,
        clients: options.clients,
        members: options.members,
        bodyBytes: options.bodyBytes,
      },
      SETUP_TIMEOUT_MS,
    );
    this.setupResult = { ...setup, connectMs: 0 };
    return setup;
  }

  /**
   * Idle memory: what the server holds for N authenticated, synced, silent
   * connections, over what it held with its data loaded and none connected.
   */
  async connectAndMeasureIdle(): Promise<{ connectMs: number; bytesPerConnection: number }> {
    // Quiet for half the settle time, RSS sampled over the other half; the
    // same after connecting, with the whole settle time to quieten.
    const settleMs = this.options.settleSeconds * 1000;
    await sleep(settleMs / 2);
    this.rssBefore = median(await sampleRss(this.pids, 5, settleMs / 2));
    const { connectMs } = await this.generator.request<ConnectResult>({ cmd: 'connect' }, CONNECT_TIMEOUT_MS);
    if (this.setupResult) this.setupResult.connectMs = connectMs;
    await sleep(settleMs);
    this.rssIdle = median(await sampleRss(this.pids, 5, settleMs / 2));
    return { connectMs, bytesPerConnection: (this.rssIdle - this.rssBefore) / this.options.clients };
  }

  probe(seconds: number): Promise<LoadResult> {
    return this.generator.request<LoadResult>({ cmd: 'probe', seconds, window: 1 }, seconds * 1000 + LOAD_TIMEOUT_SLACK_MS);
  }

  async load(sendsPerSecond: number, warmupSeconds: number, seconds: number, accumulate: boolean): Promise<MeasuredStep> {
    const before = this.dependencies?.read();
    const result = await this.generator.request<LoadResult>(
      { cmd: 'rate', sendsPerSecond, warmupSeconds, seconds, accumulate },
      (warmupSeconds + seconds) * 1000 + LOAD_TIMEOUT_SLACK_MS,
    );
    const step: MeasuredStep = judge(result, this.fanout);
    // Over the warm-up too: the rate is the same throughout.
    if (this.dependencies && before) step.dependencyCpu = DependencyCpuMeter.between(before, this.dependencies.read());
    return step;
  }

  /** Reads the servers' /metrics, summed over a cluster's nodes; undefined when there are none (the baseline). */
  async scrapeMetrics(): Promise<Record<string, number> | undefined> {
    const scraped = await Promise.all(this.servers.map((server) => scrapeServer(server.url)));
    if (scraped.some((metrics) => metrics === undefined)) return undefined;
    const summed: Record<string, number> = {};
    for (const metrics of scraped as Record<string, number>[]) {
      for (const [name, value] of Object.entries(metrics)) summed[name] = (summed[name] ?? 0) + value;
    }
    return summed;
  }

  result(probe: LoadResult, steps: MeasuredStep[], max: MeasuredStep | null, latency: MeasuredStep, serverMetrics?: Record<string, number>): TargetResult {
    const clients = this.options.clients;
    // Busy memory comes from the probe, which runs before the ramp: the ramp's
    // overloaded steps queue messages, and V8 keeps the heap it grew for them,
    // so any later reading would show the worst overload rather than "busy".
    const rssBusy = median(probe.serverRss);
    const rssPeak = Math.max(...[probe, ...steps, latency].flatMap((window) => window.serverRss));
    const result: TargetResult = {
      target: this.name,
      setup: this.setupResult ?? { groups: 0, meanFanout: 0, registerMs: 0, createMs: 0, connectMs: 0 },
      memory: {
        rssBeforeConnectBytes: this.rssBefore,
        rssIdleBytes: this.rssIdle,
        rssBusyBytes: rssBusy,
        rssPeakBytes: rssPeak,
        idleBytesPerConnection: (this.rssIdle - this.rssBefore) / clients,
        busyBytesPerConnection: (rssBusy - this.rssBefore) / clients,
      },
      probe,
      steps,
      max,
      latency,
      nodes: this.servers.length,
    };
    if (serverMetrics) result.serverMetrics = serverMetrics;
    if (this.profileDir) result.profileDir = this.profileDir;
    return result;
  }

  /** Stops the generator and the server; safe to call more than once. */
  async stop(): Promise<void> {
    await this.generator.stop();
    await Promise.all(this.servers.map((server) => server.stop()));
    await this.redis?.kill();
    await this.database?.drop();
    // Keep the scratch directory only when it holds a profile someone asked for.
    if (!this.profileDir) {
      untrackScratchDir(this.scratch);
      await rm(this.scratch, { recursive: true, force: true });
    }
  }
}

async function launchTarget(
  name: TargetName,
  options: BenchOptions,
  dataDir: string,
  profileDir: string | undefined,
  databaseUrl: string | undefined,
  redisUrl: string | undefined,
): Promise<ServerProcess> {
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  if (name === 'baseline') return launchServer('baseline', [...profiling, BASELINE_ENTRY, '--host', '127.0.0.1', '--port', '0']);
  if (!existsSync(options.relayEntry)) {
    throw new Error(`${options.relayEntry} does not exist (yet); run with --targets baseline to measure the baseline alone`);
  }
  const args = [...profiling, options.relayEntry, '--host', '127.0.0.1', '--port', '0', '--data', dataDir];
  args.push('--no-rate-limits', '--log-level', 'warn');
  // Password hashing is deliberately slow and is not what this benchmark
  // measures (sessions use tokens); the cheapest allowed cost keeps setup of
  // hundreds of accounts down to seconds. An environment variable, so that a
  // relay without the setting simply ignores it; so are the metrics token and
  // the cap on sockets waiting for hello per address (every load generator
  // connects from loopback, many at once).
  return launchServer(name, args, {
    ...process.env,
    ...(databaseUrl && { DUPLEX_DATABASE_URL: databaseUrl }),
    ...(redisUrl && { DUPLEX_REDIS_URL: redisUrl }),
    DUPLEX_SCRYPT_COST: '10',
    DUPLEX_METRICS_TOKEN: METRICS_TOKEN,
    DUPLEX_UNAUTHENTICATED_SOCKETS_PER_ADDRESS: '100000',
  });
}

/** /metrics is served only with a token (docs/relay.md); any will do here. */
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** A server's /metrics: unlabelled samples and histogram sums and counts; undefined when it has none. */
async function scrapeServer(url: string): Promise<Record<string, number> | undefined> {
  try {
    const response = await fetch(new URL('/metrics', url), {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) return undefined;
    const metrics: Record<string, number> = {};
    for (const line of (await response.text()).split('\n')) {
      // Keep `name value` and `name{labels} value` lines, but no histogram
      // buckets: the sums and counts are enough to give means.
      const match = /^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (\S+)$/i.exec(line);
      if (!match?.[1] || !match[3] || match[1].endsWith('_bucket')) continue;
      const name = match[1] + (match[2] ?? '');
      metrics[name] = Number(match[3]);
    }
    return metrics;
  } catch {
    return undefined;
  }
}
