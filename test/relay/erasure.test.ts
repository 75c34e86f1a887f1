// Delete for everyone, and deleting an account, really erase (docs/files.md,
// "Erasure"; docs/operations.md, "Deleting an account"):
// a relay child process stores a message, an edit of it and its file, then
// the delete; a `backup` is taken after it; the relay stops cleanly. Every
// byte of the data directory and of the backup (database copy and files) is
// then searched for the deleted text, the edit's text and the file's
// content, and none is found — while a message that was not deleted is
// found, so the search itself is shown to work. The second test deletes a
// whole account instead (POST /api/account/delete) and searches likewise for
// its texts, edit, "about" line, display name and file.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { RelayProcess } from '../helpers/relay-process.ts';
import { runCli } from './support/cli.ts';
import { register, TestClient } from './support/client.ts';
import { download, uploadFile } from './support/tus.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every regular file under `root`, recursively. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/** The files under the roots that contain `needle` anywhere in their bytes. */
async function filesHolding(roots: string[], needle: Buffer): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    for (const file of await filesUnder(root)) {
      if ((await readFile(file)).includes(needle)) found.push(file);
    }
  }
  return found;
}

test('after a delete, a clean stop and a backup, no byte of the text, its edit or its file is left', async () => {
  const relay = await RelayProcess.start({ args: ['--no-rate-limits'] });
  cleanups.push(() => relay.cleanup());
  const work = await mkdtemp(path.join(tmpdir(), 'duplex-erasure-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));

  const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
  const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
  const created = await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
  if (created.t !== 'conv') throw new Error('create failed');
  const conv = created.conv.id;

  // Unique, long enough that no stray bytes could match by chance.
  const secret = `secret-text-${randomBytes(12).toString('hex')}`;
  // Long enough to spill into SQLite overflow pages, which a delete frees.
  const secretTail = `secret-tail-${randomBytes(12).toString('hex')}`;
  const secretBody = `${secret} ${'€'.repeat(3_500)}${secretTail}`;
  const edited = `edited-text-${randomBytes(12).toString('hex')}`;
  const kept = `kept-text-${randomBytes(12).toString('hex')}`;
  const fileContent = Buffer.concat([Buffer.from(`file-content-${randomBytes(12).toString('hex')}`), randomBytes(64 * 1024)]);
  const fileNeedle = fileContent.subarray(0, 64);
  const fileName = `name-${randomBytes(8).toString('hex')}.bin`;

  const fileId = await uploadFile(relay.url, alice.token, fileContent, fileName, 'application/octet-stream');
  const original = await a.sendMessage(conv, secretBody, { file: { id: fileId } });
  if (original.t !== 'ack') throw new Error('send failed');
  expect(await a.sendMessage(conv, edited, { kind: 'edit', target: original.msg.seq })).toMatchObject({ t: 'ack' });
  expect(await a.sendMessage(conv, kept)).toMatchObject({ t: 'ack' });
  // Enough other traffic that SQLite's pages move around meanwhile.
  for (let i = 0; i < 50; i++) expect(await a.sendMessage(conv, `filler ${i} ${'x'.repeat(200)}`)).toMatchObject({ t: 'ack' });

  // The needles are there before the delete: the search can find them.
  expect(await filesHolding([relay.dataDir], Buffer.from(secret))).not.toEqual([]);
  expect(await filesHolding([relay.dataDir], Buffer.from(secretTail))).not.toEqual([]);
  expect(await filesHolding([relay.dataDir], Buffer.from(edited))).not.toEqual([]);
  expect(await filesHolding([relay.dataDir], fileNeedle)).not.toEqual([]);

  expect(await a.sendMessage(conv, '', { kind: 'delete', target: original.msg.seq })).toMatchObject({ t: 'ack' });
  expect((await download(relay.url, alice.token, fileId)).response.status).toBe(404);
  await a.close();

  const backupFile = path.join(work, 'after-delete.db');
  const backup = await runCli(['backup', backupFile, '--data', relay.dataDir]);
  expect(backup.stderr).toBe('');
  expect(backup.code).toBe(0);
  expect((await relay.stop()).code).toBe(0);

  const roots = [relay.dataDir, work];
  expect(await filesHolding(roots, Buffer.from(kept))).toEqual(
    expect.arrayContaining([path.join(relay.dataDir, 'relay.db'), backupFile]),
  );
  for (const needle of [secret, secretTail, edited, fileName]) {
    expect(await filesHolding(roots, Buffer.from(needle)), needle).toEqual([]);
  }
  expect(await filesHolding(roots, fileNeedle), 'file content').toEqual([]);
});

test('after an account is deleted and a clean stop, no byte of its texts, profile or files is left', async () => {
  const relay = await RelayProcess.start({ args: ['--no-rate-limits'] });
  cleanups.push(() => relay.cleanup());
  const displayName = `Name ${randomBytes(8).toString('hex')}`;
  const [alice, bob] = await Promise.all([register(relay.url, undefined, displayName), register(relay.url)]);
  const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
  const [b] = await TestClient.signIn(relay.wsUrl, bob.token);
  const created = await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
  if (created.t !== 'conv') throw new Error('create failed');
  const conv = created.conv.id;

  const about = `about-${randomBytes(12).toString('hex')}`;
  const secret = `account-text-${randomBytes(12).toString('hex')}`;
  const secretTail = `account-tail-${randomBytes(12).toString('hex')}`;
  const edited = `account-edit-${randomBytes(12).toString('hex')}`;
  const kept = `bob-kept-${randomBytes(12).toString('hex')}`;
  const fileContent = Buffer.concat([Buffer.from(`account-file-${randomBytes(12).toString('hex')}`), randomBytes(64 * 1024)]);
  const fileNeedle = fileContent.subarray(0, 64);
  const fileName = `account-name-${randomBytes(8).toString('hex')}.bin`;

  expect(await a.request({ t: 'profile', about })).toMatchObject({ t: 'user' });
  const fileId = await uploadFile(relay.url, alice.token, fileContent, fileName, 'application/octet-stream');
  const original = await a.sendMessage(conv, `${secret} ${'€'.repeat(3_500)}${secretTail}`);
  if (original.t !== 'ack') throw new Error('send failed');
  expect(await a.sendMessage(conv, edited, { kind: 'edit', target: original.msg.seq })).toMatchObject({ t: 'ack' });
  expect(await a.sendMessage(conv, 'with a file', { file: { id: fileId } })).toMatchObject({ t: 'ack' });
  expect(await b.sendMessage(conv, kept)).toMatchObject({ t: 'ack' });
  for (let i = 0; i < 50; i++) expect(await b.sendMessage(conv, `filler ${i} ${'x'.repeat(200)}`)).toMatchObject({ t: 'ack' });
  for (const needle of [secret, secretTail, edited, about, displayName]) {
    expect(await filesHolding([relay.dataDir], Buffer.from(needle)), needle).not.toEqual([]);
  }
  expect(await filesHolding([relay.dataDir], fileNeedle)).not.toEqual([]);

  const deleted = await fetch(`${relay.url}/api/account/delete`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${alice.token}` },
    body: JSON.stringify({ password: 'correct horse battery' }),
  });
  expect(deleted.status).toBe(204);
  await b.next('msg', (frame) => frame.msg.kind === 'delete' && frame.msg.target === original.msg.seq);
  await Promise.all([a.closed, b.close()]);
  expect((await relay.stop()).code).toBe(0);

  expect(await filesHolding([relay.dataDir], Buffer.from(kept))).toEqual([path.join(relay.dataDir, 'relay.db')]);
  for (const needle of [secret, secretTail, edited, about, displayName, fileName]) {
    expect(await filesHolding([relay.dataDir], Buffer.from(needle)), needle).toEqual([]);
  }
  expect(await filesHolding([relay.dataDir], fileNeedle), 'file content').toEqual([]);
});
