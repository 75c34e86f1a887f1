// `npm run bench:fanout`: what crossing Redis costs the relay's fan-out
// (docs/scaling.md). The same load goes, in the same run, through the
// in-process fan-out (the baseline: one node) and through the Redis fan-out
// between two nodes (two links to a private redis-server: publishing on one,
// every recipient subscribed on the other), and the table shows both with
// their ratio:
//   - max: deliveries/s when events to a group are published as fast as the
//     target takes them (each event reaches every member's listener);
//   - latency: p50/p99 from publish to the last member's listener at half the
//     Redis fan-out's max rate.
// Both nodes live in this process, so the Redis figures include the CPU of
// both ends (serialising, Redis protocol, parsing and checking the event).
// JSON goes to bench/results/ (fanout-<time>.json and fanout-latest.json).
//
// Options: --members M (default 10), --events N for the max phase (default
// 20000), --seconds S of the latency phase (default 5), --out DIR, --smoke
// (tiny sizes, a second or two: shows that the benchmark runs; npm test does).
import { parseArgs } from 'node:util';
import { RedisFanout } from '../../relay/cluster/redis-fanout.ts';
import { RedisLink } from '../../relay/cluster/redis-link.ts';
import { type Fanout, InProcessFanout } from '../../relay/fanout.ts';
import { createLogger } from '../../relay/log.ts';
import { RedisServer } from '../../test/helpers/redis-server.ts';
import { describeMachine } from '../relay/machine.ts';
import { LatencyRecorder, type LatencySummary } from '../relay/stats.ts';
import { defaultResultsDir, writeResults } from '../results.ts';
import { presetReader, SMOKE_NOTE } from '../smoke.ts';

const { values: options } = parseArgs({
  options: {
    members: { type: 'string' },
    events: { type: 'string' },
    seconds: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log(`Usage: node bench/fanout/run.ts [options]
  --members M   members of the group each event goes to (default 10)
  --events N    events published in the max phase (default 20000)
  --seconds S   length of the latency phase (default 5)
  --smoke       tiny sizes, a second or two: checks that the benchmark runs, measures nothing
  --out DIR     results folder (default bench/results, with --smoke bench/results/smoke)`);
  process.exit(0);
}
const option = presetReader(
  options,
  options.smoke,
  { members: '10', events: '20000', seconds: '5' },
  { members: '3', events: '300', seconds: '0.5' },
);
const positive = (name: 'members' | 'events' | 'seconds'): number => {
  const value = Number(option(name));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const MEMBERS = Math.round(positive('members'));
const EVENTS = Math.round(positive('events'));
const LATENCY_SECONDS = positive('seconds');
const OUT_DIR = options.out ?? defaultResultsDir(options.smoke);
/** Events published per turn of the event loop in the max phase, so that delivery interleaves with publishing. */
const CHUNK = 100;
/** A body like a short chat message, as a `msg` frame would carry it. */
const TEXT = JSON.stringify({ t: 'msg', msg: { conv: 'c', seq: 1, cid: 'x'.repeat(16), from: 'u', body: 'b'.repeat(80), ts: 0 } });

interface Pair {
  name: 'inProcess' | 'redis';
  publisher: Fanout;
  subscriber: Fanout;
  close(): Promise<void>;
}

interface Outcome {
  deliveriesPerSecond: number;
  /** Events/s of the latency phase (half the Redis max). */
  latencyRate: number;
  latency: LatencySummary;
}

const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Publishes EVENTS events to the group as fast as the target takes them. */
async function maxPhase(pair: Pair): Promise<number> {
  let delivered = 0;
  const expected = EVENTS * MEMBERS;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const unsubscribe = await Promise.all(
    members.map((member) =>
      pair.subscriber.subscribe(member, () => {
        if (++delivered === expected) done();
      }),
    ),
  );
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += CHUNK) {
    for (let i = sent; i < Math.min(EVENTS, sent + CHUNK); i++) pair.publisher.publish(members, { kind: 'frame', text: TEXT });
    await turn();
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  for (const each of unsubscribe) each();
  return expected / seconds;
}

/** Publishes at `rate` events/s for LATENCY_SECONDS; records publish → last member's listener. */
async function latencyPhase(pair: Pair, rate: number): Promise<LatencySummary> {
  const recorder = new LatencyRecorder();
  const pending = new Map<number, { at: number; left: number }>();
  const unsubscribe = await Promise.all(
    members.map((member) =>
      pair.subscriber.subscribe(member, (event) => {
        if (event.kind !== 'frame') return;
        const id = Number(event.text.slice(0, event.text.indexOf(' ')));
        const entry = pending.get(id);
        if (!entry || --entry.left > 0) return;
        pending.delete(id);
        recorder.record(performance.now() - entry.at);
      }),
    ),
  );
  const total = Math.max(1, Math.round(rate * LATENCY_SECONDS));
  const started = performance.now();
  for (let id = 0; id < total; id++) {
    // Paced against the clock, not by sleeping a fixed gap: timers are coarse.
    const due = started + (id * 1000) / rate;
    while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    pending.set(id, { at: performance.now(), left: MEMBERS });
    pair.publisher.publish(members, { kind: 'frame', text: `${id} ${TEXT}` });
  }
  const deadline = performance.now() + 10_000;
  while (pending.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  if (pending.size > 0) throw new Error(`${pair.name}: ${pending.size} events never reached every member`);
  for (const each of unsubscribe) each();
  return recorder.summary();
}

async function redisPair(server: RedisServer): Promise<Pair> {
  const log = createLogger('silent');
  const links = [0, 1].map(() => new RedisLink({ url: server.url, prefix: 'bench:', log }));
  for (const link of links) link.connect();
  const deadline = Date.now() + 10_000;
  while (!links.every((link) => link.isUp)) {
    if (Date.now() > deadline) throw new Error('redis-server did not answer');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const [publisher, subscriber] = links.map((link) => new RedisFanout(link, log)) as [RedisFanout, RedisFanout];
  return {
    name: 'redis',
    publisher,
    subscriber,
    async close() {
      await Promise.all([publisher.close(), subscriber.close()]);
      await Promise.all(links.map((link) => link.close()));
    },
  };
}

function inProcessPair(): Pair {
  const fanout = new InProcessFanout();
  return { name: 'inProcess', publisher: fanout, subscriber: fanout, close: () => fanout.close() };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = await describeMachine();
  const server = await RedisServer.start();
  try {
    const pairs = [inProcessPair(), await redisPair(server)];
    const max = new Map<Pair['name'], number>();
    for (const pair of pairs) max.set(pair.name, await maxPhase(pair));
    // Both at the same rate, one the Redis path sustains easily.
    const rate = (max.get('redis') as number) / MEMBERS / 2;
    const outcomes: Partial<Record<Pair['name'], Outcome>> = {};
    for (const pair of pairs) {
      outcomes[pair.name] = { deliveriesPerSecond: max.get(pair.name) as number, latencyRate: rate, latency: await latencyPhase(pair, rate) };
      await pair.close();
    }
    const { inProcess, redis } = outcomes as Record<Pair['name'], Outcome>;
    const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
    const report = {
      version: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      options: { members: MEMBERS, events: EVENTS, latencySeconds: LATENCY_SECONDS, smoke: options.smoke },
      inProcess,
      redis,
      ratios: {
        deliveriesPerSecond: ratio(redis.deliveriesPerSecond, inProcess.deliveriesPerSecond),
        latencyP99: ratio(redis.latency.p99, inProcess.latency.p99),
      },
    };
    const row = (label: string, a: number, b: number, digits: number) =>
      `  ${label.padEnd(34)}${a.toFixed(digits).padStart(12)}${b.toFixed(digits).padStart(12)}${ratio(b, a).toFixed(2).padStart(14)}`;
    console.log(
      [
        `Fan-out to a group of ${MEMBERS}: in process (one node) against Redis (two nodes)${options.smoke ? SMOKE_NOTE : ''}`,
        `  ${''.padEnd(34)}${'in process'.padStart(12)}${'redis'.padStart(12)}${'redis÷inproc'.padStart(14)}`,
        row('max deliveries/s', inProcess.deliveriesPerSecond, redis.deliveriesPerSecond, 0),
        row(`latency p50 (ms) at ${rate.toFixed(0)} events/s`, inProcess.latency.p50, redis.latency.p50, 3),
        row(`latency p99 (ms) at ${rate.toFixed(0)} events/s`, inProcess.latency.p99, redis.latency.p99, 3),
      ].join('\n'),
    );
    const file = await writeResults(OUT_DIR, 'fanout', startedAt, report);
    console.log(`Results: ${file} (and fanout-latest.json in the same directory)`);
  } finally {
    await server.kill();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
