// `npm run soak`: runs the relay (relay/main.ts, a child process, default
// limits, rate limits on) for a few minutes under mixed traffic, reconnect
// storms and floods, and reports its memory and latency over time: a printed
// table and bench/results/soak-<timestamp>.json (and soak-latest.json). Not
// part of `npm test`, except its smoke run (`--smoke`: 20 s, 10 users, to
// bench/results/smoke); see docs/benchmarks.md ("Soak").
//
// Every 10 s window records: the relay's RSS, send→ack and send→delivery
// latency (p50/p99/max), sends acknowledged and refused, reconnects, flood
// outcomes, and whether the probe pair (a direct chat that never floods) kept
// getting every message. It exits with 1 when the relay died, a probe
// message was lost, or a frame broke the protocol; otherwise 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchServer, readRss, runBenchmarkMain, trackScratchDir } from '../relay/processes.ts';
import { LatencyRecorder, type LatencySummary } from '../relay/stats.ts';
import { defaultResultsDir, writeResults } from '../results.ts';
import { SMOKE_NOTE } from '../smoke.ts';
import { SoakClient, registerUser, type SoakUser } from './soak-client.ts';

const USAGE = `Usage: npm run soak -- [--minutes M] [--users N] [--smoke] [--out DIR]
  --minutes M   how long to run, 1..10 (default 2)
  --users N     users with one socket each, 10..400 (default 60)
  --smoke       20 s with 10 users: checks that the soak runs, measures nothing
  --out DIR     where the JSON goes (default bench/results, with --smoke bench/results/smoke)`;

const WINDOW_MS = 10_000;
const GROUP_SIZE = 10;

interface Window {
  second: number;
  rssMiB: number;
  sockets: number;
  acked: number;
  refused: Record<string, number>;
  ack: LatencySummary;
  delivery: LatencySummary;
  reconnects: number;
  floods: string[];
}


async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      users: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Options given explicitly apply on top of the smoke sizes.
  const minutes = values.minutes !== undefined ? Number(values.minutes) : values.smoke ? 1 / 3 : 2;
  const userCount = Number(values.users ?? (values.smoke ? 10 : 60));
  const minutesOk = values.minutes === undefined || (minutes >= 1 && minutes <= 10);
  if (!minutesOk || !Number.isInteger(userCount) || userCount < 10 || userCount > 400) {
    console.error(USAGE);
    return 2;
  }
  const startedAt = new Date().toISOString();

  const scratch = mkdtempSync(join(tmpdir(), 'duplex-soak-'));
  trackScratchDir(scratch);
  const relay = await launchServer(
    'relay',
    ['relay/main.ts', '--host', '127.0.0.1', '--port', '0', '--data', join(scratch, 'data'), '--log-level', 'warn'],
    // Only registrations are opened up: the soak registers its users from one address.
    { ...process.env, DUPLEX_SCRYPT_COST: '10', DUPLEX_REGISTRATIONS_PER_ADDRESS: '100000' },
  );
  const log = (line: string): void => console.log(`[${Math.floor(performance.now() / 1000).toString().padStart(4)} s] ${line}`);
  log(`relay pid ${relay.pid} at ${relay.url}; ${userCount} users for ${minutes * 60} s`);

  const ackLatency = new LatencyRecorder();
  const deliveryLatency = new LatencyRecorder();
  const counters = { acked: 0, refused: {} as Record<string, number>, reconnects: 0, floods: [] as string[] };
  const violations: string[] = [];
  const hooks = {
    acked: (ms: number) => {
      counters.acked++;
      ackLatency.record(ms);
    },
    refused: (code: string) => (counters.refused[code] = (counters.refused[code] ?? 0) + 1),
    delivered: (ms: number) => deliveryLatency.record(ms),
    violation: (text: string) => violations.push(text),
  };

  // ---- setup: users, groups of GROUP_SIZE, one direct probe pair ----
  const users: SoakUser[] = [];
  for (let i = 0; i < userCount; i += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, userCount - i) }, (_, j) => registerUser(relay.url, `soak${i + j}`)))));
  }
  const clients = await Promise.all(users.map((user) => SoakClient.connect(relay.url, user, hooks)));
  for (let start = 0; start + GROUP_SIZE <= clients.length; start += GROUP_SIZE) {
    const [owner, ...rest] = clients.slice(start, start + GROUP_SIZE) as [SoakClient, ...SoakClient[]];
    await owner.createGroup(`group ${start / GROUP_SIZE}`, rest.map((client) => client.user.id));
  }
  const [probeA, probeB] = await Promise.all([registerUser(relay.url, 'probea'), registerUser(relay.url, 'probeb')]);
  const probeSender = await SoakClient.connect(relay.url, probeA as SoakUser, hooks);
  const probeReceiver = await SoakClient.connect(relay.url, probeB as SoakUser, hooks);
  const probeConv = await probeSender.createDirect(probeReceiver.user.id);
  await new Promise((resolve) => setTimeout(resolve, 500));
  log(`setup done: ${clients.length / GROUP_SIZE} groups, probe pair`);

  // ---- the run ----
  const windows: Window[] = [];
  const endAt = performance.now() + minutes * 60_000;
  let probeSent = 0;
  let tick = 0;
  let windowStart = performance.now();
  let relayDied = false;
  while (performance.now() < endAt) {
    tick++;
    // Mixed traffic, once a second: about a third of the users write, a
    // tenth mark read, a tenth type; the probe pair always writes.
    for (const client of clients) {
      const roll = Math.random();
      if (roll < 0.33) client.sendToSomeConversation();
      else if (roll < 0.43) client.markSomethingRead();
      else if (roll < 0.53) client.typeSomewhere();
    }
    probeSender.sendProbe(probeConv, ++probeSent);
    // Reconnect storm every 30 s: half the users drop at once and come back with their cursors.
    if (tick % 30 === 15) {
      const storm = clients.filter((_, i) => i % 2 === tick % 2);
      await Promise.all(storm.map((client) => client.reconnect()));
      counters.reconnects += storm.length;
    }
    // A flood every 20 s, a different kind each time, from a user of the groups.
    if (tick % 20 === 10) counters.floods.push(await flood(clients, Math.floor(tick / 20)));
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    if (performance.now() - windowStart >= WINDOW_MS || performance.now() >= endAt) {
      let rss = 0;
      try {
        rss = readRss(relay.pid);
      } catch {
        relayDied = true;
      }
      windows.push({
        second: Math.round(performance.now() / 1000),
        rssMiB: rss / 1024 / 1024,
        sockets: clients.filter((client) => client.isOpen).length,
        acked: counters.acked,
        refused: { ...counters.refused },
        ack: ackLatency.summary(),
        delivery: deliveryLatency.summary(),
        reconnects: counters.reconnects,
        floods: counters.floods,
      });
      log(formatWindow(windows.at(-1) as Window));
      ackLatency.reset();
      deliveryLatency.reset();
      Object.assign(counters, { acked: 0, refused: {}, reconnects: 0, floods: [] });
      windowStart = performance.now();
      if (relayDied) break;
    }
  }

  // ---- the probe pair must have every message, in order ----
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const probeReceived = probeReceiver.probesReceived(probeConv);
  const probeLost = probeSent - probeReceived;
  await Promise.all([...clients, probeSender, probeReceiver].map((client) => client.close()));
  await relay.stop();
  rmSync(scratch, { recursive: true, force: true });

  const report = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { minutes, users: userCount, smoke: values.smoke },
    windows,
    probe: { sent: probeSent, received: probeReceived },
    violations: violations.slice(0, 20),
    relayDied,
  };
  console.log(`\nRelay soak, ${userCount} users, ${minutes * 60} s${values.smoke ? SMOKE_NOTE : ''}\n${formatTable(windows)}\n`);
  console.log(`probe: ${probeReceived}/${probeSent} messages delivered; protocol violations: ${violations.length}`);
  const file = await writeResults(values.out ?? defaultResultsDir(values.smoke), 'soak', startedAt, report);
  console.log(`Results: ${file} (and soak-latest.json)`);
  return relayDied || probeLost !== 0 || violations.length > 0 ? 1 : 0;
}

/** One abusive burst; returns what the relay made of it. */
async function flood(clients: readonly SoakClient[], round: number): Promise<string> {
  const flooder = clients[(round * 7) % clients.length] as SoakClient;
  switch (round % 4) {
    case 0:
      return `typing ×2000: ${await flooder.typingFlood(2000)}`;
    case 1:
      return `rename ×100: ${await flooder.renameFlood(100)}`;
    case 2:
      return `send ×500: ${await flooder.sendFlood(500)}`;
    default:
      return `bad frames ×50: ${await flooder.badFrameFlood(50)}`;
  }
}

function formatWindow(window: Window): string {
  const refused = Object.entries(window.refused).map(([code, count]) => `${code} ${count}`).join(', ') || 'none';
  return (
    `rss ${window.rssMiB.toFixed(0)} MiB, ${window.sockets} sockets, ${window.acked} acks ` +
    `(p50 ${window.ack.p50.toFixed(1)} / p99 ${window.ack.p99.toFixed(1)} ms), delivery p99 ${window.delivery.p99.toFixed(1)} ms, ` +
    `refused: ${refused}, reconnects ${window.reconnects}${window.floods.length ? `, ${window.floods.join('; ')}` : ''}`
  );
}

function formatTable(windows: readonly Window[]): string {
  const header = ['t (s)', 'RSS MiB', 'acks', 'ack p50', 'ack p99', 'ack max', 'deliv p50', 'deliv p99', 'refused', 'reconn.'];
  const rows = windows.map((w) => [
    String(w.second),
    w.rssMiB.toFixed(0),
    String(w.acked),
    w.ack.p50.toFixed(1),
    w.ack.p99.toFixed(1),
    w.ack.max.toFixed(0),
    w.delivery.p50.toFixed(1),
    w.delivery.p99.toFixed(1),
    String(Object.values(w.refused).reduce((sum, count) => sum + count, 0)),
    String(w.reconnects),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padStart(widths[i] as number)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

runBenchmarkMain(main);
