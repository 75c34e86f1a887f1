// Command-line options of `npm run bench:relay -- …`. Every option has a
// default chosen so that a plain run finishes in about two to three minutes on
// the 2-core reference machine.
import { parseArgs } from 'node:util';
import { defaultResultsDir } from '../results.ts';
import { presetReader } from '../smoke.ts';

/**
 * `relay` is the relay on SQLite; `relay-postgres` the same relay on a
 * PostgreSQL database of the run's own; `relay-cluster` --nodes relays on one
 * such database and a private redis-server, the clients spread over them.
 */
export type TargetName = 'relay' | 'relay-postgres' | 'relay-cluster' | 'baseline';

export const STORES = ['sqlite', 'postgres', 'both'] as const;
export type StoreChoice = (typeof STORES)[number];

export interface BenchOptions {
  clients: number;
  members: number;
  /** Length of the measured window of the latency phase. */
  seconds: number;
  /** Length of each measured step of the max-rate ramp. */
  stepSeconds: number;
  bodyBytes: number;
  targets: TargetName[];
  /** PostgreSQL server (no database) on which `relay-postgres` and `relay-cluster` get a fresh database. */
  postgresServer: string;
  /** Nodes of `relay-cluster`; 1 = no cluster target. */
  nodes: number;
  /** Fixed sends/s for the latency phase; 0 means half the relay's maximum. */
  latencyRate: number;
  relayEntry: string;
  outDir: string;
  /** Longest wait for other processes to go quiet before a measurement (three times that per run); 0 = never. */
  quietWait: number;
  /** Pause before each idle-memory reading (see target.ts). */
  settleSeconds: number;
  /** Most max-rate steps per server. */
  maxSteps: number;
  /** Write V8 CPU profiles of the servers (for finding relay hot spots). */
  profile: boolean;
  /** Tiny sizes that only show the benchmark still runs (npm test). */
  smoke: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench:relay -- [options]

  --clients N         authenticated clients (default 400)
  --members M         members per group conversation (default 10)
  --seconds S         measured seconds of the latency phase (default 10)
  --step-seconds S    measured seconds of each max-rate step (default 3)
  --body-bytes B      message body length (default 80)
  --targets LIST      relay,baseline (default both, relay first)
  --store S           the relay's store: sqlite (default), postgres (a fresh
                      database on --postgres-server, dropped afterwards), or
                      both: SQLite and PostgreSQL relays measured in one run
  --postgres-server U PostgreSQL server for --store postgres|both and --nodes
                      (default postgres://postgres@127.0.0.1:5432)
  --nodes N           also measure a cluster of N relay processes (2..8) on a
                      fresh PostgreSQL database and a private redis-server,
                      the clients spread over the nodes; implies --store both,
                      so one SQLite and one PostgreSQL relay run beside it
  --latency-rate R    sends/s for the latency phase (default: half the relay's max)
  --max-steps N       most max-rate steps per server (default 8)
  --settle-seconds S  quiet time before the idle-memory readings (default 2)
  --relay-entry PATH  relay entry point (default relay/main.ts)
  --out DIR           results directory (default bench/results, with --smoke
                      bench/results/smoke)
  --quiet-wait S      wait up to S seconds for other processes to go quiet before
                      each measurement (3 × S in all), and measure a disturbed
                      step again (default 20; 0 = off)
  --profile           write V8 CPU profiles of the servers to a temp dir
  --smoke             tiny sizes, a few seconds: checks that the benchmark
                      runs, measures nothing (--clients 10 --members 5
                      --seconds 1 --step-seconds 1 --max-steps 1
                      --settle-seconds 0.2 --quiet-wait 0, output in
                      bench/results/smoke); options given explicitly still apply
  --help              this text
`;

/** The defaults of the options that take a value… */
const DEFAULTS = {
  clients: '400',
  members: '10',
  seconds: '10',
  'step-seconds': '3',
  'body-bytes': '80',
  targets: 'relay,baseline',
  store: 'sqlite',
  'postgres-server': 'postgres://postgres@127.0.0.1:5432',
  nodes: '1',
  'latency-rate': '0',
  'max-steps': '8',
  'settle-seconds': '2',
  'relay-entry': 'relay/main.ts',
  'quiet-wait': '20',
};

/** …and those --smoke changes. */
const SMOKE_DEFAULTS: Partial<typeof DEFAULTS> = {
  clients: '10',
  members: '5',
  seconds: '1',
  'step-seconds': '1',
  'max-steps': '1',
  'settle-seconds': '0.2',
  'quiet-wait': '0',
};

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      clients: { type: 'string' },
      members: { type: 'string' },
      seconds: { type: 'string' },
      'step-seconds': { type: 'string' },
      'body-bytes': { type: 'string' },
      targets: { type: 'string' },
      store: { type: 'string' },
      'postgres-server': { type: 'string' },
      nodes: { type: 'string' },
      'latency-rate': { type: 'string' },
      'max-steps': { type: 'string' },
      'settle-seconds': { type: 'string' },
      'relay-entry': { type: 'string' },
      'quiet-wait': { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

  const smoke = values.smoke === true;
  const raw = presetReader(values, smoke, DEFAULTS, SMOKE_DEFAULTS);
  const members = integer('members', raw('members'), 2, 256);
  const nodes = integer('nodes', raw('nodes'), 1, 8);
  const options: BenchOptions = {
    clients: integer('clients', raw('clients'), members, 20_000),
    members,
    seconds: number('seconds', raw('seconds'), 1, 600),
    stepSeconds: number('step-seconds', raw('step-seconds'), 1, 60),
    bodyBytes: integer('body-bytes', raw('body-bytes'), 24, 4096),
    targets: withStores(targets(raw('targets')), nodes > 1 ? 'both' : store(raw('store')), nodes),
    postgresServer: raw('postgres-server'),
    nodes,
    latencyRate: number('latency-rate', raw('latency-rate'), 0, 1_000_000),
    maxSteps: integer('max-steps', raw('max-steps'), 1, 20),
    settleSeconds: number('settle-seconds', raw('settle-seconds'), 0.1, 60),
    relayEntry: raw('relay-entry'),
    outDir: values.out ?? defaultResultsDir(smoke),
    quietWait: number('quiet-wait', raw('quiet-wait'), 0, 600),
    profile: values.profile === true,
    smoke,
    help: values.help === true,
  };
  return options;
}

function number(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be a number in ${min}..${max}, got "${raw}"`);
  }
  return value;
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = number(name, raw, min, max);
  if (!Number.isInteger(value)) throw new Error(`--${name} must be an integer, got "${raw}"`);
  return value;
}

function store(raw: string): StoreChoice {
  if (!(STORES as readonly string[]).includes(raw)) throw new Error(`--store must be one of ${STORES.join(', ')}, got "${raw}"`);
  return raw as StoreChoice;
}

/** The relay target as the store choice makes it: on SQLite, on PostgreSQL, or both, SQLite first; then the cluster, if any. */
function withStores(names: TargetName[], choice: StoreChoice, nodes: number): TargetName[] {
  const stores: TargetName[] = { sqlite: ['relay'], postgres: ['relay-postgres'], both: ['relay', 'relay-postgres'] }[choice] as TargetName[];
  const relays: TargetName[] = nodes > 1 ? [...stores, 'relay-cluster'] : stores;
  return names.flatMap((name) => (name === 'relay' ? relays : [name]));
}

function targets(raw: string): TargetName[] {
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const result: TargetName[] = [];
  for (const name of names) {
    if (name !== 'relay' && name !== 'baseline') throw new Error(`--targets: unknown target "${name}"`);
    if (!result.includes(name)) result.push(name);
  }
  if (result.length === 0) throw new Error('--targets must name at least one of relay, baseline');
  // The relay runs first: the baseline's latency phase reuses the relay's rate.
  return result.includes('relay') ? ['relay', ...result.filter((name) => name !== 'relay')] : result;
}
