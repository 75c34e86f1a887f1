// A user's devices (docs/protocol.md, "Devices"), against a real relay over
// real sockets: the name each app gives at sign-in, the address, signing one
// device or all the others out (their sockets closed at once with 4001,
// their tokens dead), and the refusals.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SIGNED_OUT_ELSEWHERE, type Device } from '../../src/shared/protocol/index.ts';
import { type FrameOf, postJson, register, TestClient, uniqueName } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

const PASSWORD = 'correct horse battery';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

async function signIn(base: TestRelay, username: string, device?: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await postJson(base.url, '/api/login', { username, password: PASSWORD, device }, headers);
  expect(response.status).toBe(200);
  return response.body.token;
}

async function devicesOf(client: TestClient): Promise<Device[]> {
  const answer = await client.request({ t: 'devices' });
  expect(answer.t).toBe('devices');
  return (answer as FrameOf<'devices'>).devices;
}

describe('listing devices', () => {
  test('each sign-in with the name its app gave, when it was made and used, its address; the asking one marked', async () => {
    const alice = await register(relay.url);
    const laptop = await signIn(relay, alice.user.username, 'Duplex on Linux');
    const browser = await signIn(relay, alice.user.username, '  Chromium on Linux ');
    const [onLaptop] = await TestClient.signIn(relay.wsUrl, laptop);
    const devices = await devicesOf(onLaptop);
    expect(devices.map(({ name, current, address }) => ({ name, current, address }))).toEqual([
      // The registration gave no name: an older app, say.
      { name: 'Unknown device', current: false, address: '127.0.0.1' },
      { name: 'Duplex on Linux', current: true, address: '127.0.0.1' },
      { name: 'Chromium on Linux', current: false, address: '127.0.0.1' },
    ]);
    for (const device of devices) {
      expect(device.id).toMatch(/^[0-9a-f]{16}$/);
      expect(device.lastActiveAt).toBeGreaterThanOrEqual(device.createdAt);
    }
    // Another user sees only their own.
    const bob = await register(relay.url);
    const [asBob] = await TestClient.signIn(relay.wsUrl, bob.token);
    expect(await devicesOf(asBob)).toEqual([expect.objectContaining({ current: true })]);
    await Promise.all([onLaptop.close(), asBob.close()]);
    expect(browser).not.toBe(laptop);
  });

  test('behind a trusted proxy, the address is the one the proxy adds to X-Forwarded-For, at sign-in and at each connection', async () => {
    const proxied = await startTestRelay({ rateLimits: false, trustProxy: true });
    try {
      const alice = await register(proxied.url);
      const token = await signIn(proxied, alice.user.username, 'Duplex on Linux', { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9' });
      const onTrain = await TestClient.connect(proxied.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
      await onTrain.hello(token);
      expect((await devicesOf(onTrain)).find((device) => device.current)?.address).toBe('203.0.113.9');
      await onTrain.close();
      // The laptop moved to another network.
      const atHome = await TestClient.connect(proxied.wsUrl, { headers: { 'X-Forwarded-For': '192.0.2.44' } });
      await atHome.hello(token);
      expect((await devicesOf(atHome)).find((device) => device.current)?.address).toBe('192.0.2.44');
      await atHome.close();
    } finally {
      await proxied.stop();
    }
  });
});

describe('signing devices out', () => {
  test('one device: its sockets close at once with 4001, its token is dead; the others stay', async () => {
    const alice = await register(relay.url);
    const lost = await signIn(relay, alice.user.username, 'Duplex on Windows');
    const [here] = await TestClient.signIn(relay.wsUrl, alice.token);
    const [lostSocket] = await TestClient.signIn(relay.wsUrl, lost);
    const [lostTab] = await TestClient.signIn(relay.wsUrl, lost);
    const target = (await devicesOf(here)).find((device) => device.name === 'Duplex on Windows') as Device;

    const answer = await here.request({ t: 'sign_out', device: target.id });
    expect(answer).toMatchObject({ t: 'devices' });
    expect((answer as FrameOf<'devices'>).devices.map((device) => device.id)).not.toContain(target.id);
    for (const socket of [lostSocket, lostTab]) {
      expect(await socket.closed).toEqual({ code: 4001, reason: SIGNED_OUT_ELSEWHERE });
    }
    const again = await TestClient.connect(relay.wsUrl);
    again.send({ t: 'hello', v: 1, token: lost, cursors: {} });
    expect((await again.closed).code).toBe(4001);
    expect((await postJson(relay.url, '/api/logout', undefined, { Authorization: `Bearer ${lost}` })).status).toBe(401);
    // The asking device is untouched.
    expect((await here.request({ t: 'ping' })).t).toBe('pong');
    await here.close();
  });

  test('all other devices: every other sign-in ends, this one stays', async () => {
    const alice = await register(relay.url);
    const others = await Promise.all([signIn(relay, alice.user.username, 'A'), signIn(relay, alice.user.username, 'B')]);
    const [here] = await TestClient.signIn(relay.wsUrl, alice.token);
    const sockets = await Promise.all(others.map(async (token) => (await TestClient.signIn(relay.wsUrl, token))[0]));

    const answer = (await here.request({ t: 'sign_out', others: true })) as FrameOf<'devices'>;
    expect(answer.devices).toEqual([expect.objectContaining({ current: true })]);
    for (const socket of sockets) expect((await socket.closed).code).toBe(4001);
    expect((await here.request({ t: 'ping' })).t).toBe('pong');
    // Nothing else to sign out: the same answer.
    expect(((await here.request({ t: 'sign_out', others: true })) as FrameOf<'devices'>).devices).toHaveLength(1);
    await here.close();
  });

  test('refusals: an unknown device, another user’s, this one, and malformed requests', async () => {
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const [b] = await TestClient.signIn(relay.wsUrl, bob.token);
    const bobsDevice = (await devicesOf(b))[0] as Device;
    const mine = (await devicesOf(a))[0] as Device;

    expect(await a.request({ t: 'sign_out', device: '0123456789abcdef' })).toMatchObject({ t: 'error', code: 'not_found' });
    expect(await a.request({ t: 'sign_out', device: bobsDevice.id })).toMatchObject({ t: 'error', code: 'not_found' });
    expect(await a.request({ t: 'sign_out', device: mine.id })).toMatchObject({ t: 'error', code: 'invalid' });
    for (const bad of [{ device: 42 }, { others: false }, { device: bobsDevice.id, others: true }, {}, { device: '' }]) {
      expect(await a.request({ t: 'sign_out', ...bad })).toMatchObject({ t: 'error', code: 'bad_frame' });
    }
    // Bob was not signed out by any of it.
    expect((await b.request({ t: 'ping' })).t).toBe('pong');
    expect(await devicesOf(b)).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  test('a device name that is too long or holds control characters is refused at sign-in', async () => {
    const username = uniqueName();
    expect((await postJson(relay.url, '/api/register', { username, password: PASSWORD, device: 'x'.repeat(65) })).status).toBe(400);
    await register(relay.url, username);
    for (const device of ['x'.repeat(65), 'Evil\nDevice', '   ', 42]) {
      const response = await postJson(relay.url, '/api/login', { username, password: PASSWORD, device });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid');
    }
  });
});
