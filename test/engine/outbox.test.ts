// The outbox on its own, with fake timers, a recording `send` and a real
// (in-memory SQLite) store: order per conversation within a window of sends
// on the wire (2 unless a test says otherwise), pauses for rate limits,
// final refusals, retry and delete, and what survives a restart.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteClientStore } from '../../src/main/store/sqlite-client-store.ts';
import type { DuplexEvent } from '../../src/shared/api.ts';
import { FileTransfers } from '../../src/shared/engine/file-transfers.ts';
import { Outbox } from '../../src/shared/engine/outbox.ts';
import { RelayNodes } from '../../src/shared/engine/relay-nodes.ts';
import type { SendFrame } from '../../src/shared/protocol/index.ts';

function harness(store = new SqliteClientStore(':memory:', 'me'), sendWindow = 2) {
  const sent: SendFrame[] = [];
  const events: DuplexEvent[] = [];
  /** The cids of change jobs whose targets were redrawn. */
  const redrawn: string[] = [];
  let online = true;
  const outbox = new Outbox({
    store,
    me: 'me',
    send: (frame) => {
      sent.push(frame);
      return true;
    },
    isOnline: () => online,
    emit: (event) => events.push(event),
    changed: () => {},
    targetChanged: (job) => redrawn.push(job.cid),
    membersOf: () => [],
    sendRetryBackoff: { baseMs: 1_000, maxMs: 30_000 },
    sendWindow,
    // Uploads are tested against a real relay (files.test.ts); none run here.
    transfers: new FileTransfers({ nodes: new RelayNodes(['http://127.0.0.1:9'], fetch), token: 'unused', chunkBytes: 1024 }),
    log: () => {},
  });
  let seq = 0;
  /** The relay's answer to a send frame: the message it stored. */
  const ack = (frame: SendFrame) =>
    outbox.acknowledged([
      {
        t: 'ack',
        cid: frame.cid,
        msg: {
          conv: frame.conv,
          seq: ++seq,
          cid: frame.cid,
          from: 'me',
          body: frame.body,
          ts: 1_000 + seq,
          ...(frame.kind ? { kind: frame.kind as 'edit' | 'delete' | 'react', target: frame.target! } : {}),
        },
      },
    ]);
  const setOnline = (value: boolean) => {
    online = value;
  };
  return { store, outbox, sent, events, redrawn, ack, setOnline };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Outbox', () => {
  it('keeps a window of sends per conversation on the wire, in order, and sends the next on an ack', async () => {
    const { outbox, sent, ack } = harness();
    const a1 = await outbox.send('a', 'a1');
    await outbox.send('a', 'a2');
    await outbox.send('a', 'a3');
    await outbox.send('b', 'b1');
    expect(sent.map((f) => f.body)).toEqual(['a1', 'a2', 'b1']);
    await ack(sent[0]!);
    expect(sent.map((f) => f.body)).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(a1).toMatchObject({ conv: 'a', body: 'a1', seq: null, mine: true, status: 'queued' });
  });

  it('sends nothing while not synced, then everything queued in order', async () => {
    const { outbox, sent, ack, setOnline } = harness();
    setOnline(false);
    for (const body of ['1', '2', '3']) await outbox.send('a', body);
    expect(sent).toEqual([]);
    setOnline(true);
    outbox.flush();
    for (let i = 0; i < 3; i++) await ack(sent[i]!);
    expect(sent.map((f) => f.body)).toEqual(['1', '2', '3']);
  });

  it('resends what was on the wire when the connection was lost', async () => {
    const { outbox, sent, setOnline } = harness();
    await outbox.send('a', 'once');
    setOnline(false);
    outbox.connectionLost();
    setOnline(true);
    outbox.flush();
    expect(sent.map((f) => f.cid)).toEqual([sent[0]!.cid, sent[0]!.cid]);
  });

  it.each(['rate_limited', 'unavailable'] as const)('pauses after %s, 1 s then doubling, and resumes with the refused message', async (code) => {
    const { outbox, sent } = harness();
    await outbox.send('a', 'first');
    await outbox.send('a', 'second');
    expect(sent.map((f) => f.body)).toEqual(['first', 'second']);
    await outbox.nacked({ t: 'nack', cid: sent[0]!.cid, code, message: 'later' });
    // The relay refuses what followed the same way: that nack changes nothing.
    await outbox.nacked({ t: 'nack', cid: sent[1]!.cid, code, message: 'later' });
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((f) => f.body)).toEqual(['first', 'second', 'first', 'second']);
    await outbox.nacked({ t: 'nack', cid: sent[2]!.cid, code, message: 'later' });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((f) => f.body)).toEqual(['first', 'second', 'first', 'second', 'first', 'second']);
  });

  it.each(['rate_limited', 'unavailable'] as const)(
    'after %s in the middle of its window, resends from the refused message on, in order, each stored once',
    async (code) => {
      const { outbox, sent, ack, store } = harness(undefined, 4);
      for (const body of ['1', '2', '3', '4', '5']) await outbox.send('a', body);
      expect(sent.map((f) => f.body)).toEqual(['1', '2', '3', '4']);
      await ack(sent[0]!);
      expect(sent.map((f) => f.body)).toEqual(['1', '2', '3', '4', '5']);
      for (const refused of sent.slice(1, 5)) await outbox.nacked({ t: 'nack', cid: refused.cid, code, message: 'later' });
      // Held by the relay until it comes again: not deletable meanwhile.
      await expect(outbox.remove('a', sent[1]!.cid)).rejects.toThrow(/being sent/);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sent.slice(5).map((f) => f.body)).toEqual(['2', '3', '4', '5']);
      for (const frame of sent.slice(5)) await ack(frame);
      expect(await store.listOutbox()).toEqual([]);
      expect((await store.getMessages('a', { limit: 10 })).map((m) => [m.seq, m.body])).toEqual([
        [1, '1'],
        [2, '2'],
        [3, '3'],
        [4, '4'],
        [5, '5'],
      ]);
    },
  );

  it('fails a message on a final nack, persists it, and goes on with the next', async () => {
    const { outbox, sent, events, store } = harness();
    const doomed = await outbox.send('a', 'doomed');
    await outbox.send('a', 'fine');
    await outbox.nacked({ t: 'nack', cid: doomed.cid, code: 'invalid', message: 'bad replyTo' });
    expect(sent.map((f) => f.body)).toEqual(['doomed', 'fine']);
    expect(events.at(-1)).toEqual({
      type: 'messages',
      conv: 'a',
      messages: [{ ...doomed, status: 'failed', error: 'bad replyTo' }],
    });
    expect(await store.getOutboxJob(doomed.cid)).toMatchObject({ state: 'failed', error: 'bad replyTo' });
  });

  it('retries a failed message and deletes an unsent one, but not one on the wire', async () => {
    const { outbox, sent, events, store, ack } = harness(undefined, 1);
    const failed = await outbox.send('a', 'failed once');
    await outbox.nacked({ t: 'nack', cid: failed.cid, code: 'not_found', message: 'no such conversation' });
    const onTheWire = await outbox.send('a', 'on the wire');
    const waiting = await outbox.send('a', 'waiting');
    await expect(outbox.remove('a', onTheWire.cid)).rejects.toThrow(/being sent/);
    await outbox.remove('a', waiting.cid);
    expect(events.at(-1)).toEqual({ type: 'message-removed', conv: 'a', cid: waiting.cid });
    await outbox.retry('a', failed.cid);
    await ack(sent.at(-1)!);
    expect(sent.map((f) => f.body)).toEqual(['failed once', 'on the wire', 'failed once']);
    // 'on the wire' was acknowledged: settled with its stored message.
    expect((await store.listOutbox()).map((e) => [e.kind === 'delete' ? '' : e.body, e.state])).toEqual([['failed once', 'queued']]);
    expect((await store.getMessages('a', { limit: 10 })).map((m) => m.body)).toEqual(['on the wire']);
  });

  it('retries and deletes only within the conversation named', async () => {
    const { outbox, sent, events, store } = harness();
    const failed = await outbox.send('a', 'refused');
    await outbox.nacked({ t: 'nack', cid: failed.cid, code: 'invalid', message: 'no' });
    const eventsBefore = events.length;
    await outbox.retry('b', failed.cid);
    await outbox.remove('b', failed.cid);
    expect(events).toHaveLength(eventsBefore);
    expect(sent).toHaveLength(1);
    expect(await store.getOutboxJob(failed.cid)).toMatchObject({ conv: 'a', state: 'failed' });
  });

  it('settles a job whose ack was lost when its message comes in a batch, not on a stranger’s same cid', async () => {
    const { outbox, sent, store } = harness();
    const mine = await outbox.send('a', 'mine');
    await outbox.send('a', 'next');
    const stranger = { conv: 'a', seq: 1, cid: mine.cid, from: 'bob', body: 'same cid', ts: 1 };
    await outbox.storeRelayMessages([stranger]);
    expect(await store.listOutbox()).toHaveLength(2);
    await outbox.storeRelayMessages([{ conv: 'a', seq: 2, cid: mine.cid, from: 'me', body: 'mine', ts: 2 }]);
    expect(sent.map((f) => f.body)).toEqual(['mine', 'next']);
    expect((await store.listOutbox()).map((job) => (job.kind === 'delete' ? '' : job.body))).toEqual(['next']);
  });

  it('picks up what a previous run left queued, but not what failed', async () => {
    const first = harness();
    first.setOnline(false);
    await first.outbox.send('a', 'queued before restart');
    const failed = await first.outbox.send('b', 'failed before restart');
    await first.outbox.nacked({ t: 'nack', cid: failed.cid, code: 'invalid', message: 'no' });
    const second = harness(first.store);
    await second.outbox.load();
    second.outbox.flush();
    expect(second.sent.map((f) => f.body)).toEqual(['queued before restart']);
  });

  it('holds a change to a queued message behind it, then sends it with the seq the message got', async () => {
    const { store, outbox, sent, ack } = harness();
    const message = await outbox.send('a', 'helo');
    await outbox.change({ kind: 'edit', conv: 'a', targetCid: message.cid, body: 'hello' });
    await outbox.change({ kind: 'react', conv: 'a', targetCid: message.cid, body: '👍' });
    expect(sent.map((f) => f.kind ?? 'send')).toEqual(['send']);
    await ack(sent[0]!);
    // Both go once the message has its seq (the window sends them together).
    expect(sent.map((f) => [f.kind ?? 'send', f.target ?? null, f.body])).toEqual([
      ['send', null, 'helo'],
      ['edit', 1, 'hello'],
      ['react', 1, '👍'],
    ]);
    // The store learned the seq too, for a restart before the changes are answered.
    expect((await store.listOutbox()).map((job) => (job.kind === 'edit' || job.kind === 'delete' || job.kind === 'react' ? job.target : null))).toEqual([1, 1]);
    await ack(sent[1]!);
    await ack(sent[2]!);
    expect(await store.getMessage('a', 1)).toMatchObject({ body: 'hello', editedAt: 1_002, reactions: { me: '👍' } });
    expect(await store.listOutbox()).toEqual([]);
  });

  it('gives each change the seq of its own target, after a restart and when the target’s ack was lost', async () => {
    const first = harness(undefined, 10);
    first.setOnline(false);
    const one = await first.outbox.send('a', 'one');
    const two = await first.outbox.send('a', 'two');
    await first.outbox.change({ kind: 'edit', conv: 'a', targetCid: two.cid, body: 'two, fixed' });
    await first.outbox.change({ kind: 'react', conv: 'a', targetCid: one.cid, body: '👍' });
    // The jobs come back from the store, the changes still without seqs.
    const { outbox, sent, ack, store } = harness(first.store, 10);
    await outbox.load();
    outbox.flush();
    expect(sent.map((f) => f.body)).toEqual(['one', 'two']);
    await ack(sent[0]!);
    // The edit waits for its own target, and the reaction behind it too.
    expect(sent).toHaveLength(2);
    await outbox.storeRelayMessages([{ conv: 'a', seq: 2, cid: two.cid, from: 'me', body: 'two', ts: 2 }]);
    expect(sent.slice(2).map((f) => [f.kind, f.target, f.body])).toEqual([
      ['edit', 2, 'two, fixed'],
      ['react', 1, '👍'],
    ]);
    await ack(sent[2]!);
    await ack(sent[3]!);
    expect(await store.listOutbox()).toEqual([]);
  });

  it('drops a change whose message was refused, and a change the relay refuses, redrawing their targets', async () => {
    const { store, outbox, sent, redrawn, ack } = harness();
    const refused = await outbox.send('a', 'refused');
    await outbox.change({ kind: 'delete', conv: 'a', targetCid: refused.cid });
    await outbox.nacked({ t: 'nack', cid: sent[0]!.cid, code: 'invalid', message: 'no' });
    await vi.runAllTimersAsync();
    expect(sent).toHaveLength(1);
    expect((await store.listOutbox()).map((job) => [job.kind, job.state])).toEqual([['send', 'failed']]);
    expect(redrawn).toHaveLength(2);

    await outbox.change({ kind: 'edit', conv: 'b', targetCid: 'cid-of-theirs', target: 7, body: 'mine now' });
    await outbox.nacked({ t: 'nack', cid: sent[1]!.cid, code: 'forbidden', message: 'not yours' });
    expect((await store.listOutbox('b'))).toEqual([]);
    expect(redrawn).toHaveLength(4);
    // The queue goes on.
    await outbox.send('b', 'next');
    await ack(sent[2]!);
    expect(sent.map((f) => f.body)).toEqual(['refused', 'mine now', 'next']);
  });
});
