// FinishedRecords (relay/files/finished-records.ts) over a real SQLite store:
// records finished together share a commit, and a bad one fails alone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { FinishedRecords } from '../../relay/files/finished-records.ts';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import type { FinishedFile, RelayStore } from '../../relay/store/types.ts';

let dir: string;
let store: RelayStore;
let uploaderId: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'duplex-finished-records-'));
  store = openSqliteStore(path.join(dir, 'relay.db'));
  const alice = await store.createUser({ username: 'alice', passwordHash: 'x', displayName: 'Alice' }, 1);
  if (!alice) throw new Error('alice was not created');
  uploaderId = alice.id;
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const file = (n: number): FinishedFile => ({
  id: `file${String(n).padStart(20, '0')}`,
  uploaderId,
  name: `f${n}`,
  mime: 'x/y',
  size: n,
  sha256: 'ab'.repeat(32),
});

test('records added while a commit is in flight go together in the next one', async () => {
  const calls: number[] = [];
  const counted: Pick<RelayStore, 'createFinishedFiles'> = {
    createFinishedFiles: (files, now) => {
      calls.push(files.length);
      return store.createFinishedFiles(files, now);
    },
  };
  const records = new FinishedRecords(counted);
  await Promise.all([1, 2, 3, 4, 5].map((n) => records.add(file(n))));
  expect(calls).toEqual([1, 4]);
  for (const n of [1, 2, 3, 4, 5]) expect(await store.fileRecord(file(n).id)).toMatchObject({ size: n, finishedAt: expect.any(Number) });
});

test('a bad record in a batch fails its own upload only; the others are stored', async () => {
  const records = new FinishedRecords(store);
  await store.createFile({ id: file(3).id, uploaderId, name: 'taken', mime: 'x/y', size: 9 }, 1);
  const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => records.add(file(n))));
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  for (const n of [1, 2, 4]) expect(await store.fileRecord(file(n).id)).toMatchObject({ size: n });
  expect(await store.fileRecord(file(3).id)).toMatchObject({ name: 'taken', finishedAt: null });
});
