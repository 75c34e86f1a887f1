// Sending: ack and fan-out, deduplication, the order of checks, content rules,
// rate limits, group commit, multi-device and offline delivery.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { type DirectPair, directPair } from './support/direct-pair.ts';
import { scrapeMetrics, startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ limits: { sendBurst: 5, sendsPerSecond: 2 } });
});
afterAll(async () => {
  await relay.stop();
});

const pair = (): Promise<DirectPair> => directPair(relay);

async function closeAll(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}

describe('send', () => {
  test('acks to the sending socket, msg to every other socket of every member', async () => {
    const { alice, a, b, conv } = await pair();
    const [a2] = await TestClient.signIn(relay.wsUrl, alice.token);
    const cid = uniqueCid();
    const ack = await a.sendMessage(conv, 'Hello, Bob', { cid });
    expect(ack).toEqual({
      t: 'ack',
      cid,
      msg: { conv, seq: 1, cid, from: alice.user.id, body: 'Hello, Bob', ts: expect.any(Number) },
    });
    const expected = { t: 'msg', msg: ack.t === 'ack' ? ack.msg : undefined };
    expect(await b.next('msg')).toEqual(expected);
    expect(await a2.next('msg')).toEqual(expected);
    await a.expectNone((frame) => frame.t === 'msg');
    await closeAll(a, a2, b);
  });

  test('a repeated cid gets the same ack, stores nothing and sends no msg', async () => {
    const { a, b, conv } = await pair();
    const cid = uniqueCid();
    const first = await a.sendMessage(conv, 'once', { cid });
    await b.next('msg');
    const again = await a.sendMessage(conv, 'a different body', { cid });
    expect(again).toEqual(first);
    await b.expectNone((frame) => frame.t === 'msg');
    const next = await a.sendMessage(conv, 'next');
    expect(next.t === 'ack' && next.msg.seq).toBe(2);
    await closeAll(a, b);
  });

  test('the same cid sent twice at once is stored once', async () => {
    const { a, b, conv } = await pair();
    const cid = uniqueCid();
    a.send({ t: 'send', cid, conv, body: 'twice' });
    a.send({ t: 'send', cid, conv, body: 'twice' });
    const first = await a.next('ack', (ack) => ack.cid === cid);
    const second = await a.next('ack', (ack) => ack.cid === cid);
    expect(second).toEqual(first);
    await b.next('msg');
    await b.expectNone((frame) => frame.t === 'msg');
    await closeAll(a, b);
  });

  test('deduplication comes before membership: a leaver resending an acked cid still gets its ack', async () => {
    const { alice, bob, a, b } = await pair();
    const group = await a.request({ t: 'create', kind: 'group', title: 'G', members: [bob.user.id] });
    if (group.t !== 'conv') throw new Error('create failed');
    const cid = uniqueCid();
    const ack = await b.sendMessage(group.conv.id, 'before leaving', { cid });
    await b.request({ t: 'leave', conv: group.conv.id });
    expect(await b.sendMessage(group.conv.id, 'before leaving', { cid })).toEqual(ack);
    const nack = await b.sendMessage(group.conv.id, 'after leaving');
    expect(nack).toMatchObject({ t: 'nack', code: 'not_found' });
    expect(alice.user.id).not.toBe(bob.user.id);
    await closeAll(a, b);
  });

  test('nacks not_found for an unknown conversation or one the sender is not in', async () => {
    const { a, b, conv } = await pair();
    const outsider = await register(relay.url);
    const [c] = await TestClient.signIn(relay.wsUrl, outsider.token);
    expect(await c.sendMessage(conv, 'intruding')).toMatchObject({ t: 'nack', code: 'not_found', message: expect.any(String) });
    expect(await a.sendMessage('no-such-conversation', 'hello')).toMatchObject({ t: 'nack', code: 'not_found' });
    await b.expectNone((frame) => frame.t === 'msg');
    await closeAll(a, b, c);
  });

  test.each([
    ['an empty body', ''],
    ['a blank body', ' \n\t\u00a0 '],
    ['a body over 4096 code points', '😀'.repeat(4097)],
    ['a body over 4096 code points after trimming', `  ${'a'.repeat(4097)}  `],
  ])('nacks invalid for %s', async (_, body) => {
    const { a, b, conv } = await pair();
    expect(await a.sendMessage(conv, body)).toMatchObject({ t: 'nack', code: 'invalid' });
    await b.expectNone((frame) => frame.t === 'msg', 100);
    await closeAll(a, b);
  });

  test('counts code points, not UTF-16 units, and stores the body as sent', async () => {
    const { a, b, conv } = await pair();
    const emoji = '😀'.repeat(4096);
    expect(await a.sendMessage(conv, emoji)).toMatchObject({ t: 'ack', msg: { body: emoji } });
    const padded = `  ${'b'.repeat(4096)}\n`;
    expect(await a.sendMessage(conv, padded)).toMatchObject({ t: 'ack', msg: { body: padded } });
    await closeAll(a, b);
  });

  test('a body padded beyond what a frame can carry is refused as invalid', async () => {
    const { a, b, conv } = await pair();
    expect(await a.sendMessage(conv, `x${' '.repeat(64_600)}`)).toMatchObject({ t: 'nack', code: 'invalid' });
    await closeAll(a, b);
  });

  test('replyTo must name an existing message of the conversation', async () => {
    const { a, b, conv } = await pair();
    const first = await a.sendMessage(conv, 'first');
    expect(await a.sendMessage(conv, 'reply', { replyTo: 2 })).toMatchObject({ t: 'nack', code: 'invalid' });
    const reply = await b.sendMessage(conv, 'reply', { replyTo: 1 });
    expect(reply).toMatchObject({ t: 'ack', msg: { seq: 2, replyTo: 1 } });
    expect(await a.next('msg', (msg) => msg.msg.seq === 2)).toMatchObject({ msg: { replyTo: 1 } });
    expect(first.t).toBe('ack');
    await closeAll(a, b);
  });

  test('a refused cid is judged afresh when sent again', async () => {
    const { a, b, conv } = await pair();
    const cid = uniqueCid();
    expect(await a.sendMessage(conv, '   ', { cid })).toMatchObject({ t: 'nack', code: 'invalid' });
    expect(await a.sendMessage(conv, 'now with text', { cid })).toMatchObject({ t: 'ack', msg: { seq: 1 } });
    await closeAll(a, b);
  });

  test.each([
    ['a short cid', { cid: 'short' }],
    ['a cid with bad characters', { cid: 'has spaces in it' }],
    ['a number as body', { body: 42 }],
    ['a missing conv', { conv: undefined }],
    ['a replyTo of 0', { replyTo: 0 }],
  ])('answers a send with %s with error bad_frame', async (_, override) => {
    const { a, b, conv } = await pair();
    a.send({ t: 'send', cid: uniqueCid(), conv, body: 'text', ...override });
    expect(await a.next('error')).toMatchObject({ code: 'bad_frame' });
    await closeAll(a, b);
  });

  test('rate limits sends per user with a non-final nack, across the user’s sockets', async () => {
    const { alice, a, b, conv } = await pair();
    const [a2] = await TestClient.signIn(relay.wsUrl, alice.token);
    const cids = Array.from({ length: 8 }, () => uniqueCid());
    cids.forEach((cid, i) => (i % 2 ? a2 : a).send({ t: 'send', cid, conv, body: `burst ${i}` }));
    const answers = await Promise.all(
      cids.map((cid, i) => ((i % 2 ? a2 : a) as TestClient).nextAny((f) => (f.t === 'ack' || f.t === 'nack') && f.cid === cid)),
    );
    const limited = answers.filter((answer) => answer.t === 'nack');
    // The burst is 5; a slow machine may let a refilled token through too.
    expect(answers.filter((answer) => answer.t === 'ack').length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.every((nack) => nack.t === 'nack' && nack.code === 'rate_limited')).toBe(true);
    // Tokens come back: the client retries the same cid later, on the socket
    // that was refused (which holds the conversation until it does, see
    // send-order.test.ts).
    const refusedAt = answers.findIndex((answer) => answer.t === 'nack');
    const refusedSocket = refusedAt % 2 ? a2 : a;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await refusedSocket.sendMessage(conv, 'retried', { cid: cids[refusedAt] })).toMatchObject({ t: 'ack' });
    await closeAll(a, a2, b);
  });

  test('resending an acknowledged message costs no rate-limit token', async () => {
    const { a, b, conv } = await pair();
    const cid = uniqueCid();
    await a.sendMessage(conv, 'stored once', { cid });
    for (let i = 0; i < 10; i++) expect((await a.sendMessage(conv, 'stored once', { cid })).t).toBe('ack');
    expect((await a.sendMessage(conv, 'still within the burst')).t).toBe('ack');
    await closeAll(a, b);
  });
});

describe('delivery', () => {
  test('sends that arrive together share a transaction and get gapless seqs', async () => {
    const unlimited = await startTestRelay({ rateLimits: false });
    try {
      const users = await Promise.all([1, 2, 3, 4].map(() => register(unlimited.url)));
      const clients = await Promise.all(users.map(async (user) => (await TestClient.signIn(unlimited.wsUrl, user.token))[0]));
      const [first, ...rest] = clients as [TestClient, ...TestClient[]];
      const group = await first.request({ t: 'create', kind: 'group', title: 'Busy', members: users.slice(1).map((u) => u.user.id) });
      if (group.t !== 'conv') throw new Error('create failed');
      const conv = group.conv.id;
      const sent = clients.map((client) => {
        const cids = Array.from({ length: 50 }, () => uniqueCid());
        cids.forEach((cid, i) => client.send({ t: 'send', cid, conv, body: `n${i}` }));
        return { client, cids };
      });
      const seqs: number[] = [];
      for (const { client, cids } of sent) {
        let previous = 0;
        for (const cid of cids) {
          const ack = await client.next('ack', (frame) => frame.cid === cid, 15_000);
          // One socket's sends are stored in the order sent.
          expect(ack.msg.seq).toBeGreaterThan(previous);
          previous = ack.msg.seq;
          seqs.push(ack.msg.seq);
        }
      }
      expect(seqs.sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      // Every member's other sockets got every other member's messages, in order.
      const received = rest[0]?.frames.flatMap((frame) => (frame.t === 'msg' ? [frame.msg.seq] : [])) ?? [];
      expect(received).toEqual([...received].sort((x, y) => x - y));
      const metrics = await scrapeMetrics(unlimited);
      const count = Number(/duplex_group_commit_sends_count (\d+)/.exec(metrics)?.[1]);
      const sum = Number(/duplex_group_commit_sends_sum (\d+)/.exec(metrics)?.[1]);
      expect(sum).toBe(200);
      expect(count).toBeLessThan(200);
      await closeAll(...clients);
    } finally {
      await unlimited.stop();
    }
  });

  test('an offline member gets what was sent meanwhile through its cursor', async () => {
    const { bob, a, b, conv } = await pair();
    const first = await a.sendMessage(conv, 'one');
    const seen = first.t === 'ack' ? first.msg.seq : 0;
    await b.next('msg');
    await b.close();
    for (const body of ['two', 'three', 'four']) await a.sendMessage(conv, body);
    const [b2, synced] = await TestClient.signIn(relay.wsUrl, bob.token, { [conv]: seen });
    expect(synced.batches.flatMap((batch) => batch.msgs.map((msg) => msg.body))).toEqual(['two', 'three', 'four']);
    await closeAll(a, b2);
  });

  test('a message to a group reaches every member, each once', async () => {
    const users = await Promise.all([1, 2, 3].map(() => register(relay.url)));
    const clients = await Promise.all(users.map(async (user) => (await TestClient.signIn(relay.wsUrl, user.token))[0]));
    const [owner, ...others] = clients as [TestClient, ...TestClient[]];
    const group = await owner.request({ t: 'create', kind: 'group', title: 'All', members: users.slice(1).map((u) => u.user.id) });
    if (group.t !== 'conv') throw new Error('create failed');
    await owner.sendMessage(group.conv.id, 'to everyone');
    for (const other of others) {
      await other.next('msg');
      await other.expectNone((frame) => frame.t === 'msg', 100);
    }
    await closeAll(...clients);
  });
});
