// One server under test and its load generator: starting them, each
// measurement the coordinator asks for, and stopping them again.
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

export interface TargetResult {
  target: TargetName;
  setup: SetupResult & ConnectResult;
  memory: MemoryResult;
  probe: LoadResult;
  steps: Step[];
  /** The sustained step with the highest delivery rate; null if none was. */
  max: Step | null;
  latency: Step;
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
  private readonly server: ServerProcess;
  /** The PostgreSQL database of `relay-postgres`, dropped at the end. */
  private readonly database: TestDatabase | undefined;
  private readonly generator: LoadGenerator;
  private setupResult: (SetupResult & ConnectResult) | undefined;
  private rssBefore = 0;
  private rssIdle = 0;

  private constructor(
    name: TargetName,
    options: BenchOptions,
    scratch: string,
    profileDir: string | undefined,
    server: ServerProcess,
    database: TestDatabase | undefined,
  ) {
    this.name = name;
    this.database = database;
    this.options = options;
    this.scratch = scratch;
    this.profileDir = profileDir;
    this.server = server;
    this.generator = new LoadGenerator();
  }

  static async start(name: TargetName, options: BenchOptions): Promise<BenchTarget> {
    const scratch = await mkdtemp(join(tmpdir(), `duplex-bench-${name}-`));
    const profileDir = options.profile ? join(scratch, 'profile') : undefined;
    // A profile someone asked for must survive even an interrupted run.
    if (!profileDir) trackScratchDir(scratch);
    let database: TestDatabase | undefined;
    try {
      if (name === 'relay-postgres') database = await createTestDatabase('duplex_bench', options.postgresServer);
      const server = await launchTarget(name, options, scratch, profileDir, database?.url);
      return new BenchTarget(name, options, scratch, profileDir, server, database);
    } catch (error) {
      await database?.drop();
      untrackScratchDir(scratch);
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  get url(): string {
    return this.server.url;
  }

  get pid(): number {
    return this.server.pid;
  }

  /** The server's last lines of output, for a failure report. */
  serverOutput(): string {
    return this.server.output();
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
        url: this.server.url,
        serverPid: this.server.pid,
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
    this.rssBefore = median(await sampleRss(this.server.pid, 5, settleMs / 2));
    const { connectMs } = await this.generator.request<ConnectResult>({ cmd: 'connect' }, CONNECT_TIMEOUT_MS);
    if (this.setupResult) this.setupResult.connectMs = connectMs;
    await sleep(settleMs);
    this.rssIdle = median(await sampleRss(this.server.pid, 5, settleMs / 2));
    return { connectMs, bytesPerConnection: (this.rssIdle - this.rssBefore) / this.options.clients };
  }

  probe(seconds: number): Promise<LoadResult> {
    return this.generator.request<LoadResult>({ cmd: 'probe', seconds, window: 1 }, seconds * 1000 + LOAD_TIMEOUT_SLACK_MS);
  }

  async load(sendsPerSecond: number, warmupSeconds: number, seconds: number, accumulate: boolean): Promise<Step> {
    const result = await this.generator.request<LoadResult>(
      { cmd: 'rate', sendsPerSecond, warmupSeconds, seconds, accumulate },
      (warmupSeconds + seconds) * 1000 + LOAD_TIMEOUT_SLACK_MS,
    );
    return judge(result, this.fanout);
  }

  /** Reads the server's /metrics; undefined when it has none (the baseline). */
  async scrapeMetrics(): Promise<Record<string, number> | undefined> {
    try {
      const response = await fetch(new URL('/metrics', this.server.url), {
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

  result(probe: LoadResult, steps: Step[], max: Step | null, latency: Step, serverMetrics?: Record<string, number>): TargetResult {
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
    };
    if (serverMetrics) result.serverMetrics = serverMetrics;
    if (this.profileDir) result.profileDir = this.profileDir;
    return result;
  }

  /** Stops the generator and the server; safe to call more than once. */
  async stop(): Promise<void> {
    await this.generator.stop();
    await this.server.stop();
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
  scratch: string,
  profileDir: string | undefined,
  databaseUrl: string | undefined,
): Promise<ServerProcess> {
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  if (name === 'baseline') return launchServer('baseline', [...profiling, BASELINE_ENTRY, '--host', '127.0.0.1', '--port', '0']);
  if (!existsSync(options.relayEntry)) {
    throw new Error(`${options.relayEntry} does not exist (yet); run with --targets baseline to measure the baseline alone`);
  }
  const args = [...profiling, options.relayEntry, '--host', '127.0.0.1', '--port', '0', '--data', join(scratch, 'data')];
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
    DUPLEX_SCRYPT_COST: '10',
    DUPLEX_METRICS_TOKEN: METRICS_TOKEN,
    DUPLEX_UNAUTHENTICATED_SOCKETS_PER_ADDRESS: '100000',
  });
}

/** /metrics is served only with a token (docs/relay.md); any will do here. */
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
