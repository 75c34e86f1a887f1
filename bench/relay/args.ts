// Command-line options of `npm run bench:relay -- …`. Every option has a
// default chosen so that a plain run finishes in about two to three minutes on
// the 2-core reference machine.
import { parseArgs } from 'node:util';

export type TargetName = 'relay' | 'baseline';

export interface BenchOptions {
  clients: number;
  members: number;
  /** Length of the measured window of the latency phase. */
  seconds: number;
  /** Length of each measured step of the max-rate ramp. */
  stepSeconds: number;
  bodyBytes: number;
  targets: TargetName[];
  /** Fixed sends/s for the latency phase; 0 means half the relay's maximum. */
  latencyRate: number;
  relayEntry: string;
  outDir: string;
  /** Longest wait for other processes to go quiet before a measurement (three times that per run); 0 = never. */
  quietWait: number;
  /** Write V8 CPU profiles of the servers (for finding relay hot spots). */
  profile: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench:relay -- [options]

  --clients N         authenticated clients (default 400)
  --members M         members per group conversation (default 10)
  --seconds S         measured seconds of the latency phase (default 10)
  --step-seconds S    measured seconds of each max-rate step (default 3)
  --body-bytes B      message body length (default 80)
  --targets LIST      relay,baseline (default both, relay first)
  --latency-rate R    sends/s for the latency phase (default: half the relay's max)
  --relay-entry PATH  relay entry point (default relay/main.ts)
  --out DIR           results directory (default bench/results)
  --quiet-wait S      wait up to S seconds for other processes to go quiet before
                      each measurement (3 × S in all), and measure a disturbed
                      step again (default 20; 0 = off)
  --profile           write V8 CPU profiles of the servers to a temp dir
  --help              this text
`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      clients: { type: 'string', default: '400' },
      members: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '10' },
      'step-seconds': { type: 'string', default: '3' },
      'body-bytes': { type: 'string', default: '80' },
      targets: { type: 'string', default: 'relay,baseline' },
      'latency-rate': { type: 'string', default: '0' },
      'relay-entry': { type: 'string', default: 'relay/main.ts' },
      out: { type: 'string', default: 'bench/results' },
      'quiet-wait': { type: 'string', default: '20' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

  const members = integer('members', values.members, 2, 256);
  const options: BenchOptions = {
    clients: integer('clients', values.clients, members, 20_000),
    members,
    seconds: number('seconds', values.seconds, 1, 600),
    stepSeconds: number('step-seconds', values['step-seconds'], 1, 60),
    bodyBytes: integer('body-bytes', values['body-bytes'], 24, 4096),
    targets: targets(values.targets),
    latencyRate: number('latency-rate', values['latency-rate'], 0, 1_000_000),
    relayEntry: values['relay-entry'],
    outDir: values.out,
    quietWait: number('quiet-wait', values['quiet-wait'], 0, 600),
    profile: values.profile,
    help: values.help,
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
