// The relay with --database-url: real relays (in this process, and as
// processes) on a real PostgreSQL database of this file's own. Several nodes
// share one log; nodes started together on an empty database all come up;
// /healthz answers 503 while the database is unreachable and 200 again once
// it is back, without a restart; the operator commands work on PostgreSQL
// and `backup` refuses in favour of pg_dump; an account deleted through one
// node is gone for the others, and its data export comes from PostgreSQL.
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { RelayProcess } from '../helpers/relay-process.ts';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { runInProcess } from './support/cli.ts';
import { createTestDatabase, type TestDatabase, truncateRelayTables } from '../helpers/postgres.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let database: TestDatabase;
const relays: TestRelay[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});
afterAll(async () => {
  await database.drop();
});

async function node(limits: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const relay = await startTestRelay({ databaseUrl: database.url, ...limits });
  relays.push(relay);
  return relay;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('several nodes on one database', () => {
  test('a conversation stored through one node is read and continued through another, in one seq order', async () => {
    const [first, second] = [await node(), await node()];
    const { a, b, bob, conv } = await directPair(first);
    clients.push(a, b);
    for (const body of ['one', 'two', 'three']) expect(await a.sendMessage(conv, body)).toMatchObject({ t: 'ack' });
    const [elsewhere, synced] = await TestClient.signIn(second.wsUrl, bob.token);
    clients.push(elsewhere);
    const bodies = synced.batches.flatMap((batch) => batch.msgs.map((message) => [message.seq, message.body]));
    expect(bodies).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(await elsewhere.sendMessage(conv, 'four')).toMatchObject({ t: 'ack', msg: { seq: 4 } });
  });

  test('three relay processes started together on an empty database all serve it', async () => {
    const fresh = await createTestDatabase();
    const processes: RelayProcess[] = [];
    try {
      processes.push(
        ...(await Promise.all(
          Array.from({ length: 3 }, () => RelayProcess.start({ args: ['--database-url', fresh.url], startTimeoutMs: 30_000 })),
        )),
      );
      for (const relay of processes) expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
      const alice = await register(processes[0]?.url ?? '');
      const login = await fetch(`${processes[2]?.url}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: alice.user.username, password: 'correct horse battery' }),
      });
      expect(login.status).toBe(200);
      const { rows } = await fresh.admin('SELECT 1');
      expect(rows).toHaveLength(1);
    } finally {
      await Promise.all(processes.map((relay) => relay.cleanup()));
      await fresh.drop();
    }
  }, 60_000);
});

describe('accounts on PostgreSQL', () => {
  test('the export reads PostgreSQL; an account deleted through one node is deleted for a member on another', async () => {
    const [first, second] = [await node(), await node()];
    const { a, b, alice, bob, conv } = await directPair(first);
    clients.push(a, b);
    const ack = await a.sendMessage(conv, 'alice on postgres');
    if (ack.t !== 'ack') throw new Error('send refused');
    const exported = await fetch(`${second.url}/api/account/export`, { headers: { Authorization: `Bearer ${alice.token}` } });
    expect(exported.status).toBe(200);
    const zip = unzipSync(new Uint8Array(await exported.arrayBuffer()));
    expect(new TextDecoder().decode(zip['messages.json'])).toContain('alice on postgres');

    const deleted = await fetch(`${first.url}/api/account/delete`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${alice.token}` },
      body: JSON.stringify({ password: 'correct horse battery' }),
    });
    expect(deleted.status).toBe(204);
    // Both nodes read the same database: the message is deleted in the log Bob's other socket syncs from.
    const [later, synced] = await TestClient.signIn(second.wsUrl, bob.token);
    clients.push(later);
    expect(synced.batches.flatMap((batch) => batch.msgs).find((message) => message.seq === ack.msg.seq)).toMatchObject({
      deleted: true,
      body: '',
    });
    expect((await fetch(`${second.url}/api/account/export`, { headers: { Authorization: `Bearer ${alice.token}` } })).status).toBe(401);
  });
});

describe('health', () => {
  test('/healthz answers 503 while the database is unreachable, sends are refused unavailable, and both recover by themselves', async () => {
    const relay = await node({ limits: { healthCheckIntervalMs: 50, unhealthyAfterMs: 500 } });
    const { a, b, conv } = await directPair(relay);
    clients.push(a, b);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);

    // The database refuses new connections and drops the relay's open ones.
    await database.admin(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`);
    try {
      await database.admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database.name]);
      let answer: Response | undefined;
      await eventually(async () => {
        answer = await fetch(`${relay.url}/healthz`);
        return answer.status === 503;
      });
      expect(await answer?.json()).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/database has not answered/) } });
      const cid = uniqueCid();
      expect(await a.sendMessage(conv, 'while down', { cid })).toMatchObject({ t: 'nack', code: 'unavailable' });

      await database.admin(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
      await eventually(async () => (await fetch(`${relay.url}/healthz`)).status === 200);
      // The same socket, the same cid: stored once now.
      expect(await a.sendMessage(conv, 'while down', { cid })).toMatchObject({ t: 'ack', msg: { seq: 1 } });
      expect(await b.next('msg', (frame) => frame.msg.cid === cid)).toMatchObject({ msg: { body: 'while down' } });
    } finally {
      await database.admin(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
    }
  });

  test('a relay on SQLite has no database to lose: /healthz stays 200', async () => {
    const relay = await startTestRelay({ limits: { healthCheckIntervalMs: 10, unhealthyAfterMs: 10 } });
    relays.push(relay);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  });
});

describe('operator commands', () => {
  test('create a user, list and revoke sessions on PostgreSQL; backup refuses and names pg_dump', async () => {
    await truncateRelayTables(database.url);
    // The relay creates the schema; the commands work beside it.
    const relay = await node();
    const url = ['--database-url', database.url];
    const created = await runInProcess(['user', 'create', 'carol', '--password-stdin', ...url], { input: 'correct horse battery\n' });
    expect(created).toMatchObject({ code: 0 });
    const login = await fetch(`${relay.url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    const list = await runInProcess(['sessions', 'list', 'carol', ...url]);
    expect(list.stdout).toContain('carol');
    expect(await runInProcess(['sessions', 'revoke', '--all', ...url])).toMatchObject({ code: 0 });

    const backup = await runInProcess(['backup', '/tmp/never-written.db', ...url]);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(/PostgreSQL: back it up with pg_dump/);
  });

  test('a bad URL is a usage error; an operator command on an empty database says to start the relay first', async () => {
    const bad = await runInProcess(['sessions', 'list', '--database-url', 'mysql://x/y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--database-url: not a PostgreSQL URL/);
    const fresh = await createTestDatabase();
    try {
      const empty = await runInProcess(['registration', 'status', '--database-url', fresh.url]);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(/schema version 0.*start the relay of this version once/);
    } finally {
      await fresh.drop();
    }
  });
});
