// Bad input on the WebSocket: every kind of bad frame is answered as
// docs/protocol.md says, the connection survives what it should survive, closes
// with the right code otherwise, and other clients keep being served.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashToken } from '../../relay/auth.ts';
import { openSqliteStore, type SqliteStore } from '../../relay/store/sqlite.ts';
import type { AuthResponse } from '../../src/shared/protocol/index.ts';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

let relay: TestRelay;
let account: AuthResponse;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false, limits: { inboundHighWaterBytes: 1024 } });
  account = await register(relay.url);
});
afterAll(async () => {
  await relay.stop();
});

async function signedIn(): Promise<TestClient> {
  return (await TestClient.signIn(relay.wsUrl, account.token))[0];
}

describe('bad frames', () => {
  test.each([
    ['not JSON', '{"t": "ping"'],
    ['a JSON array', '[{"t":"ping"}]'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['a JSON string', '"ping"'],
    ['an object without t', '{"rid":"x"}'],
    ['an object whose t is not a string', '{"t":7}'],
    ['an unknown t', '{"t":"shout"}'],
    ['a prototype key as t', '{"t":"__proto__"}'],
    ['wrong field types', '{"t":"typing","conv":"c","on":"yes"}'],
    ['a rid too long', `{"t":"ping","rid":"${'r'.repeat(65)}"}`],
    ['a create of unknown kind', '{"t":"create","rid":"r","kind":"channel"}'],
    ['a users query over 64 chars', `{"t":"users","rid":"r","q":"${'q'.repeat(65)}"}`],
  ])('answers %s with error bad_frame and keeps the connection', async (_, text) => {
    const client = await signedIn();
    client.send(text);
    expect(await client.next('error')).toMatchObject({ t: 'error', code: 'bad_frame', message: expect.any(String) });
    expect((await client.request({ t: 'ping' })).t).toBe('pong');
    await client.close();
  });

  test('echoes a usable rid on a bad frame', async () => {
    const client = await signedIn();
    client.send({ t: 'history', rid: 'req-1', conv: 42 });
    expect(await client.next('error')).toMatchObject({ code: 'bad_frame', rid: 'req-1', message: expect.stringContaining('conv') });
    await client.close();
  });

  test('closes with 1008 after more than 20 bad frames in the window, while others are served', async () => {
    const flooder = await signedIn();
    const other = await register(relay.url);
    const [bystander] = await TestClient.signIn(relay.wsUrl, other.token);
    for (let i = 0; i < 25; i++) flooder.send('garbage');
    const pings = Array.from({ length: 20 }, () => bystander.request({ t: 'ping' }));
    expect((await flooder.closed).code).toBe(1008);
    expect(flooder.frames.filter((frame) => frame.t === 'error')).toHaveLength(20);
    expect((await Promise.all(pings)).every((pong) => pong.t === 'pong')).toBe(true);
    await bystander.close();
  });

  test('closes with 1003 on a binary frame', async () => {
    const client = await signedIn();
    client.ws.send(Buffer.from('{"t":"ping"}'), { binary: true });
    expect((await client.closed).code).toBe(1003);
  });

  test('closes with 1009 on a frame over 64 KiB, and accepts one just under', async () => {
    const client = await signedIn();
    const justUnder = JSON.stringify({ t: 'users', rid: 'r', q: 'x', pad: 'p'.repeat(65_536 - 40) });
    expect(Buffer.byteLength(justUnder)).toBeLessThanOrEqual(65_536);
    client.send(justUnder);
    expect(await client.next('users')).toMatchObject({ rid: 'r' });
    client.send(JSON.stringify({ t: 'ping', pad: 'p'.repeat(65_536) }));
    expect((await client.closed).code).toBe(1009);
  });

  test('closes with 1008 for too many bad frames even before hello', async () => {
    const client = await TestClient.connect(relay.wsUrl);
    for (let i = 0; i < 21; i++) client.send('{');
    expect((await client.closed).code).toBe(1008);
  });
});

describe('floods of valid frames', () => {
  test('a client sending faster than it is served is slowed down, not dropped', async () => {
    const client = await signedIn();
    const rids = Array.from({ length: 3000 }, (_, i) => `p${i}`);
    for (const rid of rids) client.send({ t: 'ping', rid });
    await client.next('pong', (pong) => pong.rid === 'p2999', 15_000);
    const pongs = client.frames.filter((frame) => frame.t === 'pong').map((frame) => frame.t === 'pong' && frame.rid);
    expect(pongs).toEqual(rids);
    await client.close();
  });
});

describe('failures inside the relay', () => {
  test('an exception in a handler answers error internal and the connection goes on', async () => {
    const faulty = await startTestRelay({ store: failingStore() });
    try {
      const user = await register(faulty.url);
      const [client] = await TestClient.signIn(faulty.wsUrl, user.token);
      expect(await client.request({ t: 'users', q: 'explode' })).toMatchObject({ t: 'error', code: 'internal' });
      expect(await client.request({ t: 'users', q: 'fine' })).toMatchObject({ t: 'users' });
      // A send whose transaction fails is refused unavailable, naming its cid, and can be resent.
      const cid = uniqueCid();
      client.send({ t: 'send', cid, conv: 'explode', body: 'x' });
      expect(await client.next('nack')).toMatchObject({ cid, code: 'unavailable' });
      expect(await client.request({ t: 'users', q: 'fine' })).toMatchObject({ t: 'users' });
      await client.close();
      // Without a session start there is nothing to answer: the socket closes with 1011.
      const failedStart = await TestClient.connect(faulty.wsUrl);
      failedStart.send({ t: 'hello', v: 1, token: 'explode' });
      expect((await failedStart.closed).code).toBe(1011);
    } finally {
      await faulty.stop();
    }
  });
});

/**
 * A real SQLite store that fails on purpose for inputs named "explode", to
 * reach the relay's error paths without mocking anything else.
 */
function failingStore(): SqliteStore {
  const store: SqliteStore = openSqliteStore(':memory:');
  const searchUsers = store.searchUsers.bind(store);
  const appendMessages = store.appendMessages.bind(store);
  const tokenOwner = store.tokenOwner.bind(store);
  return Object.assign(store, {
    tokenOwner: async (tokenHash: string) => {
      if (tokenHash === hashToken('explode')) throw new Error('injected lookup failure');
      return tokenOwner(tokenHash);
    },
    searchUsers: async (prefix: string, except: string, limit: number) => {
      if (prefix === 'explode') throw new Error('injected search failure');
      return searchUsers(prefix, except, limit);
    },
    appendMessages: async (...args: Parameters<SqliteStore['appendMessages']>) => {
      if (args[0].some((draft) => draft.conv === 'explode')) throw new Error('injected transaction failure');
      return appendMessages(...args);
    },
  });
}
