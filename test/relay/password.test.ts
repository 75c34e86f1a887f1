// Changing the password (docs/protocol.md, "Changing the password"), against
// a real relay: the current password is required and its guesses are
// limited like sign-ins; the other devices stay signed in, or are signed out
// at once (their sockets closed with 4001) when asked; the device that
// changed it stays.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD_CHANGED } from '../../src/shared/protocol/index.ts';
import { postJson, register, TestClient } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';

const PASSWORD = 'correct horse battery';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay.stop();
});

function changePassword(token: string | undefined, body: unknown) {
  return postJson(relay.url, '/api/password', body, token === undefined ? {} : { Authorization: `Bearer ${token}` });
}

async function login(username: string, password: string) {
  return postJson(relay.url, '/api/login', { username, password });
}

describe('changing the password', () => {
  test('with the current password: the new one signs in, the old one no more; other devices stay signed in', async () => {
    const alice = await register(relay.url);
    const other = (await login(alice.user.username, PASSWORD)).body.token;
    const [otherSocket] = await TestClient.signIn(relay.wsUrl, other);

    const changed = await changePassword(alice.token, { currentPassword: PASSWORD, newPassword: 'a much better passphrase' });
    expect(changed.status).toBe(204);
    expect((await login(alice.user.username, PASSWORD)).status).toBe(401);
    expect((await login(alice.user.username, 'a much better passphrase')).status).toBe(200);
    expect((await otherSocket.request({ t: 'ping' })).t).toBe('pong');
    await otherSocket.close();
  });

  test('signing out every other device with it: their sockets close at once, this device stays', async () => {
    const alice = await register(relay.url);
    const others = await Promise.all([login(alice.user.username, PASSWORD), login(alice.user.username, PASSWORD)]);
    const sockets = await Promise.all(others.map(async ({ body }) => (await TestClient.signIn(relay.wsUrl, body.token))[0]));
    const [here] = await TestClient.signIn(relay.wsUrl, alice.token);

    const changed = await changePassword(alice.token, { currentPassword: PASSWORD, newPassword: 'new passphrase 2', signOutOthers: true });
    expect(changed.status).toBe(204);
    for (const socket of sockets) expect(await socket.closed).toEqual({ code: 4001, reason: PASSWORD_CHANGED });
    expect((await here.request({ t: 'ping' })).t).toBe('pong');
    const devices = await here.request({ t: 'devices' });
    expect(devices).toMatchObject({ t: 'devices', devices: [{ current: true }] });
    // The token that changed it is still good for HTTP too.
    expect((await postJson(relay.url, '/api/logout', undefined, { Authorization: `Bearer ${alice.token}` })).status).toBe(204);
    expect((await here.closed).code).toBe(4001);
  });

  test('a wrong current password is refused and counted like a failed sign-in', async () => {
    // A relay of its own: failed attempts also count per address, and every test here comes from 127.0.0.1.
    const own = await startTestRelay();
    const changePassword = (token: string, body: unknown) =>
      postJson(own.url, '/api/password', body, { Authorization: `Bearer ${token}` });
    const login = (username: string, password: string) => postJson(own.url, '/api/login', { username, password });
    const alice = await register(own.url);
    const wrong = await changePassword(alice.token, { currentPassword: 'not it at all', newPassword: 'whatever 123' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('bad_credentials');
    expect((await login(alice.user.username, PASSWORD)).status).toBe(200);
    // Ten failures per username in the window: a stolen session cannot guess on.
    for (let attempt = 1; attempt < 10; attempt++) {
      expect((await changePassword(alice.token, { currentPassword: `guess ${attempt}`, newPassword: 'whatever 123' })).status).toBe(403);
    }
    const limited = await changePassword(alice.token, { currentPassword: PASSWORD, newPassword: 'whatever 123' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    await own.stop();
  });

  test('refusals: no or a bad token, a new password out of bounds, a malformed body', async () => {
    const alice = await register(relay.url);
    const body = { currentPassword: PASSWORD, newPassword: 'fine new password' };
    expect((await changePassword(undefined, body)).status).toBe(401);
    expect((await changePassword('not-a-token', body)).status).toBe(401);
    for (const bad of [
      { currentPassword: PASSWORD, newPassword: 'short' },
      { currentPassword: PASSWORD, newPassword: 'x'.repeat(257) },
      { currentPassword: PASSWORD },
      { currentPassword: 42, newPassword: 'fine new password' },
      { ...body, signOutOthers: 'yes' },
      [],
    ]) {
      const refused = await changePassword(alice.token, bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid');
    }
    expect((await changePassword(alice.token, 'not json')).status).toBe(400);
    const wrongMethod = await fetch(`${relay.url}/api/password`, { headers: { Authorization: `Bearer ${alice.token}` } });
    expect(wrongMethod.status).toBe(405);
    // Nothing changed.
    expect((await login(alice.user.username, PASSWORD)).status).toBe(200);
  });
});
