// Starting a relay inside the test process (faster than a child process):
// real HTTP and WebSocket on a loopback port 0, a real SQLite file in a fresh
// temporary directory, test-friendly defaults (cheap password hashing,
// silent logs, no registration limit, a metrics token) and any limit
// overridable.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type RelayConfig } from '../../../relay/config.ts';
import type { Limits } from '../../../relay/limits.ts';
import { createLogger } from '../../../relay/log.ts';
import { Relay } from '../../../relay/server.ts';
import type { RelayStore } from '../../../relay/store/types.ts';
import { WS_PATH } from '../../../src/shared/protocol/index.ts';

/** The bearer token of /metrics on test relays, unless a test sets another. */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

export interface TestRelay {
  relay: Relay;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** Shuts the relay down and removes its data directory if it made it. */
  stop(): Promise<void>;
}

export type TestRelayOptions = Partial<Omit<RelayConfig, 'limits'>> & {
  limits?: Partial<Limits>;
  /** Another store than SQLite in the data directory. */
  store?: RelayStore;
  /** With `redisUrl`: the cluster's key prefix (several clusters on one Redis). */
  redisPrefix?: string;
};

/** Starts a relay; on a fresh temporary data directory unless `dataDir` is given (then stop() keeps it). */
export async function startTestRelay({ store, redisPrefix, ...options }: TestRelayOptions = {}): Promise<TestRelay> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'duplex-relay-test-')));
  const defaults = defaultConfig();
  const config: RelayConfig = {
    ...defaults,
    port: 0,
    dataDir,
    updatesDir: path.join(dataDir, 'updates'),
    scryptCost: 10,
    metricsToken: TEST_METRICS_TOKEN,
    logLevel: (process.env.DUPLEX_TEST_LOG_LEVEL as RelayConfig['logLevel'] | undefined) ?? 'silent',
    ...options,
    // Test files register many users from one address.
    limits: { ...defaults.limits, registrationsPerAddress: 100_000, ...options.limits },
  };
  const relay = await Relay.start({ config, store, redisPrefix, log: createLogger(config.logLevel) });
  return {
    relay,
    url: relay.url,
    wsUrl: `${relay.url.replace(/^http/, 'ws')}${WS_PATH}`,
    dataDir,
    async stop() {
      await relay.shutdown();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The relay's /metrics text, read with the test token. */
export async function scrapeMetrics(relay: TestRelay): Promise<string> {
  const response = await fetch(`${relay.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`/metrics: HTTP ${response.status}`);
  return response.text();
}
