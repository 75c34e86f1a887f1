// Changes to messages over real sockets (docs/protocol.md, "Changes to
// messages"): edits, deletes and reactions as log entries that travel like
// messages, the target's current state in batch and history, forwarding,
// deletes that take a file away, and every bad input answered as the
// protocol says, with nothing stored and the other member unaffected.
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../src/shared/protocol/index.ts';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { type DirectPair, directPair } from './support/direct-pair.ts';
import { scrapeMetrics, startTestRelay, type TestRelay } from './support/relay.ts';
import { download, uploadFile } from './support/tus.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

async function closeAll(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}

/** Sends and expects an ack; the stored MSG. */
async function stored(client: TestClient, conv: string, body: string, extra: Record<string, unknown> = {}): Promise<Message> {
  const answer = await client.sendMessage(conv, body, extra);
  if (answer.t !== 'ack') throw new Error(`expected an ack, got ${JSON.stringify(answer)}`);
  return answer.msg;
}

function msgCount(client: TestClient): number {
  return client.frames.filter((frame) => frame.t === 'msg').length;
}

async function history(client: TestClient, conv: string): Promise<Message[]> {
  const answer = await client.request({ t: 'history', conv });
  if (answer.t !== 'history') throw new Error(`expected history, got ${JSON.stringify(answer)}`);
  return answer.msgs;
}

describe('changes travel as log entries', () => {
  test('edit, react and delete: ack to the sender, msg to the other member, current state in history and batch', async () => {
    const { alice, bob, a, b, conv } = await directPair(relay);
    const original = await stored(a, conv, 'Meet at 5');
    await b.next('msg');

    const edit = await stored(a, conv, 'Meet at 6', { kind: 'edit', target: original.seq });
    expect(edit).toEqual({
      conv,
      seq: 2,
      cid: edit.cid,
      from: alice.user.id,
      body: 'Meet at 6',
      ts: expect.any(Number),
      kind: 'edit',
      target: 1,
    });
    expect((await b.next('msg')).msg).toEqual(edit);
    const reaction = await stored(b, conv, '👍🏽', { kind: 'react', target: 1 });
    expect(reaction).toMatchObject({ seq: 3, kind: 'react', target: 1, body: '👍🏽', from: bob.user.id });
    expect((await a.next('msg')).msg).toEqual(reaction);

    expect((await history(b, conv))[0]).toEqual({ ...original, body: 'Meet at 6', editedAt: edit.ts, reactions: { [bob.user.id]: '👍🏽' } });
    // A fresh sign-in without cursors gets the current state in its batch.
    const [fresh, synced] = await TestClient.signIn(relay.wsUrl, bob.token);
    expect(synced.batches[0]?.msgs.map((msg) => msg.seq)).toEqual([1, 2, 3]);
    expect(synced.batches[0]?.msgs[0]).toMatchObject({ body: 'Meet at 6', editedAt: edit.ts });

    const deletion = await a.sendMessage(conv, '', { kind: 'delete', target: 1 });
    expect(deletion).toMatchObject({ t: 'ack', msg: { seq: 4, kind: 'delete', target: 1, body: '' } });
    expect((await b.next('msg')).msg).toMatchObject({ seq: 4, kind: 'delete', target: 1, body: '' });
    expect((await fresh.next('msg')).msg).toMatchObject({ seq: 4, kind: 'delete' });
    const log = await history(fresh, conv);
    expect(log[0]).toEqual({ conv, seq: 1, cid: original.cid, from: alice.user.id, body: '', ts: original.ts, deleted: true });
    expect(log[1]).toMatchObject({ kind: 'edit', body: '' });
    expect(JSON.stringify(log)).not.toContain('Meet at');
    // Receipts are watermarks over every seq, changes included.
    b.send({ t: 'receipt', conv, read: 4 });
    expect(await a.next('receipt')).toMatchObject({ user: bob.user.id, delivered: 4, read: 4 });
    await closeAll(a, b, fresh);
  });

  test('a delete needs no body, and a resent change is acknowledged again without a second entry', async () => {
    const { a, b, conv } = await directPair(relay);
    await stored(a, conv, 'oops');
    const cid = uniqueCid();
    a.send({ t: 'send', cid, conv, kind: 'delete', target: 1 });
    const first = await a.next('ack', (ack) => ack.cid === cid);
    a.send({ t: 'send', cid, conv, kind: 'delete', target: 1 });
    expect(await a.next('ack', (ack) => ack.cid === cid)).toEqual(first);
    await b.next('msg', (msg) => msg.msg.kind === 'delete');
    await b.expectNone((frame) => frame.t === 'msg' && frame.msg.kind === 'delete');
    expect((await history(a, conv)).map((msg) => msg.seq)).toEqual([1, 2]);
    await closeAll(a, b);
  });

  test('forwarding: forwarded: true is kept and relayed; a forward may carry a file the sender can read', async () => {
    const { alice, a, b, conv } = await directPair(relay);
    const carol = await register(relay.url);
    const [c] = await TestClient.signIn(relay.wsUrl, carol.token);
    const photo = randomBytes(2048);
    const id = await uploadFile(relay.url, alice.token, photo, 'photo.jpg', 'image/jpeg');
    await stored(a, conv, 'the photo', { file: { id } });
    await b.next('msg');
    const toCarol = await b.request({ t: 'create', kind: 'direct', with: carol.user.id });
    if (toCarol.t !== 'conv') throw new Error('create failed');
    const forward = await stored(b, toCarol.conv.id, 'the photo', { file: { id }, forwarded: true });
    expect(forward).toMatchObject({ forwarded: true, file: { id, name: 'photo.jpg', size: 2048 } });
    expect((await c.next('msg')).msg).toEqual(forward);
    const { response, body } = await download(relay.url, carol.token, id);
    expect(response.status).toBe(200);
    expect(body.equals(photo)).toBe(true);
    // Carol can not forward a file she can not read.
    const strangers = await register(relay.url);
    const other = await uploadFile(relay.url, strangers.token, randomBytes(10));
    expect(await c.sendMessage(toCarol.conv.id, '', { file: { id: other }, forwarded: true })).toMatchObject({
      t: 'nack',
      code: 'invalid',
    });
    await closeAll(a, b, c);
  });
});

function erasedCount(metrics: string): number {
  return Number(/^duplex_file_erased_total (\d+)$/m.exec(metrics)?.[1]);
}

describe('an edit of a message with a file', () => {
  test('may blank the caption, which an edit of a text message may not', async () => {
    const { alice, a, b, conv } = await directPair(relay);
    const id = await uploadFile(relay.url, alice.token, randomBytes(100), 'a.jpg', 'image/jpeg');
    const withFile = await stored(a, conv, 'caption', { file: { id } });
    const text = await stored(a, conv, 'text');
    expect(await a.sendMessage(conv, ' ', { kind: 'edit', target: withFile.seq })).toMatchObject({ t: 'ack' });
    expect(await a.sendMessage(conv, ' ', { kind: 'edit', target: text.seq })).toMatchObject({ t: 'nack', code: 'invalid' });
    const [first] = await history(b, conv);
    expect(first).toMatchObject({ body: ' ', file: { id }, editedAt: expect.any(Number) });
    await closeAll(a, b);
  });
});

describe('a delete for everyone takes the file with it', () => {
  test('the last message carrying a file deleted: the file is gone from storage and reads 404', async () => {
    const { alice, bob, a, b, conv } = await directPair(relay);
    const erasedBefore = erasedCount(await scrapeMetrics(relay));
    const bytes = randomBytes(4096);
    const id = await uploadFile(relay.url, alice.token, bytes, 'secret.pdf', 'application/pdf');
    const first = await stored(a, conv, '', { file: { id } });
    const second = await stored(a, conv, 'again', { file: { id } });
    await stored(a, conv, '', { kind: 'delete', target: first.seq });
    // Still carried by the second message.
    expect((await download(relay.url, bob.token, id)).response.status).toBe(200);
    await stored(a, conv, '', { kind: 'delete', target: second.seq });
    expect((await download(relay.url, bob.token, id)).response.status).toBe(404);
    expect((await download(relay.url, alice.token, id)).response.status).toBe(404);
    await expect(access(path.join(relay.dataDir, 'files', id))).rejects.toThrow();
    expect(erasedCount(await scrapeMetrics(relay))).toBe(erasedBefore + 1);
    expect((await history(b, conv)).filter((msg) => msg.file !== undefined)).toEqual([]);
    // Nothing refers to it now: sending it again is refused.
    expect(await a.sendMessage(conv, '', { file: { id } })).toMatchObject({ t: 'nack', code: 'invalid' });
    await closeAll(a, b);
  });
});

describe('bad changes', () => {
  let pair: DirectPair;
  let otherConv: string;

  beforeAll(async () => {
    pair = await directPair(relay);
    const { a, b, conv } = pair;
    // seq 1 alice's, seq 2 bob's, seq 3 a reaction, seq 4 deleted (by seq 5).
    await stored(a, conv, 'from alice');
    await stored(b, conv, 'from bob');
    await stored(b, conv, '❤️', { kind: 'react', target: 1 });
    await stored(a, conv, 'to be deleted');
    await stored(a, conv, '', { kind: 'delete', target: 4 });
    const carol = await register(relay.url);
    const created = await a.request({ t: 'create', kind: 'direct', with: carol.user.id });
    if (created.t !== 'conv') throw new Error('create failed');
    otherConv = created.conv.id;
    // seq 1..7 exist in the other conversation only from 6 on.
    for (let i = 0; i < 7; i++) await stored(a, otherConv, `elsewhere ${i}`);
  });
  afterAll(async () => {
    await closeAll(pair.a, pair.b);
  });

  /** Sends `frame` from alice and expects `nack` `code`; then checks that nothing was stored or relayed. */
  async function expectNack(frame: Record<string, unknown>, code: string, from: 'a' | 'b' = 'a'): Promise<void> {
    const { a, b, conv } = pair;
    const sender = from === 'a' ? a : b;
    const receiver = from === 'a' ? b : a;
    const before = await history(a, conv);
    const relayedBefore = msgCount(receiver);
    const answer = await sender.sendMessage(conv, (frame.body as string | undefined) ?? '', frame);
    expect(answer).toMatchObject({ t: 'nack', code, message: expect.any(String) });
    expect(await history(a, conv)).toEqual(before);
    // The history round trip came after any msg the send could have caused.
    expect(msgCount(receiver)).toBe(relayedBefore);
  }

  test.each([
    ['an unknown kind', { kind: 'pin', target: 1 }],
    ['a change without target', { kind: 'edit', body: 'x' }],
    ['a target that does not exist', { kind: 'react', target: 99, body: '👍' }],
    ['a target only in another conversation', { kind: 'react', target: 6, body: '👍' }],
    ['a target that is a change', { kind: 'react', target: 3, body: '👍' }],
    ['a deleted target (react)', { kind: 'react', target: 4, body: '👍' }],
    ['a deleted target (edit)', { kind: 'edit', target: 4, body: 'again' }],
    ['a deleted target (delete)', { kind: 'delete', target: 4 }],
    ['a target on an ordinary message', { target: 1, body: 'hello' }],
    ['a delete that has a body', { kind: 'delete', target: 1, body: 'why' }],
    ['a blank edit', { kind: 'edit', target: 1, body: '   ' }],
    ['an edit that is too long', { kind: 'edit', target: 1, body: 'x'.repeat(4097) }],
    ['a change with replyTo', { kind: 'edit', target: 1, body: 'x', replyTo: 1 }],
    ['a change marked forwarded', { kind: 'react', target: 1, body: '👍', forwarded: true }],
  ])('%s: nack invalid', async (_, frame) => {
    await expectNack(frame, 'invalid');
  });

  test.each([
    ['text', 'ok'],
    ['a digit', '1'],
    ['two emoji', '👍👍'],
    ['two flags', '🇫🇷🇩🇪'],
    ['an emoji with a space', '👍 '],
    ['whitespace', ' '],
    ['a lone skin tone', '🏽'],
    ['a lone regional indicator', '🇫'],
  ])('a reaction of %s: nack invalid', async (_, body) => {
    await expectNack({ kind: 'react', target: 1, body }, 'invalid');
  });

  test.each([
    ['a thumbs up', '👍'],
    ['a heart with its presentation selector', '❤️'],
    ['a skin tone', '👍🏿'],
    ['a flag', '🇫🇷'],
    ['a tag flag', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['a ZWJ family', '👨‍👩‍👧‍👦'],
    ['a keycap', '1️⃣'],
    ['a ZWJ sequence with skin tones', '🧑🏽‍🤝‍🧑🏿'],
  ])('a reaction of %s is stored as sent', async (_, body) => {
    const { a, b, conv } = pair;
    expect(await stored(b, conv, body, { kind: 'react', target: 1 })).toMatchObject({ body, kind: 'react' });
    await a.next('msg', (msg) => msg.msg.body === body);
    expect((await history(a, conv)).find((msg) => msg.seq === 1)?.reactions).toEqual({ [pair.bob.user.id]: body });
  });

  test('edit and delete of another user\'s message: nack forbidden; a reaction to it is fine', async () => {
    await expectNack({ kind: 'edit', target: 2, body: 'not mine' }, 'forbidden');
    await expectNack({ kind: 'delete', target: 2 }, 'forbidden');
    await expectNack({ kind: 'edit', target: 1, body: 'not mine' }, 'forbidden', 'b');
  });

  test('a target of the wrong type is a bad frame, answered error bad_frame, and the connection goes on', async () => {
    const { a, b, conv } = pair;
    for (const target of ['1', 0, -1, 1.5, null]) {
      a.send({ t: 'send', cid: uniqueCid(), conv, kind: 'react', target, body: '👍' });
      expect(await a.next('error')).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('target') });
    }
    a.send({ t: 'send', cid: uniqueCid(), conv, kind: 7, target: 1, body: '👍' });
    expect(await a.next('error')).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('kind') });
    const relayedBefore = msgCount(b);
    expect(await stored(a, conv, 'still here')).toMatchObject({ body: 'still here' });
    await b.next('msg', (msg) => msg.msg.body === 'still here');
    expect(msgCount(b)).toBe(relayedBefore + 1);
  });

  test('a non-member changing a message gets not_found, as for any send', async () => {
    const stranger = await register(relay.url);
    const [s] = await TestClient.signIn(relay.wsUrl, stranger.token);
    expect(await s.sendMessage(pair.conv, '👍', { kind: 'react', target: 1 })).toMatchObject({ t: 'nack', code: 'not_found' });
    await s.close();
  });
});
