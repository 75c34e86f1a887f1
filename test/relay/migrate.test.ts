// `duplex-relay migrate`: a SQLite relay's data copied into PostgreSQL reads
// back the same through the RelayStore interface (users, sign-ins,
// conversations with members in joining order and receipts, messages with a
// file, changes to messages, blocks in order, settings, presence, the
// accounts' devices, profiles, photos and disabled users), with the counts
// checked; and
// the refusals: a running relay, a target that holds data, missing flags.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openPostgresStore } from '../../relay/store/postgres.ts';
import { databaseFileIn, openSqliteStore } from '../../relay/store/sqlite.ts';
import type { RelayStore } from '../../relay/store/types.ts';
import { runInProcess } from './support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

let database: TestDatabase;
let dataDir: string;
const toClose: RelayStore[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'duplex-migrate-test-'));
});
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A relay's worth of data, through the store as the relay writes it. */
async function fillSqlite(store: RelayStore): Promise<string[]> {
  const users = [];
  for (const name of ['alice', 'bob', 'carol', 'dave']) {
    const user = await store.createUser({ username: name, displayName: `${name} Ä`, passwordHash: `hash-${name}` }, 1_000);
    if (!user) throw new Error('taken');
    users.push(user);
  }
  const [alice, bob, carol, dave] = users as [typeof users[0], typeof users[0], typeof users[0], typeof users[0]];
  await store.addToken('token-a', alice.id, 2_000, { name: 'Duplex on Linux', address: '192.0.2.7' });
  await store.addToken('token-b', bob.id, 2_001);
  const direct = (await store.openDirect(alice.id, bob.id, 3_000)).conversation.id;
  // Joining order differs from id and name order: dave before carol.
  const group = await store.createGroup(bob.id, 'Team', [dave.id, alice.id], 3_001);
  await store.createFile({ id: 'file00000000000000000001', uploaderId: alice.id, name: 'a.png', mime: 'image/png', size: 9 }, 3_002);
  await store.finishFile('file00000000000000000001', 'ab'.repeat(32), 3_003);
  await store.appendMessages(
    [
      { sender: alice.id, conv: direct, cid: 'c1', body: 'hello' },
      { sender: bob.id, conv: direct, cid: 'c2', body: 'hi', replyTo: 1 },
      { sender: alice.id, conv: group.id, cid: 'c3', body: '', file: { id: 'file00000000000000000001', width: 2, height: 1 } },
    ],
    () => null,
    4_000,
  );
  // Changes: the target keeps its current state (edited body, reactions).
  await store.appendMessages(
    [
      { sender: bob.id, conv: direct, cid: 'c4', body: '👍', kind: 'react', target: 1 },
      { sender: alice.id, conv: direct, cid: 'c5', body: 'hello!', kind: 'edit', target: 1 },
    ],
    () => null,
    4_000,
  );
  await store.addMembers(group.id, [carol.id], 4_001);
  await store.advanceReceipt(direct, bob.id, { read: 1 });
  await store.block(carol.id, dave.id, 5_000);
  await store.block(carol.id, alice.id, 5_001);
  await store.setGroupAdds(dave.id, 'contacts');
  await store.setLastSeen([alice.id], 6_000);
  await store.setRegistration('closed', 7_000);
  // Photos: users and files reference each other, which the copy's order has to live with.
  await store.createFile({ id: 'file00000000000000000002', uploaderId: alice.id, name: 'me.jpg', mime: 'image/jpeg', size: 5 }, 7_001);
  await store.finishFile('file00000000000000000002', 'cd'.repeat(32), 7_002);
  await store.updateProfile(alice.id, { about: 'at the office', photo: 'file00000000000000000002' });
  await store.createFile({ id: 'file00000000000000000003', uploaderId: bob.id, name: 'team.png', mime: 'image/png', size: 7 }, 7_003);
  await store.finishFile('file00000000000000000003', 'ef'.repeat(32), 7_004);
  await store.setConversationPhoto(group.id, 'file00000000000000000003');
  await store.setUserDisabled(dave.id, 7_005);
  return users.map((user) => user.id);
}

/** Everything the interface reads, for comparing two stores. */
async function snapshot(store: RelayStore, userIds: string[]) {
  const perUser = await Promise.all(
    userIds.map(async (id) => {
      const conversations = await store.conversationsOf(id);
      const logs = await Promise.all(conversations.map((conv) => store.messagesAfter(conv.id, 0, 100)));
      return { conversations, logs, privacy: await store.privacyOf(id) };
    }),
  );
  return {
    perUser,
    users: (await store.usersByIds(userIds)).sort((a, b) => a.id.localeCompare(b.id)),
    alice: await store.userByUsername('alice'),
    tokens: await store.listTokens(),
    lastSeen: await store.lastSeen(userIds),
    registration: await store.registrationSetting(),
    file: await store.fileRecord('file00000000000000000001'),
    totals: await store.fileTotals(),
    accounts: await store.listUsers(),
    // Carol shares the group with Alice: she may read Alice's photo.
    photoReadable: await store.mayReadFile('file00000000000000000002', userIds[2] as string),
    // Photos are in use: never swept.
    expired: await store.expiredFiles(10_000, 10),
  };
}

test('copies every table, verified, and the PostgreSQL store reads what the SQLite store read', async () => {
  const sqlite = openSqliteStore(databaseFileIn(dataDir));
  const userIds = await fillSqlite(sqlite);
  const before = await snapshot(sqlite, userIds);
  await sqlite.close();

  const result = await runInProcess(['migrate', '--from', dataDir, '--database-url', database.url]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/rows per table, the same on both sides/);
  for (const [table, rows] of [['users', 4], ['tokens', 2], ['conversations', 2], ['members', 6], ['messages', 5], ['files', 3], ['blocks', 2], ['settings', 1]] as const) {
    expect(result.stdout).toMatch(new RegExp(`\\n  ${table} +${rows}\\n`));
  }

  const postgres = await openPostgresStore(database.url, 'operator');
  toClose.push(postgres);
  expect(await snapshot(postgres, userIds)).toEqual(before);
  expect(before).toMatchObject({ alice: { about: 'at the office', photo: 'file00000000000000000002' }, photoReadable: true, expired: [] });
  expect(before.tokens[0]).toMatchObject({ name: 'Duplex on Linux', address: '192.0.2.7' });
  expect(before.accounts.find((record) => record.user.username === 'dave')).toMatchObject({ disabledAt: 7_005, signIns: 0 });
  expect(before.perUser[1]?.conversations.find((conv) => conv.kind === 'group')).toMatchObject({ photo: 'file00000000000000000003' });
  // The copy goes on as a log: the next message of the direct conversation is seq 5.
  const direct = before.perUser[0]?.conversations.find((conv) => conv.kind === 'direct')?.id ?? '';
  const [next] = await postgres.appendMessages([{ sender: userIds[0] as string, conv: direct, cid: 'c6', body: 'after' }], () => null, 8_000);
  expect(next).toMatchObject({ kind: 'stored', message: { seq: 5 } });
  expect((await postgres.messagesAfter(direct, 0, 1))[0]).toMatchObject({ body: 'hello!', editedAt: 4_000, reactions: { [userIds[1] as string]: '👍' } });

  // Into a database that holds data: refused, nothing changed.
  const again = await runInProcess(['migrate', '--from', dataDir, '--database-url', database.url]);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already holds data \(table \w+\): migrate copies into an empty database only/);
  expect(await postgres.messagesAfter(direct, 0, 10)).toHaveLength(5);
});

test('refuses while a relay runs on the data directory, and without its flags', async () => {
  const running = openSqliteStore(databaseFileIn(dataDir));
  toClose.push(running);
  const fresh = await createTestDatabase();
  try {
    const refused = await runInProcess(['migrate', '--from', dataDir, '--database-url', fresh.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a relay is running on .*relay\.db: stop it first/);
    expect((await fresh.admin(`SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [fresh.name])).rows).toEqual([{ n: 1 }]);
  } finally {
    await fresh.drop();
  }
  expect(await runInProcess(['migrate', '--database-url', database.url])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from DIR is required/) });
  expect(await runInProcess(['migrate', '--from', dataDir])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--database-url .* is required/) });
  const missing = await runInProcess(['migrate', '--from', path.join(dataDir, 'nothing'), '--database-url', database.url]);
  expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/no database at .*nothing.*relay\.db: check --from/) });
});
