// Property tests of the frame parser and handlers: random JSON, random text
// and mutations of valid frames (fast-check) sent to a real relay on
// loopback. Properties: the relay stays up, every frame it answers with is
// one the protocol allows (TestClient checks each against the zod schemas;
// `error internal` would mean a handler crashed), a socket it closes is closed
// with a code the protocol lists, and a bystander pair keeps chatting.
// Bounded by run count and a time limit, so it takes a few seconds.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AuthResponse, RelayFrame } from '../../src/shared/protocol/index.ts';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { directPair, type DirectPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;
let bystanders: DirectPair;
let fuzzer: AuthResponse;
let other: AuthResponse;
/** Conversations of the fuzzing user, so that mutations reach the handlers' deeper checks. */
let convs: string[];

/** Close codes the relay may use on a misbehaving socket (docs/protocol.md, "Errors and limits on a socket"). */
const ALLOWED_CLOSE_CODES = new Set([1003, 1007, 1008, 1009, 1013, 4001, 4002]);

beforeAll(async () => {
  // Without rate limits, so that frames reach the handlers' deeper checks
  // instead of being refused by a bucket; without the bad-frame close, so
  // that one socket goes on exploring.
  relay = await startTestRelay({ rateLimits: false, limits: { badFramesPerWindow: 1_000_000 } });
  bystanders = await directPair(relay);
  [fuzzer, other] = await Promise.all([register(relay.url), register(relay.url)]);
  const [client] = await TestClient.signIn(relay.wsUrl, fuzzer.token);
  const direct = await client.request({ t: 'create', kind: 'direct', with: other.user.id });
  const group = await client.request({ t: 'create', kind: 'group', title: 'fuzz', members: [other.user.id] });
  if (direct.t !== 'conv' || group.t !== 'conv') throw new Error('setup failed');
  convs = [direct.conv.id, group.conv.id];
  await client.close();
});
afterAll(async () => {
  await Promise.all([bystanders.a.close(), bystanders.b.close()]);
  await relay.stop();
});

// ---- generators ----

const CLIENT_TYPES = [
  'hello', 'send', 'receipt', 'typing', 'create', 'add', 'leave', 'rename', 'history', 'users', 'ping',
  'block', 'unblock', 'privacy', 'devices', 'sign_out',
] as const;

/** Valid frames of every type, with values near the edges. */
function validFrames(): fc.Arbitrary<Record<string, unknown>> {
  const conv = fc.oneof(fc.constantFrom(...convs), fc.string({ maxLength: 130 }));
  const user = fc.oneof(fc.constant(other.user.id), fc.constant(fuzzer.user.id), fc.string({ maxLength: 130 }));
  const rid = fc.string({ minLength: 1, maxLength: 64 });
  const seq = fc.oneof(fc.nat(), fc.integer({ min: -5, max: 1_000_000 }));
  return fc.oneof(
    fc.record({ t: fc.constant('hello'), v: fc.constantFrom(1, 2, 0), token: fc.string(), cursors: fc.dictionary(fc.string(), seq) }),
    fc.record({
      t: fc.constant('send'),
      cid: fc.oneof(fc.constant(uniqueCid()), fc.string({ minLength: 8, maxLength: 64 })),
      conv,
      body: fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constant(' '.repeat(5000))),
      replyTo: fc.option(seq, { nil: undefined }),
      // Changes to messages and forwards (docs/protocol.md, "Changes to messages").
      kind: fc.option(fc.constantFrom('edit', 'delete', 'react', 'pin', ''), { nil: undefined }),
      target: fc.option(seq, { nil: undefined }),
      forwarded: fc.option(fc.constantFrom(true, false), { nil: undefined }),
    }),
    fc.record({ t: fc.constant('receipt'), conv, delivered: fc.option(seq, { nil: undefined }), read: fc.option(seq, { nil: undefined }) }),
    fc.record({ t: fc.constant('typing'), conv, on: fc.boolean() }),
    fc.record({ t: fc.constant('create'), rid, kind: fc.constant('direct'), with: user }),
    fc.record({ t: fc.constant('create'), rid, kind: fc.constant('group'), title: fc.string({ maxLength: 80 }), members: fc.array(user, { maxLength: 4 }) }),
    fc.record({ t: fc.constant('add'), rid, conv, users: fc.array(user, { maxLength: 4 }) }),
    fc.record({ t: fc.constant('leave'), rid, conv }),
    fc.record({ t: fc.constant('rename'), rid, conv, title: fc.string({ maxLength: 80 }) }),
    fc.record({ t: fc.constant('history'), rid, conv, before: fc.option(seq, { nil: undefined }), limit: fc.option(fc.integer(), { nil: undefined }) }),
    fc.record({ t: fc.constant('users'), rid, q: fc.string({ maxLength: 70 }) }),
    fc.record({ t: fc.constant('ping'), rid: fc.option(rid, { nil: undefined }) }),
    fc.record({ t: fc.constantFrom('block', 'unblock'), rid, user }),
    fc.record({ t: fc.constant('privacy'), rid, groupAdds: fc.option(fc.constantFrom('everyone', 'contacts', 'nobody', 'friends'), { nil: undefined }) }),
    fc.record({ t: fc.constant('devices'), rid }),
    fc.record({ t: fc.constant('sign_out'), rid, device: fc.string({ maxLength: 70 }) }),
    fc.record({ t: fc.constant('sign_out'), rid, others: fc.constantFrom(true, false) }),
  );
}

/** A valid frame with one field replaced, removed or added, or its type swapped. */
function mutatedFrames(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(validFrames(), fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('replace', 'remove', 'add', 'retype'))
    .map(([frame, index, value, how]) => {
      const keys = Object.keys(frame);
      const key = keys[index % keys.length] as string;
      const mutated: Record<string, unknown> = { ...frame };
      if (how === 'replace') mutated[key] = value;
      else if (how === 'remove') delete mutated[key];
      else if (how === 'add') mutated[`x${index}`] = value;
      else mutated.t = CLIENT_TYPES[index % CLIENT_TYPES.length];
      return mutated;
    });
}

/** Anything a socket could send as text. */
function anyText(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: mutatedFrames().map((frame) => JSON.stringify(frame)) },
    { weight: 2, arbitrary: validFrames().map((frame) => JSON.stringify(frame)) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

// ---- checks ----

function unexpected(frames: readonly RelayFrame[]): RelayFrame[] {
  return frames.filter((frame) => frame.t === 'error' && frame.code === 'internal');
}

/** Sends the texts, then a ping; resolves once the relay answered everything before the ping, or closed the socket. */
async function sendAndSettle(client: TestClient, texts: readonly string[]): Promise<void> {
  for (const text of texts) client.send(text);
  const rid = uniqueCid();
  client.send({ t: 'ping', rid });
  // A pong, or before hello an `error unauthenticated`, with that rid.
  const answered = client.nextAny((frame) => 'rid' in frame && frame.rid === rid, 10_000);
  await Promise.race([answered.catch(() => undefined), client.closed]);
}

async function expectBystandersChat(): Promise<void> {
  const { a, b, conv } = bystanders;
  const sent = await a.sendMessage(conv, `still here ${uniqueCid()}`);
  expect(sent.t).toBe('ack');
  if (sent.t === 'ack') await b.next('msg', (frame) => frame.msg.cid === sent.msg.cid);
}

test('a signed-in socket sending random and mutated frames gets only allowed answers', async () => {
  let client = (await TestClient.signIn(relay.wsUrl, fuzzer.token))[0];
  await fc.assert(
    fc.asyncProperty(fc.array(anyText(), { minLength: 1, maxLength: 12 }), async (texts) => {
      if (client.ws.readyState !== client.ws.OPEN) client = (await TestClient.signIn(relay.wsUrl, fuzzer.token))[0];
      const before = client.frames.length;
      await sendAndSettle(client, texts);
      expect(client.violations).toEqual([]);
      expect(unexpected(client.frames.slice(before))).toEqual([]);
      if (client.ws.readyState !== client.ws.OPEN) expect(ALLOWED_CLOSE_CODES).toContain((await client.closed).code);
    }),
    { numRuns: 150, interruptAfterTimeLimit: 6_000, markInterruptAsFailure: false },
  );
  await client.close();
  await expectBystandersChat();
  expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
}, 30_000);

test('frames before hello get only allowed answers, on a fresh socket each time', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(anyText(), { minLength: 1, maxLength: 6 }), async (texts) => {
      const client = await TestClient.connect(relay.wsUrl);
      await sendAndSettle(client, texts);
      expect(client.violations).toEqual([]);
      expect(unexpected(client.frames)).toEqual([]);
      if (client.ws.readyState !== client.ws.OPEN) expect(ALLOWED_CLOSE_CODES).toContain((await client.closed).code);
      await client.close();
    }),
    { numRuns: 60, interruptAfterTimeLimit: 4_000, markInterruptAsFailure: false },
  );
  await expectBystandersChat();
}, 30_000);
