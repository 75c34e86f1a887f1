// The hot loop of the load generator: sends at a set rate (or as fast as acks
// return) and timestamps every ack and delivery. The generator shares the
// machine's two cores with the server under test, so everything here is built
// to cost as little CPU as possible: frames are assembled from pre-serialised
// pieces, and incoming frames are never JSON-parsed; they are classified and
// their send timestamp is read straight from the bytes.
import type { WebSocket } from 'ws';
import { closeSocket, mapLimit, openSession, wsUrlOf } from './connections.ts';
import type { BenchClient } from './dialects.ts';
import type { LoadResult } from './ipc.ts';
import { readCpuSeconds, readMachineCpu, readRss } from './processes.ts';
import { LatencyRecorder, sum } from './stats.ts';

const MARK_MSG = Buffer.from('"t":"msg"');
const MARK_ACK = Buffer.from('"t":"ack"');
const MARK_NACK = Buffer.from('"t":"nack"');
const MARK_ERROR = Buffer.from('"t":"error"');
const BODY_KEY = Buffer.from('"body":"');
/** `{"t":"` — how JSON.stringify starts a frame whose first key is `t`. */
const TYPE_FIRST = Buffer.from('{"t":"');

type FrameKind = 'msg' | 'ack' | 'nack' | 'error' | 'other';
/** Each type with the quote that ends it, so that "ack" does not match "acked". */
const TYPE_WORDS: [FrameKind, Buffer][] = (['msg', 'ack', 'nack', 'error'] as const).map((kind) => [kind, Buffer.from(`${kind}"`)]);

const CONNECT_CONCURRENCY = 32;
const TICK_MS = 1;
/** The generator may fall this far behind its schedule before it skips sends. */
const MAX_SCHEDULE_LAG_MS = 100;
/** A step stops early once this much offered load is waiting for acks. */
const MAX_BACKLOG_SECONDS = 2;
const DRAIN_TIMEOUT_MS = 10_000;
const RSS_SAMPLE_MS = 500;
const PROBE_WARMUP_MS = 500;

interface LiveClient extends BenchClient {
  ws: WebSocket;
  /** `{"t":"send","conv":"…","cid":"` — everything before the per-send parts. */
  prefix: string;
  cidBase: string;
  nextCid: number;
}

/** Cumulative counters and clocks at one instant; windows are differences. */
interface Snapshot {
  at: number;
  sent: number;
  acked: number;
  delivered: number;
  nacks: number;
  errors: number;
  closes: number;
  serverCpu: number;
  generatorCpu: number;
  machineBusy: number;
  stolen: number;
}

/** Sums over the windows of one measurement. */
interface Totals {
  windows: number;
  seconds: number;
  sent: number;
  acked: number;
  delivered: number;
  nacks: number;
  errors: number;
  closes: number;
  skipped: number;
  serverCpu: number;
  generatorCpu: number;
  otherCpu: number;
  stolen: number;
  rss: number[];
}

const NO_TOTALS: Totals = {
  windows: 0,
  seconds: 0,
  sent: 0,
  acked: 0,
  delivered: 0,
  nacks: 0,
  errors: 0,
  closes: 0,
  skipped: 0,
  serverCpu: 0,
  generatorCpu: 0,
  otherCpu: 0,
  stolen: 0,
  rss: [],
};

export class LoadEngine {
  private clients: LiveClient[] = [];
  private readonly bodyBytes: number;
  private readonly serverPids: readonly number[];
  private readonly fill: string;

  // Cumulative counters, never reset.
  private sent = 0;
  private acked = 0;
  private delivered = 0;
  /** Deliveries the acked messages should cause (sum of their fanouts). */
  private expected = 0;
  private inFlight = 0;
  private nacks = 0;
  private errors = 0;
  private closes = 0;

  // The current measurement.
  private totals: Totals = { ...NO_TOTALS, rss: [] };
  private firstProblem: string | undefined;
  private readonly ackLatency = new LatencyRecorder();
  private readonly deliveryLatency = new LatencyRecorder();
  // Only messages sent inside a measured window count towards latency, so
  // that warm-up traffic cannot leak into the figures.
  private latencyFrom = Number.POSITIVE_INFINITY;
  private latencyTo = Number.POSITIVE_INFINITY;
  private rssTimer: NodeJS.Timeout | undefined;
  private closedLoop = false;

  constructor(bodyBytes: number, serverPids: readonly number[]) {
    this.bodyBytes = bodyBytes;
    this.serverPids = serverPids;
    this.fill = ` ${'x'.repeat(bodyBytes)}`;
  }

  /** Connects every client, client i to the server at `httpUrls[i mod n]` (a cluster's nodes in turn). */
  async connect(httpUrls: readonly string[], clients: readonly BenchClient[]): Promise<number> {
    const wsUrls = httpUrls.map(wsUrlOf);
    const start = performance.now();
    this.clients = await mapLimit(clients, CONNECT_CONCURRENCY, async (client) => {
      const ws = await openSession(wsUrls[client.index % wsUrls.length] as string, client.hello);
      const live: LiveClient = {
        ...client,
        ws,
        prefix: `{"t":"send","conv":${JSON.stringify(client.conv)},"cid":"`,
        // Protocol cids are 8..64 of [A-Za-z0-9_-]; this base is at least 7.
        cidBase: `bench${client.index.toString(36)}-`,
        nextCid: 0,
      };
      ws.on('message', (data: Buffer) => this.onFrame(live, data));
      ws.on('close', (code) => {
        this.closes++;
        this.firstProblem ??= `socket of client ${client.index} closed with ${code}`;
      });
      ws.on('error', (error) => {
        this.firstProblem ??= `socket of client ${client.index}: ${error.message}`;
      });
      return live;
    });
    return performance.now() - start;
  }

  async disconnect(): Promise<void> {
    const clients = this.clients;
    this.clients = [];
    for (const client of clients) client.ws.removeAllListeners('close');
    await mapLimit(clients, 64, (client) => closeSocket(client.ws));
  }

  /** Closed loop: each client keeps `window` sends in flight for `seconds`. */
  async probe(seconds: number, window: number): Promise<LoadResult> {
    this.resetMeasurement();
    this.closedLoop = true;
    for (const client of this.clients) for (let i = 0; i < window; i++) this.sendOne(client);
    await sleep(PROBE_WARMUP_MS);
    const before = this.openWindow();
    let aborted: string | undefined;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end && !aborted) {
      await sleep(50);
      aborted = this.abortReason(before, Number.POSITIVE_INFINITY);
    }
    this.closedLoop = false;
    this.closeWindow(before, 0);
    return this.finish('closed', 0, aborted);
  }

  /** Open loop: `sendsPerSecond` in total, round-robin over the clients. */
  rate(sendsPerSecond: number, warmupSeconds: number, seconds: number, accumulate: boolean): Promise<LoadResult> {
    if (!accumulate) this.resetMeasurement();
    const clients = this.clients;
    const count = clients.length;
    const start = performance.now();
    const measureFrom = start + warmupSeconds * 1000;
    const measureTo = measureFrom + seconds * 1000;
    const maxOwed = Math.max(1, Math.ceil((sendsPerSecond * MAX_SCHEDULE_LAG_MS) / 1000));
    const backlogLimit = Math.max(count, Math.ceil(sendsPerSecond * MAX_BACKLOG_SECONDS));
    let scheduled = 0;
    let skipped = 0;
    let next = 0;
    let before: Snapshot | undefined;

    return new Promise((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        if (!before && now >= measureFrom) before = this.openWindow();
        const aborted = before ? this.abortReason(before, backlogLimit) : undefined;
        if (now >= measureTo || aborted) {
          this.closeWindow(before ?? this.openWindow(), skipped);
          void this.finish('open', sendsPerSecond, aborted).then(resolve);
          return;
        }
        // Open loop: what is due follows from the clock, not from answers, so
        // a slow server meets a growing queue just as it would in production.
        let owed = Math.floor(((now - start) * sendsPerSecond) / 1000) - scheduled;
        if (owed > maxOwed) {
          // The generator itself stalled; sending the whole debt at once would
          // be a burst nobody asked for. Count it so the report can say so.
          if (before) skipped += owed - maxOwed;
          scheduled += owed - maxOwed;
          owed = maxOwed;
        }
        for (let i = 0; i < owed; i++) {
          this.sendOne(clients[next] as LiveClient);
          next = next + 1 === count ? 0 : next + 1;
        }
        scheduled += owed;
        setTimeout(tick, TICK_MS);
      };
      tick();
    });
  }

  private sendOne(client: LiveClient): void {
    const stamp = performance.now().toFixed(3);
    // Body: the send time in ms (performance.now of this process) padded to
    // the configured length; deliveries and acks carry it back to us.
    const body = stamp + this.fill.slice(0, this.bodyBytes - stamp.length);
    client.ws.send(`${client.prefix}${client.cidBase}${(client.nextCid++).toString(36)}","body":"${body}"}`);
    this.sent++;
    this.inFlight++;
  }

  private onFrame(client: LiveClient, data: Buffer): void {
    const kind = frameKind(data);
    if (kind === 'msg') {
      this.delivered++;
      const sentAt = readStamp(data);
      if (sentAt >= this.latencyFrom && sentAt < this.latencyTo) this.deliveryLatency.record(performance.now() - sentAt);
    } else if (kind === 'ack') {
      this.acked++;
      this.inFlight--;
      this.expected += client.fanout;
      const sentAt = readStamp(data);
      if (sentAt >= this.latencyFrom && sentAt < this.latencyTo) this.ackLatency.record(performance.now() - sentAt);
      if (this.closedLoop) this.sendOne(client);
    } else if (kind === 'nack') {
      // A nack is final for its cid: it will never be acked.
      this.nacks++;
      this.inFlight--;
      this.firstProblem ??= String(data).slice(0, 300);
    } else if (kind === 'error') {
      this.errors++;
      this.firstProblem ??= String(data).slice(0, 300);
    }
    // Anything else (presence, receipts, typing) is not part of the measure.
  }

  private abortReason(before: Snapshot, backlogLimit: number): string | undefined {
    if (this.closes > before.closes) return `the server closed ${this.closes - before.closes} socket(s)`;
    if (this.inFlight > backlogLimit) return `more than ${backlogLimit} sends were waiting for an ack`;
    return undefined;
  }

  private resetMeasurement(): void {
    this.totals = { ...NO_TOTALS, rss: [] };
    this.ackLatency.reset();
    this.deliveryLatency.reset();
    this.firstProblem = undefined;
  }

  private serverRss(): number {
    return sum(this.serverPids.map(readRss));
  }

  private snapshot(): Snapshot {
    const cpu = process.cpuUsage();
    const machine = readMachineCpu();
    return {
      at: performance.now(),
      sent: this.sent,
      acked: this.acked,
      delivered: this.delivered,
      nacks: this.nacks,
      errors: this.errors,
      closes: this.closes,
      serverCpu: sum(this.serverPids.map(readCpuSeconds)),
      generatorCpu: (cpu.user + cpu.system) / 1e6,
      machineBusy: machine.busy,
      stolen: machine.stolen,
    };
  }

  private openWindow(): Snapshot {
    const before = this.snapshot();
    this.latencyFrom = before.at;
    this.latencyTo = Number.POSITIVE_INFINITY;
    this.totals.rss.push(this.serverRss());
    this.rssTimer = setInterval(() => this.totals.rss.push(this.serverRss()), RSS_SAMPLE_MS);
    return before;
  }

  private closeWindow(before: Snapshot, skipped: number): void {
    clearInterval(this.rssTimer);
    this.totals.rss.push(this.serverRss());
    const after = this.snapshot();
    this.latencyTo = after.at;
    const totals = this.totals;
    const serverCpu = after.serverCpu - before.serverCpu;
    const generatorCpu = after.generatorCpu - before.generatorCpu;
    totals.windows++;
    totals.seconds += (after.at - before.at) / 1000;
    totals.sent += after.sent - before.sent;
    totals.acked += after.acked - before.acked;
    totals.delivered += after.delivered - before.delivered;
    totals.nacks += after.nacks - before.nacks;
    totals.errors += after.errors - before.errors;
    totals.closes += after.closes - before.closes;
    totals.skipped += skipped;
    totals.serverCpu += serverCpu;
    totals.generatorCpu += generatorCpu;
    totals.otherCpu += Math.max(0, after.machineBusy - before.machineBusy - serverCpu - generatorCpu);
    totals.stolen += after.stolen - before.stolen;
  }

  private async finish(mode: LoadResult['mode'], offered: number, aborted: string | undefined): Promise<LoadResult> {
    // Wait for the answers to everything sent in the window, so that the
    // latency figures include the slowest messages and the next phase starts
    // from an empty pipe.
    const closesBefore = this.closes;
    const drainStart = performance.now();
    while (
      (this.inFlight > 0 || this.delivered < this.expected) &&
      performance.now() - drainStart < DRAIN_TIMEOUT_MS &&
      this.closes === closesBefore
    ) {
      await sleep(5);
    }
    const drained = this.inFlight === 0 && this.delivered >= this.expected;
    const drainMs = performance.now() - drainStart;
    const missingDeliveries = Math.max(0, this.expected - this.delivered);
    this.latencyFrom = Number.POSITIVE_INFINITY;
    // Whatever is still outstanding is written off, so that one overloaded
    // step does not make every later one look unfinished.
    this.inFlight = 0;
    this.expected = this.delivered;

    const t = this.totals;
    const perSecond = (value: number): number => (t.seconds > 0 ? value / t.seconds : 0);
    const result: LoadResult = {
      mode,
      offeredSendsPerSecond: offered,
      seconds: t.seconds,
      windows: t.windows,
      sent: t.sent,
      acked: t.acked,
      delivered: t.delivered,
      sendsPerSecond: perSecond(t.sent),
      acksPerSecond: perSecond(t.acked),
      deliveriesPerSecond: perSecond(t.delivered),
      ack: this.ackLatency.summary(),
      delivery: this.deliveryLatency.summary(),
      nacks: t.nacks,
      errors: t.errors,
      closes: t.closes,
      skipped: t.skipped,
      serverCpu: perSecond(t.serverCpu),
      generatorCpu: perSecond(t.generatorCpu),
      stolenCpu: perSecond(t.stolen),
      otherCpu: perSecond(t.otherCpu),
      serverRss: [...t.rss],
      drained,
      drainMs,
      missingDeliveries,
    };
    if (aborted) result.aborted = aborted;
    if (this.firstProblem) result.firstProblem = this.firstProblem;
    return result;
  }
}

/**
 * The type of a frame without parsing it. Servers that serialise `t` first
 * (both do) are recognised from the first bytes; any other layout falls back
 * to a search, which is still correct because a `"t":"…"` pair cannot occur
 * inside a JSON string, where quotes are escaped.
 */
export function frameKind(data: Buffer): FrameKind {
  const at = TYPE_FIRST.length;
  if (data.length > at + 6 && data.compare(TYPE_FIRST, 0, at, 0, at) === 0) {
    // Most frequent first: a run is mostly deliveries.
    for (const [kind, word] of TYPE_WORDS) {
      if (data.compare(word, 0, word.length, at, at + word.length) === 0) return kind;
    }
    return 'other';
  }
  if (data.indexOf(MARK_MSG) !== -1) return 'msg';
  if (data.indexOf(MARK_ACK) !== -1) return 'ack';
  if (data.indexOf(MARK_NACK) !== -1) return 'nack';
  if (data.indexOf(MARK_ERROR) !== -1) return 'error';
  return 'other';
}

/** Reads the send timestamp at the start of the body; NaN when there is none. */
export function readStamp(data: Buffer): number {
  const at = data.indexOf(BODY_KEY);
  if (at === -1) return Number.NaN;
  let value = 0;
  let divisor = 0;
  for (let i = at + BODY_KEY.length; i < data.length; i++) {
    const byte = data[i] as number;
    if (byte >= 0x30 && byte <= 0x39) {
      value = value * 10 + (byte - 0x30);
      if (divisor > 0) divisor *= 10;
    } else if (byte === 0x2e && divisor === 0) {
      divisor = 1;
    } else {
      break;
    }
  }
  return divisor > 0 ? value / divisor : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
