// A relay that cannot store (docs/protocol.md, "Sending"): its database locked
// by another connection for longer than its busy timeout, or its disk full.
// Every send of a failed transaction is refused `unavailable` with its cid,
// the relay stays up, and the engine's outbox treats the refusal as "later":
// once the database is writable again each message is stored exactly once,
// in the order written. Real SQLite locks and a real full file system (a
// small tmpfs this test mounts; it needs root and skips, saying so, without).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/api.ts';
import type { NackFrame } from '../../src/shared/protocol/index.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { RelayProcess, registerAccount, relayLog, startRelay } from './helpers/relay.ts';
import { tappedWebSocket } from './helpers/tapped-websocket.ts';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Alice signed in with a direct chat with Bob, her outbox retrying quickly, and every nack she receives. */
async function aliceWithChat(relay: RelayProcess) {
  const [alice, bob] = await Promise.all([registerAccount(relay.url, 'Alice'), registerAccount(relay.url, 'Bob')]);
  const tap = tappedWebSocket();
  const nacks: NackFrame[] = [];
  tap.hideIncoming = (frame) => {
    if (frame.t === 'nack') nacks.push(frame);
    return false;
  };
  const client = await TestClient.signedIn(relay.url, alice, {
    WebSocket: tap.WebSocket,
    timing: { sendRetryBackoff: { baseMs: 200, maxMs: 500 } },
  });
  cleanups.push(() => client.dispose());
  const conv = (await client.engine.createDirect(bob.user.id)).id;
  return { client, conv, nacks, tap, token: alice.token };
}

/** Writes three messages while the store refuses, frees it, and checks the outcome. */
async function sendThroughOutage(relay: RelayProcess, block: () => void, unblock: () => void): Promise<void> {
  const { client, conv, nacks, token } = await aliceWithChat(relay);
  await client.engine.send(conv, 'before');
  await waitFor(() => client.messages(conv)[0]?.seq === 1, 'the first message stored');

  block();
  const written: ChatMessage[] = [];
  for (const body of ['one', 'two', 'three']) written.push(await client.engine.send(conv, body));
  const firstRefused = () => nacks.filter((nack) => nack.cid === written[0]!.cid).length;
  await waitFor(() => firstRefused() >= 2, 'the relay to refuse the first message at least twice', 20_000);
  // The three go on the wire together; each refusal names a message it refuses,
  // and every round starts again from the first one written.
  expect(nacks.every((nack) => nack.code === 'unavailable' && written.some((m) => m.cid === nack.cid))).toBe(true);
  expect(nacks[0]!.cid).toBe(written[0]!.cid);
  expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  expect(client.messages(conv).slice(1).map((message) => message.seq)).toEqual([null, null, null]);

  unblock();
  await waitFor(() => client.messages(conv).every((message) => message.seq !== null), 'every message stored', 20_000);
  const log = await relayLog(relay, token, conv);
  expect(log.map((message) => [message.seq, message.body, message.cid])).toEqual([
    [1, 'before', expect.any(String)],
    ...written.map((message, index) => [index + 2, message.body, message.cid]),
  ]);
}

describe('a relay that cannot store', () => {
  it('refuses sends unavailable while another connection holds the write lock, and stores them once freed', { timeout: 60_000 }, async () => {
    const relay = await startRelay();
    cleanups.push(() => relay.cleanup());
    const locker = new DatabaseSync(path.join(relay.dataDir, 'relay.db'));
    cleanups.push(() => locker.isOpen && locker.close());
    await sendThroughOutage(
      relay,
      () => locker.exec('BEGIN IMMEDIATE'),
      () => locker.exec('ROLLBACK'),
    );
  });

  it('a refusal in the middle of a window of sends: every message stored exactly once, in the order written', { timeout: 60_000 }, async () => {
    const relay = await startRelay();
    cleanups.push(() => relay.cleanup());
    // It waits for the relay's transaction in progress, if any, to take the lock.
    const locker = new DatabaseSync(path.join(relay.dataDir, 'relay.db'), { timeout: 5_000 });
    cleanups.push(() => locker.isOpen && locker.close());
    const { client, conv, nacks, tap, token } = await aliceWithChat(relay);
    // The store starts refusing as the 50th message goes on the wire: those
    // before it are stored or in flight, those after it queued or on the wire
    // behind it. Locking at a frame, not at a moment, keeps the refusal in the
    // middle of the window however fast or slow the machine is.
    let sends = 0;
    let locked = false;
    tap.rewriteOutgoing = (frame) => {
      if (frame.t === 'send' && ++sends === 50) {
        locker.exec('BEGIN IMMEDIATE');
        locked = true;
      }
      return frame;
    };
    const written: ChatMessage[] = [];
    for (let i = 1; i <= 300; i++) written.push(await client.engine.send(conv, `message ${i}`));
    try {
      await waitFor(() => nacks.length > 0, 'a refusal', 20_000);
    } finally {
      if (locked) locker.exec('ROLLBACK');
    }
    await waitFor(() => client.messages(conv).every((message) => message.seq !== null), 'every message stored', 30_000);
    expect(nacks.every((nack) => nack.code === 'unavailable')).toBe(true);
    const log = await relayLog(relay, token, conv);
    expect(log.map((message) => message.cid)).toEqual(written.map((message) => message.cid));
  });

  it('refuses sends unavailable while the disk is full, and stores them once there is room', { timeout: 60_000 }, async (context) => {
    const mountPoint = mkdtempSync(path.join(tmpdir(), 'duplex-full-disk-'));
    cleanups.push(() => rmSync(mountPoint, { recursive: true, force: true }));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      context.skip(`SKIPPED: cannot mount a small tmpfs to fill (needs root): ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    cleanups.push(() => execFileSync('umount', ['-l', mountPoint]));
    const relay = await RelayProcess.start({ dataDir: path.join(mountPoint, 'data'), args: ['--no-rate-limits'] });
    cleanups.push(() => relay.cleanup());
    const filler = path.join(mountPoint, 'filler');
    await sendThroughOutage(
      relay,
      () => fillDisk(filler),
      () => rmSync(filler),
    );
  });
});

/** Writes `file` until the file system has no page left. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}
