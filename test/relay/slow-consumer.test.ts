// A client that stops reading is closed with 1013 once its unsent output
// passes the limit, without slowing anyone else down, and catches up through
// its cursor after reconnecting.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { scrapeMetrics, startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({
    rateLimits: false,
    // A low limit keeps the test quick; the long close grace lets the paused
    // client read its close frame once it resumes.
    limits: { slowConsumerBytes: 256 * 1024, closeGraceMs: 30_000 },
  });
});
afterAll(async () => {
  await relay.stop();
});

async function slowConsumerCount(): Promise<number> {
  const text = await scrapeMetrics(relay);
  return Number(/^duplex_slow_consumers_total (\d+)/m.exec(text)?.[1] ?? 0);
}

test('a client that stops reading is closed with 1013 and catches up after reconnecting', async () => {
  const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
  const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
  const [b] = await TestClient.signIn(relay.wsUrl, bob.token);
  const created = await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
  if (created.t !== 'conv') throw new Error('create failed');
  const conv = created.conv.id;
  await b.next('conv');

  b.ws.pause();
  let sent = 0;
  // Loopback socket buffers take a few megabytes before the relay's own
  // buffer grows; bounded so that a broken relay fails instead of hanging.
  while ((await slowConsumerCount()) === 0 && sent < 8_000) {
    const cids = Array.from({ length: 200 }, () => uniqueCid());
    cids.forEach((cid, i) => a.send({ t: 'send', cid, conv, body: `${'z'.repeat(3000)} ${sent + i + 1}` }));
    for (const cid of cids) await a.next('ack', (ack) => ack.cid === cid, 15_000);
    sent += cids.length;
  }
  expect(await slowConsumerCount()).toBe(1);
  // The sender was never held up: every send was acknowledged.
  expect(a.frames.filter((frame) => frame.t === 'ack')).toHaveLength(sent);

  b.ws.resume();
  expect((await b.closed).code).toBe(1013);
  const received = b.frames.flatMap((frame) => (frame.t === 'msg' ? [frame.msg.seq] : []));
  expect(received).toEqual(received.map((_, i) => i + 1));
  expect(received.length).toBeLessThan(sent);

  const cursor = received.at(-1) ?? 0;
  const [b2, synced] = await TestClient.signIn(relay.wsUrl, bob.token, { [conv]: cursor });
  const caughtUp = synced.batches.flatMap((batch) => batch.msgs.map((msg) => msg.seq));
  expect([...received, ...caughtUp]).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
  expect(b2.violations).toEqual([]);
  await Promise.all([a.close(), b2.close()]);
});
