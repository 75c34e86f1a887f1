// Messages with files against a real relay process (docs/files.md, "The
// apps' side"): the upload job uploads with tus, then sends; the other side
// downloads the same bytes with its token, and keeps them in its cache. The
// relay is killed in the middle of an upload: the upload resumes from the
// relay's offset (no byte sent twice past it), and exactly one message
// arrives. A file chosen while the relay is down, with the app restarted in
// between, goes out when the relay is back.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, type RelayProcess, startRelay } from './helpers/relay.ts';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  await relay?.cleanup();
});

/** fetch that records each tus PATCH's Upload-Offset. */
function recordingFetch(patchOffsets: number[]): typeof fetch {
  return async (input, init) => {
    if (init?.method === 'PATCH') patchOffsets.push(Number(new Headers(init.headers).get('Upload-Offset')));
    return fetch(input, init);
  };
}

describe('messages with files', () => {
  it('uploads, sends, and the other side downloads the same bytes (then from its cache)', { timeout: 30_000 }, async () => {
    const [aliceAccount, bobAccount] = await Promise.all([registerAccount(relay.url, 'Alice'), registerAccount(relay.url, 'Bob')]);
    const alice = await TestClient.signedIn(relay.url, aliceAccount);
    const bob = await TestClient.signedIn(relay.url, bobAccount);
    try {
      const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
      await alice.engine.send(conv, 'before');
      const bytes = new Uint8Array(randomBytes(300_000));
      const thumb = 'data:image/jpeg;base64,/9j/4AAQ';
      const sent = await alice.engine.sendFile(conv, { name: 'photo.jpg', mime: 'image/jpeg', bytes, caption: 'Look', width: 1600, height: 1200, thumb });
      await alice.engine.send(conv, 'after');
      expect(sent).toMatchObject({ status: 'queued', seq: null, body: 'Look', file: { name: 'photo.jpg', size: bytes.byteLength } });
      expect(sent.file?.id).toBeUndefined();

      await waitFor(() => bob.messages(conv).length === 3, 'bob has all three');
      const [before, photo, after] = bob.messages(conv);
      expect([before!.body, photo!.body, after!.body]).toEqual(['before', 'Look', 'after']);
      expect(photo!.file).toMatchObject({ name: 'photo.jpg', mime: 'image/jpeg', size: bytes.byteLength, width: 1600, height: 1200, thumb });
      expect(alice.events.some((e) => e.type === 'upload-progress' && e.cid === sent.cid && e.sent === bytes.byteLength)).toBe(true);

      expect(await bob.engine.getFile(photo!.file!.id!)).toEqual(bytes);
      // From the cache now: the relay is not asked again.
      await relay.stop('SIGTERM');
      expect(await bob.engine.getFile(photo!.file!.id!)).toEqual(bytes);
      await relay.restart();
      // And the message with its file survives in the store.
      const page = await bob.engine.getMessages(conv, { limit: 10 });
      expect(page.messages[1]!.file).toEqual(photo!.file);
      // A file id nobody has: a clear error.
      await expect(bob.engine.getFile('A'.repeat(24))).rejects.toThrow('This file is no longer available');
    } finally {
      await Promise.all([alice.dispose(), bob.dispose()]);
    }
  });

  it('forwards a file message with its file: sent by id, no upload, the third user downloads the bytes', { timeout: 30_000 }, async () => {
    const accounts = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => registerAccount(relay.url, name)));
    const [alice, bob, carol] = await Promise.all(accounts.map((a) => TestClient.signedIn(relay.url, a)));
    try {
      const withBob = (await alice!.engine.createDirect(accounts[1]!.user.id)).id;
      const bytes = new Uint8Array(randomBytes(20_000));
      await alice!.engine.sendFile(withBob, { name: 'notes.pdf', mime: 'application/pdf', bytes, caption: '' });
      const received = await waitFor(() => bob!.messages(withBob).find((m) => m.file?.id !== undefined && m.seq !== null), 'bob has it');

      // Bob was not the uploader: he may send on a file he can read.
      const withCarol = (await bob!.engine.createDirect(accounts[2]!.user.id)).id;
      const forwarded = await bob!.engine.forward(withCarol, withBob, received.seq!);
      expect(forwarded).toMatchObject({ forwarded: true, body: '', file: { id: received.file!.id, name: 'notes.pdf' } });
      expect(bob!.events.some((e) => e.type === 'upload-progress')).toBe(false);

      const atCarol = await waitFor(() => carol!.messages(withCarol).find((m) => m.forwarded && m.seq !== null), 'carol has it');
      expect(atCarol.file).toMatchObject({ id: received.file!.id, name: 'notes.pdf', mime: 'application/pdf', size: bytes.byteLength });
      expect(await carol!.engine.getFile(atCarol.file!.id!)).toEqual(bytes);
    } finally {
      await Promise.all([alice, bob, carol].map((client) => client!.dispose()));
    }
  });

  it('resumes an upload broken off by a relay crash from the relay’s offset, then sends it once', { timeout: 60_000 }, async () => {
    const [aliceAccount, bobAccount] = await Promise.all([registerAccount(relay.url, 'Alice'), registerAccount(relay.url, 'Bob')]);
    const patchOffsets: number[] = [];
    const alice = await TestClient.signedIn(relay.url, aliceAccount, {
      fetch: recordingFetch(patchOffsets),
      timing: { uploadChunkBytes: 64 * 1024, sendRetryBackoff: { baseMs: 200, maxMs: 1_000 } },
    });
    try {
      const conv = (await alice.engine.createDirect(bobAccount.user.id)).id;
      const bytes = new Uint8Array(randomBytes(4 * 1024 * 1024));
      let killed: Promise<unknown> | null = null;
      alice.engine.onEvent((event) => {
        if (!killed && event.type === 'upload-progress' && event.sent >= 1024 * 1024) killed = relay.stop('SIGKILL');
      });
      const sent = await alice.engine.sendFile(conv, { name: 'big.bin', mime: 'application/octet-stream', bytes, caption: '' });
      await waitFor(() => killed, 'the upload under way');
      await killed;
      const offsetsBeforeCrash = patchOffsets.length;
      await relay.restart();
      await alice.engine.retryNow();
      await waitFor(() => alice.messages(conv).find((m) => m.cid === sent.cid)?.seq, 'the message stored', 45_000);

      // The first PATCH after the crash started where the relay's copy ended, not at 0.
      const resumedAt = patchOffsets[offsetsBeforeCrash]!;
      expect(resumedAt).toBeGreaterThan(0);
      expect(patchOffsets.slice(offsetsBeforeCrash).every((offset) => offset >= resumedAt)).toBe(true);
      const log = await relayLog(relay, bobAccount.token, conv);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ cid: sent.cid, file: { name: 'big.bin', size: bytes.byteLength } });
      const bob = await TestClient.signedIn(relay.url, bobAccount);
      try {
        expect(await bob.engine.getFile(log[0]!.file!.id)).toEqual(bytes);
      } finally {
        await bob.dispose();
      }
    } finally {
      await alice.dispose();
    }
  });

  it('sends a file chosen while the relay was down, after an app restart, when the relay is back', { timeout: 45_000 }, async () => {
    const [aliceAccount, bobAccount] = await Promise.all([registerAccount(relay.url, 'Alice'), registerAccount(relay.url, 'Bob')]);
    const first = await TestClient.signedIn(relay.url, aliceAccount);
    const conv = (await first.engine.createDirect(bobAccount.user.id)).id;
    await relay.stop('SIGTERM');
    await first.waitForDisconnect();
    const bytes = new Uint8Array(randomBytes(50_000));
    const sent = await first.engine.sendFile(conv, { name: 'notes.pdf', mime: 'application/pdf', bytes, caption: 'Minutes' });
    await first.engine.send(conv, 'see above');
    await first.dispose();

    // The app starts again on the same files, with the relay back.
    await relay.restart();
    const again = new TestClient({ storeDir: first.storeDir, accounts: first.accounts });
    try {
      await again.engine.start();
      await waitFor(async () => (await again.engine.getMessages(conv, { limit: 10 })).messages.every((m) => m.seq !== null), 'both stored', 30_000);
      const log = await relayLog(relay, bobAccount.token, conv);
      expect(log.map((m) => [m.cid, m.body, m.file?.name])).toEqual([
        [sent.cid, 'Minutes', 'notes.pdf'],
        [expect.any(String), 'see above', undefined],
      ]);
    } finally {
      await again.dispose();
    }
  });
});
