// The relay's files are private from their creation, whatever the umask
// (relay/store/private-files.ts): the data directory 0700; relay.db, its -wal
// and -shm, the owner lock and backups 0600. The umask of this test process
// (a forked Vitest worker) is set to 000, the loosest, and inherited by the
// `duplex-relay backup` child.
import { watch } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { databaseFileIn, openSqliteStore } from '../../relay/store/sqlite.ts';
import { runCli } from './support/cli.ts';
import { register, TestClient } from './support/client.ts';
import { startTestRelay } from './support/relay.ts';

let work: string;
let umaskBefore: number;

beforeAll(async () => {
  umaskBefore = process.umask(0o000);
  work = await mkdtemp(path.join(tmpdir(), 'duplex-modes-'));
});

afterAll(async () => {
  process.umask(umaskBefore);
  await rm(work, { recursive: true, force: true });
});

async function modeOf(file: string): Promise<string> {
  return ((await stat(file)).mode & 0o777).toString(8);
}

async function modesIn(dataDir: string): Promise<Record<string, string>> {
  const db = databaseFileIn(dataDir);
  return {
    dir: await modeOf(dataDir),
    db: await modeOf(db),
    wal: await modeOf(`${db}-wal`),
    shm: await modeOf(`${db}-shm`),
    lock: await modeOf(`${db}.lock`),
  };
}

const PRIVATE = { dir: '700', db: '600', wal: '600', shm: '600', lock: '600' };

test('a new data directory and every file the relay creates in it are private under umask 000', async () => {
  const dataDir = path.join(work, 'fresh', 'data');
  const relay = await startTestRelay({ dataDir });
  try {
    // Writes, so that the WAL and shared-memory files exist.
    const alice = await register(relay.url);
    const [client] = await TestClient.signIn(relay.wsUrl, alice.token);
    await client.close();
    expect(await modesIn(dataDir)).toEqual(PRIVATE);
  } finally {
    await relay.stop();
  }
});

test('a data directory left readable by an older relay is made private at start', async () => {
  const dataDir = path.join(work, 'old');
  await mkdir(dataDir, { mode: 0o755 });
  const db = databaseFileIn(dataDir);
  for (const file of [db, `${db}-wal`, `${db}-shm`, `${db}.lock`]) {
    await writeFile(file, '');
    await chmod(file, 0o644);
  }
  const relay = await startTestRelay({ dataDir });
  try {
    expect(await modesIn(dataDir)).toEqual(PRIVATE);
  } finally {
    await relay.stop();
  }
});

test('a backup is private while it is written, not only once it is done', { timeout: 60_000 }, async () => {
  const dataDir = path.join(work, 'big');
  // About 20 MB of messages, so that the copy takes long enough to be seen while written.
  const store = openSqliteStore(databaseFileIn(dataDir));
  const alice = await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'x' }, 1);
  const bob = await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'x' }, 1);
  const { conversation } = await store.openDirect(alice!.id, bob!.id, 1);
  const body = 'x'.repeat(1000);
  for (let batch = 0; batch < 20; batch++) {
    const drafts = Array.from({ length: 1000 }, (_, i) => ({ sender: alice!.id, cid: `cid-${batch}-${i}`, conv: conversation.id, body }));
    await store.appendMessages(drafts, () => null, 1);
  }
  await store.close();

  const target = path.join(work, 'backups');
  await mkdir(target);
  const seen: string[] = [];
  const watcher = watch(target, (_event, name) => {
    if (!name?.includes('.partial-')) return;
    // The database copy, and the folder of its files (files/backup.ts), each under a temporary name.
    const kind = name.includes('.files.partial-') ? 'files folder' : 'database';
    stat(path.join(target, name)).then(
      (info) => seen.push(`${kind} ${(info.mode & 0o777).toString(8)}`),
      () => {},
    );
  });
  try {
    const backupFile = path.join(target, 'relay-backup.db');
    const result = await runCli(['backup', backupFile, '--data', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(await modeOf(backupFile)).toBe('600');
    expect(seen).toContain('database 600');
    expect(seen.filter((entry) => entry !== 'database 600' && entry !== 'files folder 700')).toEqual([]);
  } finally {
    watcher.close();
  }
});
