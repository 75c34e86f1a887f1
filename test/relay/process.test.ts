// The relay as a process: command line, exit codes, graceful shutdown on
// SIGTERM, and durability when killed with SIGKILL in the middle of sends.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { LIMIT_NAMES, limitDefinition } from '../../relay/limits.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import { postJson, register, TestClient, uniqueCid } from './support/client.ts';

const MAIN = fileURLToPath(new URL('../../relay/main.ts', import.meta.url));
const started: RelayProcess[] = [];

async function startRelay(args: string[] = []): Promise<RelayProcess> {
  const relay = await RelayProcess.start({ args });
  started.push(relay);
  return relay;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((relay) => relay.cleanup()));
});

function runMain(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
}

describe('command line', () => {
  test('--help lists every flag and environment variable, and exits 0', () => {
    const result = runMain(['--help']);
    expect(result.status).toBe(0);
    for (const flag of ['--host', '--port', '--data', '--allowed-origins', '--registration', '--log-level', '--no-rate-limits', '--web-root', '--trust-proxy', '--limit']) {
      expect(result.stdout).toContain(flag);
    }
    for (const name of LIMIT_NAMES) expect(result.stdout).toContain(limitDefinition(name).env);
    expect(result.stdout).toContain('DUPLEX_PORT');
  });

  // config.test.ts covers every bad value; these check the exit code and message.
  test('exits 2 with a message for a bad flag or environment value', () => {
    for (const result of [runMain(['--port', 'eighty']), runMain([], { DUPLEX_REGISTRATION: 'maybe' })]) {
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^duplex relay: .+\nRun with --help/);
    }
  });

  test('prints the listening URL with the real port, and refuses a second relay on the same data', async () => {
    const relay = await startRelay();
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(relay.port).toBeGreaterThan(0);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    const second = runMain(['--port', '0', '--data', relay.dataDir]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another relay/);
    const samePort = runMain(['--port', String(relay.port), '--data', `${relay.dataDir}-other`]);
    expect(samePort.status).toBe(1);
  });
});

describe('shutdown', () => {
  test('SIGTERM closes every socket with 1012, exits 0, and keeps the data', async () => {
    const relay = await startRelay();
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const [b] = await TestClient.signIn(relay.wsUrl, bob.token);
    const created = await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
    if (created.t !== 'conv') throw new Error('create failed');
    await a.sendMessage(created.conv.id, 'before the restart');

    const exit = await relay.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await a.closed).code).toBe(1012);
    expect((await b.closed).code).toBe(1012);

    await relay.restart();
    const login = await postJson(relay.url, '/api/login', { username: bob.user.username, password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const [b2, synced] = await TestClient.signIn(relay.wsUrl, login.body.token);
    expect(synced.batches[0]?.msgs.map((msg) => msg.body)).toEqual(['before the restart']);
    await b2.close();
  });
});

describe('durability', () => {
  test('after SIGKILL during sends, every acked message is stored once, resends are deduplicated, seq has no gaps', async () => {
    const relay = await startRelay(['--no-rate-limits']);
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [setup] = await TestClient.signIn(relay.wsUrl, alice.token);
    const created = await setup.request({ t: 'create', kind: 'direct', with: bob.user.id });
    if (created.t !== 'conv') throw new Error('create failed');
    const conv = created.conv.id;
    await setup.close();

    interface Sender {
      token: string;
      sent: string[];
      acked: Map<string, number>;
    }
    // Two devices of alice and one of bob, each keeping 25 sends in flight.
    const senders: Sender[] = [alice.token, alice.token, bob.token].map((token) => ({ token, sent: [], acked: new Map() }));
    const totalAcked = () => senders.reduce((sum, sender) => sum + sender.acked.size, 0);
    const pumps = senders.map(async (sender) => {
      const [client] = await TestClient.signIn(relay.wsUrl, sender.token);
      try {
        for (;;) {
          const cids = Array.from({ length: 25 }, () => uniqueCid());
          for (const cid of cids) {
            sender.sent.push(cid);
            client.send({ t: 'send', cid, conv, body: `body of ${cid}` });
          }
          await Promise.all(
            cids.map(async (cid) => sender.acked.set(cid, (await client.next('ack', (ack) => ack.cid === cid, 10_000)).msg.seq)),
          );
        }
      } catch {
        // The relay died under us.
      }
    });
    while (totalAcked() < 400) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await relay.stop('SIGKILL')).signal).toBe('SIGKILL');
    await Promise.all(pumps);
    const unacked = senders.flatMap((sender) => sender.sent.filter((cid) => !sender.acked.has(cid)));
    expect(unacked.length).toBeGreaterThan(0);

    await relay.restart();
    // Every device resends everything it holds unacknowledged, plus a few acknowledged ones.
    for (const sender of senders) {
      const [client] = await TestClient.signIn(relay.wsUrl, sender.token);
      const resend = [...sender.sent.filter((cid) => !sender.acked.has(cid)), ...[...sender.acked.keys()].slice(0, 5)];
      for (const cid of resend) client.send({ t: 'send', cid, conv, body: `body of ${cid}` });
      for (const cid of resend) {
        const ack = await client.next('ack', (frame) => frame.cid === cid, 10_000);
        const earlier = sender.acked.get(cid);
        if (earlier !== undefined) expect(ack.msg.seq).toBe(earlier);
        sender.acked.set(cid, ack.msg.seq);
      }
      await client.close();
    }

    const reader = await register(relay.url);
    const [check, synced] = await TestClient.signIn(relay.wsUrl, bob.token, { [conv]: 0 });
    const messages = synced.batches.flatMap((batch) => batch.msgs);
    const sentCount = senders.reduce((sum, sender) => sum + new Set(sender.sent).size, 0);
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: sentCount }, (_, i) => i + 1));
    expect(new Set(messages.map((message) => `${message.from}/${message.cid}`)).size).toBe(sentCount);
    const seqByCid = new Map(messages.map((message) => [message.cid, message.seq]));
    for (const sender of senders) {
      for (const [cid, seq] of sender.acked) expect(seqByCid.get(cid)).toBe(seq);
    }
    expect(reader.user.id).toBeDefined();
    await check.close();
  });
});
