// `npm run bench:client` (node bench/client/run.ts): the client engine's
// figures against a real relay on loopback, printed and written to
// bench/results/client-<time>.json (and client-latest.json):
//
// - local echo: from send() to the `messages` event that shows the message
//   (the write to the outbox included), over 1,000 sends;
// - flush rate: 10,000 messages queued while the relay is down, from the
//   session being `synced` again to the last `ack`; once in one conversation
//   (a window of sends on the wire, see outbox.ts) and once spread over 100
//   conversations (whose windows go side by side). The baseline, in the same
//   run against the same relay: a raw protocol client (bulk-sender.ts)
//   sending as many messages into one conversation with the same window, with
//   nothing of an engine, just before the flush and again just after it (on
//   a shared machine the load moves within a minute; the ratio is taken
//   against their mean and both are printed, so a wide gap shows the ratio
//   is unsure); the ratio says what the engine costs on top;
// - memory: the engine's heap growth from catching up on, and then holding,
//   a conversation of 100,000 messages, with the time that catch-up took and
//   how long the UI's first queries take against it;
// - search: queries over 100,000 messages in the desktop store's FTS5 index
//   against a linear scan of the same messages (search.ts; goal < 50 ms).
//
// `--smoke`: the same steps with tiny sizes, in a few seconds, written to
// bench/results/smoke; npm test runs it to show the benchmark still works
// (docs/benchmarks.md, "Smoke runs").
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { registerAccount, type RelayProcess, startRelay } from '../../test/engine/helpers/relay.ts';
import { withDeadline } from '../deadline.ts';
import { machineInfo } from '../relay/report.ts';
import { defaultResultsDir, writeResults } from '../results.ts';
import { SMOKE_NOTE } from '../smoke.ts';
import { sendBulk } from './bulk-sender.ts';
import { SEND_WINDOW } from '../../src/shared/engine/outbox.ts';
import { searchScenario, type SearchResult } from './search.ts';
import { acknowledged, benchEngine, signedInEngine } from './engine-setup.ts';
import { type Distribution, distribution } from './stats.ts';

const { values: options } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (options.help) {
  console.log(`Usage: node bench/client/run.ts [options]
  --smoke     tiny sizes, a few seconds: checks that the benchmark runs, measures nothing
  --out DIR   results folder (default bench/results, with --smoke bench/results/smoke)`);
  process.exit(0);
}

const SIZES = options.smoke
  ? { echoSends: 20, echoWarmup: 5, flushMessages: 100, flushConversations: 5, heldMessages: 1_000, searchMessages: 2_000, searchRuns: 5 }
  : { echoSends: 1_000, echoWarmup: 100, flushMessages: 10_000, flushConversations: 100, heldMessages: 100_000, searchMessages: 100_000, searchRuns: 50 };
const OUT_DIR = options.out ?? defaultResultsDir(options.smoke);
/** The catch-up of the held conversation fails the run after this long rather than hang. */
const CATCH_UP_DEADLINE_MS = 300_000;

// A precise heap figure needs a full collection first; the flag can be set
// at run time, so `node bench/client/run.ts` needs no extra options.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface FlushResult {
  conversations: number;
  messages: number;
  /** How fast send() filled the outbox while offline. */
  queuedPerSecond: number;
  flushSeconds: number;
  flushedPerSecond: number;
}

interface BaselineResult {
  messages: number;
  window: number;
  seconds: number;
  sentPerSecond: number;
}

interface MemoryResult {
  messages: number;
  catchUpSeconds: number;
  heapGrowthMB: number;
  heapUsedMB: number;
  rssGrowthMB: number;
  rssMB: number;
  newestPageMs: number;
  listConversationsMs: number;
}

interface ClientBenchReport {
  version: 2;
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  machine: ReturnType<typeof machineInfo>;
  /** The machine's 1-minute load average at the start and at the end: how
   * shared it was (the figures move with it; 2 cores here). */
  loadAverage: { start: number; end: number };
  localEchoMs: Distribution;
  flush: FlushResult[];
  /** Raw pipelined sends into one conversation, the one-conversation flush's
   * baseline: just before the flush, and just after it. */
  rawSendBaseline: BaselineResult;
  rawSendBaselineAfter: BaselineResult;
  /** The one-conversation flush rate ÷ the mean of the two baselines' rates. */
  flushOneToBaseline: number;
  memory: MemoryResult;
  search: SearchResult;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const log = (line: string) => console.log(`[${(performance.now() / 1000).toFixed(0).padStart(4)} s] ${line}`);
const mb = (bytes: number) => bytes / 1e6;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function localEcho(relay: RelayProcess): Promise<Distribution> {
  const [alice, bob] = await Promise.all([registerAccount(relay.url, 'Echo'), registerAccount(relay.url, 'Peer')]);
  const bench = await signedInEngine(relay.url, alice);
  const conv = (await bench.engine.createDirect(bob.user.id)).id;
  const shownAt = new Map<string, number>();
  bench.listen((event) => {
    if (event.type !== 'messages') return;
    for (const message of event.messages) if (message.status === 'queued') shownAt.set(message.body, performance.now());
  });
  const samples: number[] = [];
  for (let i = 0; i < SIZES.echoSends + SIZES.echoWarmup; i++) {
    const body = `echo ${i}`;
    const started = performance.now();
    await bench.engine.send(conv, body);
    // The first ones warm the JIT and the store up.
    if (i >= SIZES.echoWarmup) samples.push(shownAt.get(body)! - started);
  }
  await bench.engine.dispose();
  return distribution(samples);
}

async function flush(relay: RelayProcess, conversations: number): Promise<FlushResult> {
  const [alice, bob] = await Promise.all([registerAccount(relay.url, 'Flusher'), registerAccount(relay.url, 'Reader')]);
  const bench = await signedInEngine(relay.url, alice);
  const convs: string[] = [];
  for (let i = 0; i < conversations; i++) {
    convs.push((conversations === 1 ? await bench.engine.createDirect(bob.user.id) : await bench.engine.createGroup(`Group ${i}`, [bob.user.id])).id);
  }
  const offline = bench.reach('offline');
  await relay.stop('SIGTERM');
  await offline;

  const queueStarted = performance.now();
  for (let i = 0; i < SIZES.flushMessages; i++) await bench.engine.send(convs[i % conversations]!, `flush message ${i + 1}`);
  const queuedPerSecond = SIZES.flushMessages / ((performance.now() - queueStarted) / 1000);

  const done = acknowledged(bench, SIZES.flushMessages);
  const online = bench.reach('online');
  await relay.restart();
  await bench.engine.retryNow();
  await online;
  const flushStarted = performance.now();
  await done;
  const flushSeconds = (performance.now() - flushStarted) / 1000;
  await bench.engine.dispose();
  return {
    conversations,
    messages: SIZES.flushMessages,
    queuedPerSecond: round(queuedPerSecond, 0),
    flushSeconds: round(flushSeconds),
    flushedPerSecond: round(SIZES.flushMessages / flushSeconds, 0),
  };
}

async function rawSendBaseline(relay: RelayProcess): Promise<BaselineResult> {
  const [alice, bob] = await Promise.all([registerAccount(relay.url, 'Raw'), registerAccount(relay.url, 'RawReader')]);
  const setup = await signedInEngine(relay.url, alice);
  const conv = (await setup.engine.createDirect(bob.user.id)).id;
  await setup.engine.dispose();
  const seconds = (await timed(() => sendBulk(relay.wsUrl, alice.token, conv, SIZES.flushMessages, SEND_WINDOW))) / 1000;
  return { messages: SIZES.flushMessages, window: SEND_WINDOW, seconds: round(seconds), sentPerSecond: round(SIZES.flushMessages / seconds, 0) };
}

async function memory(relay: RelayProcess): Promise<MemoryResult> {
  const [alice, bob] = await Promise.all([registerAccount(relay.url, 'Holder'), registerAccount(relay.url, 'Writer')]);
  // Alice's device knows the conversation, then goes away while Bob writes.
  const first = await signedInEngine(relay.url, alice);
  const conv = (await first.engine.createDirect(bob.user.id)).id;
  const saved = first.account.saved;
  await first.engine.dispose();
  await sendBulk(relay.wsUrl, bob.token, conv, SIZES.heldMessages);

  collectGarbage();
  const before = process.memoryUsage();
  const bench = benchEngine(saved, first.storeDir);
  let stored = 0;
  const caughtUp = new Promise<void>((resolve) => {
    bench.listen((event) => {
      if (event.type !== 'messages') return;
      stored += event.messages.length;
      if (stored >= SIZES.heldMessages) resolve();
    });
  });
  const started = performance.now();
  await bench.engine.start();
  await withDeadline(caughtUp, CATCH_UP_DEADLINE_MS, `the catch-up of ${SIZES.heldMessages} messages`);
  const catchUpSeconds = (performance.now() - started) / 1000;

  // What the UI asks first when it opens the app and the conversation (all
  // 100,000 messages unread, so the unread count walks all of them).
  const listConversationsMs = await timed(() => bench.engine.listConversations());
  const newestPageMs = await timed(() => bench.engine.getMessages(conv, { limit: 50 }));

  await new Promise((resolve) => setTimeout(resolve, 500));
  collectGarbage();
  const usage = process.memoryUsage();
  const result: MemoryResult = {
    messages: SIZES.heldMessages,
    catchUpSeconds: round(catchUpSeconds),
    heapGrowthMB: round(mb(usage.heapUsed - before.heapUsed)),
    heapUsedMB: round(mb(usage.heapUsed)),
    rssGrowthMB: round(mb(usage.rss - before.rss)),
    rssMB: round(mb(usage.rss)),
    newestPageMs: round(newestPageMs),
    listConversationsMs: round(listConversationsMs),
  };
  await bench.engine.dispose();
  return result;
}

function format(report: ClientBenchReport): string {
  const echo = report.localEchoMs;
  const held = report.memory;
  const n = (value: number) => value.toLocaleString('en-US');
  const ms = (value: number) => value.toFixed(3);
  const rows: Array<[string, string]> = [
    [`local echo, send() → messages event, ${n(echo.count)} sends: p50 / p95 / p99 / max (ms)`, `${ms(echo.p50)} / ${ms(echo.p95)} / ${ms(echo.p99)} / ${ms(echo.max)}`],
    ...report.flush.flatMap((f): Array<[string, string]> => [
      [`flush of ${n(f.messages)} queued over ${f.conversations} conversation(s): seconds`, String(f.flushSeconds)],
      ['  messages/s flushed', n(f.flushedPerSecond)],
      ['  messages/s queued by send() while offline', n(f.queuedPerSecond)],
    ]),
    [
      `baseline: ${n(report.rawSendBaseline.messages)} raw sends into one conversation, window ${report.rawSendBaseline.window}: messages/s, before / after the flush`,
      `${n(report.rawSendBaseline.sentPerSecond)} / ${n(report.rawSendBaselineAfter.sentPerSecond)}`,
    ],
    ['one-conversation flush ÷ mean of the baselines', report.flushOneToBaseline.toFixed(2)],
    [`memory holding ${n(held.messages)} messages in one conversation: catch-up (s)`, String(held.catchUpSeconds)],
    ['  heap growth (MB)', `${signed(held.heapGrowthMB)} (to ${held.heapUsedMB})`],
    ['  RSS growth (MB)', `${signed(held.rssGrowthMB)} (to ${held.rssMB})`],
    ['  listConversations, all unread (ms)', String(held.listConversationsMs)],
    ['  newest page of 50 (ms)', String(held.newestPageMs)],
    [`search over ${n(report.search.messages)} messages: storing them, index kept (s)`, String(report.search.fillSeconds)],
    ...report.search.queries.map((q): [string, string] => [
      `  "${q.query}" (${n(q.matching)} match), newest 50: index / scan p50 (ms), scan÷index`,
      `${ms(q.indexMs.p50)} / ${ms(q.scanMs.p50)}   ×${q.speedup}`,
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Duplex client engine, ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, ` +
      `load average ${report.loadAverage.start.toFixed(1)} at the start, ${report.loadAverage.end.toFixed(1)} at the end` +
      (report.smoke ? SMOKE_NOTE : ''),
    '',
    ...rows.map(([label, value]) => `${label.padEnd(width)}   ${value}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  const relay = await startRelay(['--no-rate-limits']);
  try {
    log('local echo…');
    const localEchoMs = await localEcho(relay);
    log(`baseline: ${SIZES.flushMessages} raw sends into one conversation…`);
    const baseline = await rawSendBaseline(relay);
    log(`flush of ${SIZES.flushMessages} in one conversation…`);
    const flushOne = await flush(relay, 1);
    log(`baseline again: ${SIZES.flushMessages} raw sends into one conversation…`);
    const baselineAfter = await rawSendBaseline(relay);
    log(`flush of ${SIZES.flushMessages} over ${SIZES.flushConversations} conversations…`);
    const flushMany = await flush(relay, SIZES.flushConversations);
    log(`memory with ${SIZES.heldMessages} messages…`);
    const held = await memory(relay);
    log(`search over ${SIZES.searchMessages} messages…`);
    const search = await searchScenario(SIZES.searchMessages, SIZES.searchRuns);
    const report: ClientBenchReport = {
      version: 2,
      startedAt,
      finishedAt: new Date().toISOString(),
      smoke: options.smoke,
      machine: machineInfo(),
      loadAverage: { start: round(loadAtStart), end: round(loadavg()[0]!) },
      localEchoMs,
      flush: [flushOne, flushMany],
      rawSendBaseline: baseline,
      rawSendBaselineAfter: baselineAfter,
      flushOneToBaseline: round(flushOne.flushedPerSecond / ((baseline.sentPerSecond + baselineAfter.sentPerSecond) / 2)),
      memory: held,
      search,
    };
    console.log(`\n${format(report)}\n`);
    const file = await writeResults(OUT_DIR, 'client', startedAt, report);
    console.log(`Results: ${file} (and client-latest.json beside it)`);
  } finally {
    await relay.cleanup();
  }
}

await main();
