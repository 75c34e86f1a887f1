// Failover between the nodes of a relay cluster (docs/scaling.md, "Clients"):
// two relay processes on one fresh PostgreSQL database and one private
// redis-server. The engine reaches them in the two ways the apps can: given
// both URLs, and given the one URL of deploy/cluster/nginx.conf run by the
// real nginx in front of them. The node the engine uses is killed with
// SIGKILL in the middle of a burst of sends; the engine moves to the other
// node and its outbox resends. Every message must be stored exactly once and
// in the order written (read back through the surviving node), and reach a
// watcher on the surviving node live, once each, in order.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, SignInRequest } from '../../src/shared/api.ts';
import { type Message, type RelayFrame, SUBPROTOCOL } from '../../src/shared/protocol/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { freeLoopbackPort, nginxMainConfig, proxyBinary } from '../helpers/reverse-proxy.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, RelayProcess, type TestAccount } from './helpers/relay.ts';

/** Written before the kill, and after it (while the engine fails over). */
const HALF = 300;
const COUNT = 2 * HALF;
/** For each node's /metrics, which tell which node holds the engine's socket. */
const METRICS_TOKEN = 'failover-test-metrics-token';

let database: TestDatabase;
let redis: RedisServer;
let nodes: RelayProcess[] = [];

beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), RedisServer.start()]);
  const args = ['--no-rate-limits', '--database-url', database.url, '--redis-url', redis.url];
  // Started together on the empty database: the migration lock sorts them out.
  const env = { DUPLEX_METRICS_TOKEN: METRICS_TOKEN };
  nodes = await Promise.all([0, 1].map(() => RelayProcess.start({ args, env, startTimeoutMs: 30_000 })));
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.cleanup()));
  await redis?.kill();
  await database?.drop();
});

/** Bob's raw session on a node: every live `msg` frame of `conv`, as it arrives. */
async function watch(node: RelayProcess, account: TestAccount, conv: string): Promise<{ received: Message[]; close(): void }> {
  const socket = new WebSocket(node.wsUrl, SUBPROTOCOL);
  const received: Message[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => socket.send(JSON.stringify({ t: 'hello', v: 1, token: account.token, cursors: { [conv]: 0 } })));
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as RelayFrame;
      if (frame.t === 'synced') resolve();
      if (frame.t === 'msg' && frame.msg.conv === conv) received.push(frame.msg);
    });
    socket.addEventListener('close', () => reject(new Error('the watcher’s socket closed')));
  });
  return { received, close: () => socket.close() };
}

/** The WebSocket sessions a node holds, from its own /metrics. */
async function sessionsOn(node: RelayProcess): Promise<number> {
  const response = await fetch(`${node.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`/metrics: HTTP ${response.status}`);
  return Number(/^duplex_ws_sessions (\d+)$/m.exec(await response.text())?.[1]);
}

interface Way {
  /** Where the engine signs in. */
  relay(): Pick<SignInRequest, 'relayUrl' | 'otherRelayUrls'>;
  /** What the status says while the engine uses `node`. */
  statusUrl(node: RelayProcess): string;
}

/**
 * Alice's engine signs in the given way and sends a burst of COUNT messages
 * to Bob; the node her socket is on is killed with SIGKILL once 50 are
 * acknowledged, between the two halves. Checks everything the header says,
 * then starts the killed node again for the next test.
 */
async function burstAcrossKill(way: Way): Promise<void> {
  const [aliceAccount, bobAccount] = await Promise.all([registerAccount(nodes[0]!.url, 'Alice'), registerAccount(nodes[0]!.url, 'Bob')]);
  const alice = new TestClient();
  const signedIn = await alice.engine.signIn({ ...way.relay(), username: aliceAccount.username, password: aliceAccount.password });
  expect(signedIn).toMatchObject({ ok: true });
  await alice.waitForState('online');
  // Alice's socket, alone (an earlier test's sockets may still be closing).
  const sessions = await waitFor(async () => {
    const counts = await Promise.all(nodes.map(sessionsOn));
    return counts.toSorted().join() === '0,1' ? counts : null;
  }, 'one session, on one node');
  const used = nodes[sessions.indexOf(1)]!;
  const survivor = nodes.find((node) => node !== used)!;
  expect(alice.status?.relayUrl).toBe(way.statusUrl(used));

  const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
  const watcher = await watch(survivor, bobAccount, conv);
  try {
    let storedAtKill = -1;
    let killed: Promise<unknown> | null = null;
    alice.engine.onEvent((event) => {
      if (killed || event.type !== 'messages') return;
      const stored = alice.messages(conv).filter((m) => m.seq !== null).length;
      if (stored >= 50) {
        storedAtKill = stored;
        killed = used.stop('SIGKILL');
      }
    });
    const written: ChatMessage[] = [];
    const body = (i: number) => `burst ${String(i).padStart(4, '0')}`;
    for (let i = 1; i <= HALF; i++) written.push(await alice.engine.send(conv, body(i)));
    await waitFor(() => killed, 'the node in use killed mid-burst', 30_000);
    await killed;
    expect(storedAtKill).toBeLessThan(HALF);
    for (let i = HALF + 1; i <= COUNT; i++) written.push(await alice.engine.send(conv, body(i)));

    // Online again, with the watcher's session and Alice's on the surviving node.
    await waitFor(
      async () =>
        alice.status?.state === 'online' && alice.status.relayUrl === way.statusUrl(survivor) && (await sessionsOn(survivor)) === 2,
      `online through the surviving node (now ${JSON.stringify(alice.status)})`,
      30_000,
    );
    await waitFor(() => alice.messages(conv).filter((m) => m.seq !== null).length === COUNT, 'every message acknowledged', 60_000);
    const inOrder = Array.from({ length: COUNT }, (_, i) => i + 1);
    const shown = alice.messages(conv);
    expect(shown.map((m) => m.body)).toEqual(written.map((m) => m.body));
    expect(shown.map((m) => m.seq)).toEqual(inOrder);

    // The log, read through the surviving node: each cid once, in the order written.
    const log = await relayLog(survivor, aliceAccount.token, conv);
    expect(log.map((m) => m.seq)).toEqual(inOrder);
    expect(log.map((m) => m.cid)).toEqual(written.map((m) => m.cid));
    expect(log.map((m) => m.body)).toEqual(written.map((m) => m.body));

    // The watcher on the surviving node got each once, in order.
    await waitFor(() => watcher.received.length >= COUNT, `the watcher's ${COUNT} messages (has ${watcher.received.length})`, 30_000);
    expect(watcher.received.map((m) => m.seq)).toEqual(inOrder);
    expect(watcher.received.map((m) => m.cid)).toEqual(written.map((m) => m.cid));
  } finally {
    watcher.close();
    await alice.dispose();
    await used.restart();
  }
}

it('given both URLs: moves to the other node when its node is killed mid-burst; each message stored and delivered once, in order', { timeout: 120_000 }, async () => {
  await burstAcrossKill({
    relay: () => ({ relayUrl: nodes[0]!.url, otherRelayUrls: [nodes[1]!.url] }),
    statusUrl: (node) => node.url,
  });
});

const nginx = proxyBinary('nginx');

describe.skipIf(!nginx)(`given one URL, deploy/cluster/nginx.conf in front of the nodes${nginx ? '' : ' [skipped: nginx is not installed]'}`, () => {
  let dir: string;
  let proxy: ChildProcess | undefined;
  let proxyUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'duplex-failover-nginx-'));
    const port = await freeLoopbackPort();
    proxyUrl = `http://127.0.0.1:${port}`;
    // The shipped file, listening on loopback, its upstream naming this test's two nodes.
    const shipped = readFileSync(new URL('../../deploy/cluster/nginx.conf', import.meta.url), 'utf8');
    const servers = nodes.map((node) => `    server 127.0.0.1:${node.port} max_fails=1 fail_timeout=10s;`).join('\n');
    const site = shipped
      .replace(/^ {4}listen 80;$/m, `    listen 127.0.0.1:${port};`)
      .replace(/^( {4}least_conn;\n)(?: {4}server .*\n)+/m, `$1${servers}\n`);
    expect(site).toContain(servers);
    await writeFile(path.join(dir, 'site.conf'), site);
    proxy = spawn(nginx!, [...(await nginxMainConfig(dir, path.join(dir, 'site.conf'))), '-g', 'daemon off;'], { stdio: 'ignore' });
    await waitFor(async () => (await fetch(`${proxyUrl}/healthz`).catch(() => undefined))?.status === 200, 'nginx to answer', 20_000);
  }, 30_000);

  afterAll(async () => {
    proxy?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('reconnects through the balancer to the surviving node; each message stored and delivered once, in order', { timeout: 120_000 }, async () => {
    await burstAcrossKill({ relay: () => ({ relayUrl: proxyUrl }), statusUrl: () => proxyUrl });
  });
});
