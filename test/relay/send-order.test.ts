// Several sends of one conversation on the wire (docs/protocol.md, "Sending
// several at once"): once the relay refuses one with a retryable code, it
// refuses every later send of that conversation from that socket the same
// way, without storing it, until the refused cid comes again. Without that
// rule a later send could be stored past the gap (the send bucket refills; the
// next transaction may succeed). Real relay, real SQLite, real sockets.
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { databaseFileIn } from '../../relay/store/sqlite.ts';
import { type FrameOf, TestClient, uniqueCid } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

type Answer = FrameOf<'ack'> | FrameOf<'nack'>;

function answerOf(client: TestClient, cid: string, timeoutMs?: number): Promise<Answer> {
  return client.nextAny((frame) => (frame.t === 'ack' || frame.t === 'nack') && frame.cid === cid, timeoutMs) as Promise<Answer>;
}

/** Sends every cid at once (one burst on the wire) and returns their answers in order. */
async function burst(client: TestClient, conv: string, cids: readonly string[]): Promise<Answer[]> {
  for (const cid of cids) client.send({ t: 'send', cid, conv, body: `body of ${cid}` });
  return Promise.all(cids.map((cid) => answerOf(client, cid)));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate_limited in the middle of a pipeline', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    // A token every 20 ms: a later send would find one again within the test.
    relay = await startTestRelay({ limits: { sendBurst: 5, sendsPerSecond: 50 } });
  });
  afterAll(async () => {
    await relay.stop();
  });

  test('holds the conversation on that socket until the refused cid comes again, then stores in order', async () => {
    const { a, b, conv } = await directPair(relay);
    const cids = Array.from({ length: 10 }, () => uniqueCid());
    const first = await burst(a, conv, cids.slice(0, 8));
    const accepted = first.filter((answer) => answer.t === 'ack').length;
    expect(accepted).toBeGreaterThanOrEqual(5);
    // Everything after the first refusal is refused the same way, never stored past it.
    expect(first.slice(0, accepted).every((answer) => answer.t === 'ack')).toBe(true);
    expect(accepted).toBeLessThan(8);
    expect(first.slice(accepted).every((answer) => answer.t === 'nack' && answer.code === 'rate_limited')).toBe(true);

    // Tokens are back by now; a later send is still refused while the refused cid has not come again.
    await pause(200);
    expect(await burst(a, conv, cids.slice(8))).toEqual(
      cids.slice(8).map((cid) => expect.objectContaining({ t: 'nack', cid, code: 'rate_limited' })),
    );
    // Another conversation of the same socket is not held.
    const other = await directPair(relay);
    expect((await other.a.sendMessage(other.conv, 'elsewhere')).t).toBe('ack');

    // The refused cid lifts the hold; the rest (within a full bucket) follows, in order, each stored once.
    await pause(200);
    const rest = await burst(a, conv, cids.slice(accepted));
    expect(rest.map((answer) => answer.t)).toEqual(cids.slice(accepted).map(() => 'ack'));
    const seqs = [...first.slice(0, accepted), ...rest].map((answer) => (answer.t === 'ack' ? answer.msg.seq : 0));
    expect(seqs).toEqual(cids.map((_, i) => i + 1));
    await Promise.all([a, b, other.a, other.b].map((client) => client.close()));
  });

  test('holds only the socket that was refused: the same user’s other socket goes on', async () => {
    const { alice, a, b, conv } = await directPair(relay);
    const [a2] = await TestClient.signIn(relay.wsUrl, alice.token);
    const refused = await burst(a, conv, Array.from({ length: 8 }, () => uniqueCid()));
    expect(refused.some((answer) => answer.t === 'nack')).toBe(true);
    await pause(200);
    expect((await a2.sendMessage(conv, 'from the other device')).t).toBe('ack');
    await Promise.all([a, a2, b].map((client) => client.close()));
  });
});

describe('unavailable in the middle of a pipeline', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ rateLimits: false });
  });
  afterAll(async () => {
    await relay.stop();
  });

  test('a send behind one the relay could not store is refused too, even once the store is writable again', async () => {
    const { a, b, conv } = await directPair(relay);
    const [x, y] = [uniqueCid(), uniqueCid()];
    // Another connection holds the write lock beyond the relay's busy timeout.
    const locker = new DatabaseSync(databaseFileIn(relay.dataDir), { timeout: 5_000 });
    locker.exec('BEGIN IMMEDIATE');
    let xAnswer: Answer;
    try {
      a.send({ t: 'send', cid: x, conv, body: 'x' });
      xAnswer = await answerOf(a, x, 15_000);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    expect(xAnswer).toMatchObject({ t: 'nack', code: 'unavailable' });
    // The store works again, but y comes after the refused x on this socket.
    a.send({ t: 'send', cid: y, conv, body: 'y' });
    expect(await answerOf(a, y)).toMatchObject({ t: 'nack', code: 'unavailable' });
    const again = await burst(a, conv, [x, y]);
    expect(again.map((answer) => (answer.t === 'ack' ? [answer.cid, answer.msg.seq] : answer.t))).toEqual([
      [x, 1],
      [y, 2],
    ]);
    await Promise.all([a, b].map((client) => client.close()));
  });
});
