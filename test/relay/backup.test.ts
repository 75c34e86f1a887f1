// Online backup and restore: `duplex-relay backup FILE` run against a relay
// child process while clients keep sending, then a relay started on a data
// directory holding the backup as relay.db and its FILE.files/ as files/ (the
// restore procedure of docs/operations.md).
import { randomBytes } from 'node:crypto';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, expect, test } from 'vitest';
import type { AuthResponse } from '../../src/shared/protocol/index.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import { runCli } from './support/cli.ts';
import { postJson, register, TestClient, uniqueCid } from './support/client.ts';
import { download, sha256, uploadFile } from './support/tus.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Pump {
  /** cid → when its ack arrived. */
  acked: Map<string, number>;
  done: Promise<void>;
}

/** Sends to `conv` as `token`, 20 sends in flight, until `running()` turns false. */
function pump(wsUrl: string, token: string, conv: string, running: () => boolean): Pump {
  const acked = new Map<string, number>();
  const done = (async () => {
    const [client] = await TestClient.signIn(wsUrl, token);
    while (running()) {
      const cids = Array.from({ length: 20 }, () => uniqueCid());
      for (const cid of cids) client.send({ t: 'send', cid, conv, body: `body of ${cid}` });
      await Promise.all(
        cids.map(async (cid) => {
          await client.next('ack', (ack) => ack.cid === cid, 10_000);
          acked.set(cid, Date.now());
        }),
      );
    }
    await client.close();
  })();
  return { acked, done };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a backup taken while clients send is a consistent copy, and a relay restored from it serves its users', async () => {
  const relay = await RelayProcess.start({ args: ['--no-rate-limits'] });
  cleanups.push(() => relay.cleanup());
  const work = await mkdtemp(path.join(tmpdir(), 'duplex-backup-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));

  const [alice, bob, carol] = (await Promise.all([register(relay.url), register(relay.url), register(relay.url)])) as [
    AuthResponse,
    AuthResponse,
    AuthResponse,
  ];
  const [setup] = await TestClient.signIn(relay.wsUrl, alice.token);
  const direct = await setup.request({ t: 'create', kind: 'direct', with: bob.user.id });
  const group = await setup.request({ t: 'create', kind: 'group', title: 'all', members: [bob.user.id, carol.user.id] });
  if (direct.t !== 'conv' || group.t !== 'conv') throw new Error('create failed');
  // A file a message carries, and one uploaded since but not sent yet: both finished, both backed up.
  const photo = randomBytes(300 * 1024);
  const photoId = await uploadFile(relay.url, alice.token, photo, 'photo.jpg', 'image/jpeg');
  expect(await setup.sendMessage(group.conv.id, '', { file: { id: photoId } })).toMatchObject({ t: 'ack' });
  const draftId = await uploadFile(relay.url, alice.token, Buffer.from('not sent yet'));
  await setup.close();

  let running = true;
  const pumps = [
    pump(relay.wsUrl, alice.token, direct.conv.id, () => running),
    pump(relay.wsUrl, bob.token, direct.conv.id, () => running),
    pump(relay.wsUrl, bob.token, group.conv.id, () => running),
    pump(relay.wsUrl, carol.token, group.conv.id, () => running),
  ];
  const totalAcked = () => pumps.reduce((sum, each) => sum + each.acked.size, 0);
  await waitFor(() => totalAcked() >= 300, '300 acks before the backup');

  const backupFile = path.join(work, 'relay-backup.db');
  const ackedBefore = totalAcked();
  const startedAt = Date.now();
  const backup = await runCli(['backup', backupFile, '--data', relay.dataDir]);
  expect(backup.stderr).toBe('');
  expect(backup.code).toBe(0);
  expect(backup.stdout).toMatch(
    /^backup of .*relay\.db written to .*relay-backup\.db \(\d+ bytes, schema version \d+\)\n2 files \(307212 bytes\) copied to .*relay-backup\.db\.files\n$/,
  );
  expect((await readdir(`${backupFile}.files`)).sort()).toEqual([photoId, draftId].sort());
  expect((await stat(`${backupFile}.files`)).mode & 0o777).toBe(0o700);
  expect((await stat(path.join(`${backupFile}.files`, photoId))).mode & 0o777).toBe(0o600);
  // Online: sends went on being stored while the backup ran.
  expect(totalAcked()).toBeGreaterThan(ackedBefore);
  await waitFor(() => totalAcked() >= ackedBefore + 300, '300 more acks after the backup');
  running = false;
  await Promise.all(pumps.map((each) => each.done));
  expect((await relay.stop()).code).toBe(0);

  // The copy: intact, every conversation log gap-free up to its lastSeq, and
  // holding every message acknowledged before the backup began.
  const db = new DatabaseSync(backupFile, { readOnly: true });
  expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
  const logs = db
    .prepare(
      `SELECT c.id, c.last_seq, COUNT(m.seq) AS count, MIN(m.seq) AS first, MAX(m.seq) AS last
       FROM conversations c LEFT JOIN messages m ON m.conv_id = c.id GROUP BY c.id`,
    )
    .all() as { id: string; last_seq: number; count: number; first: number; last: number }[];
  expect(logs).toHaveLength(2);
  for (const log of logs) expect(log).toEqual({ id: log.id, last_seq: log.count, count: log.count, first: 1, last: log.count });
  const inBackup = new Set(
    (db.prepare('SELECT cid FROM messages').all() as { cid: string }[]).map((row) => row.cid),
  );
  db.close();
  const ackedBeforeBackup = pumps.flatMap((each) => [...each.acked].filter(([, at]) => at < startedAt).map(([cid]) => cid));
  expect(ackedBeforeBackup.filter((cid) => !inBackup.has(cid))).toEqual([]);
  // Taken mid-stream: the relay stored more afterwards.
  expect(inBackup.size).toBeLessThan(totalAcked());

  // Restore: the backup becomes relay.db of an empty data directory.
  const restoredDir = path.join(work, 'restored');
  await mkdir(restoredDir);
  await copyFile(backupFile, path.join(restoredDir, 'relay.db'));
  await cp(`${backupFile}.files`, path.join(restoredDir, 'files'), { recursive: true });
  const restored = await RelayProcess.start({ dataDir: restoredDir });
  cleanups.push(() => restored.cleanup());

  const login = await postJson(restored.url, '/api/login', { username: carol.user.username, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  expect(login.body.user).toEqual(carol.user);
  // A token issued before the backup still works, and the history is the backup's.
  const [reader, synced] = await TestClient.signIn(restored.wsUrl, bob.token, { [direct.conv.id]: 0, [group.conv.id]: 0 });
  expect(synced.welcome.user).toEqual(bob.user);
  for (const log of logs) {
    const seqs = synced.batches.filter((batch) => batch.conv === log.id).flatMap((batch) => batch.msgs.map((msg) => msg.seq));
    expect(seqs).toEqual(Array.from({ length: log.count }, (_, i) => i + 1));
  }
  // And it goes on from there.
  const sent = await reader.sendMessage(group.conv.id, 'after the restore');
  expect(sent.t === 'ack' && sent.msg.seq).toBe((logs.find((log) => log.id === group.conv.id)?.count ?? 0) + 1);
  await reader.close();
  // The file came back with its message, and its reader may download it.
  const { response, body } = await download(restored.url, carol.token, photoId);
  expect([response.status, sha256(body)]).toEqual([200, sha256(photo)]);
  expect(await readdir(work)).toEqual(['relay-backup.db', 'relay-backup.db.files', 'restored']);
});
