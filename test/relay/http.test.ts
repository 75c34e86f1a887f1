// The HTTP API: register, login, logout, health, metrics, errors, static files.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postJson, register, TestClient, uniqueName } from './support/client.ts';
import { startTestRelay, TEST_METRICS_TOKEN, type TestRelay } from './support/relay.ts';

let relay: TestRelay;
let webRoot: string;

beforeAll(async () => {
  webRoot = await mkdtemp(path.join(tmpdir(), 'duplex-web-'));
  await mkdir(path.join(webRoot, 'assets'));
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>Duplex</title>');
  await writeFile(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  // trustProxy lets each test use its own client address through X-Forwarded-For,
  // so the per-address limits of one test do not leak into another.
  relay = await startTestRelay({
    webRoot,
    trustProxy: true,
    limits: { failedLoginsPerUsername: 3, failedLoginsPerAddress: 5, registrationsPerAddress: 4 },
  });
});

afterAll(async () => {
  await relay.stop();
  await rm(webRoot, { recursive: true, force: true });
});

let addressCounter = 0;
function fromNewAddress(): Record<string, string> {
  addressCounter++;
  return { 'X-Forwarded-For': `198.51.100.7, 203.0.113.${addressCounter}` };
}

async function registerFrom(address: Record<string, string>, body: Record<string, unknown>) {
  return postJson(relay.url, '/api/register', { password: 'long enough', ...body }, address);
}

describe('POST /api/register', () => {
  test('creates an account and returns the user and a token', async () => {
    const username = uniqueName();
    const response = await registerFrom(fromNewAddress(), { username, displayName: '  Alice Example ' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user: { id: expect.any(String), username, displayName: 'Alice Example' },
      token: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
    });
  });

  test('uses the username as display name when none is given', async () => {
    const username = uniqueName();
    const response = await registerFrom(fromNewAddress(), { username });
    expect(response.body.user.displayName).toBe(username);
  });

  test.each([
    ['an uppercase username', { username: 'Alice' }],
    ['a short username', { username: 'al' }],
    ['a long username', { username: 'a'.repeat(33) }],
    ['a username with spaces', { username: 'al ice' }],
    ['a short password', { username: 'valid_name', password: 'short' }],
    ['a long password', { username: 'valid_name', password: 'x'.repeat(257) }],
    ['a blank display name', { username: 'valid_name', displayName: '   ' }],
    ['a long display name', { username: 'valid_name', displayName: 'd'.repeat(65) }],
    ['a missing username', {}],
    ['a number as username', { username: 42 }],
  ])('refuses %s with 400 invalid', async (_, body) => {
    const response = await registerFrom(fromNewAddress(), body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'invalid', message: expect.any(String) } });
  });

  test.each([
    ['not JSON', '{"username": '],
    ['an array', '[]'],
    ['a string', '"hello"'],
    ['empty', ''],
  ])('refuses a body that is %s with 400 invalid', async (_, text) => {
    const response = await postJson(relay.url, '/api/register', text, fromNewAddress());
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid');
  });

  test('refuses a taken username with 409', async () => {
    const username = uniqueName();
    expect((await registerFrom(fromNewAddress(), { username })).status).toBe(201);
    const again = await registerFrom(fromNewAddress(), { username });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('taken');
  });

  test('refuses another content type with 415', async () => {
    const response = await fetch(`${relay.url}/api/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ username: uniqueName(), password: 'long enough' }),
    });
    expect(response.status).toBe(415);
    expect((await response.json()).error.code).toBe('unsupported_media_type');
  });

  test('accepts a charset parameter on the content type', async () => {
    const response = await postJson(
      relay.url,
      '/api/register',
      { username: uniqueName(), password: 'long enough' },
      { 'Content-Type': 'application/json; charset=utf-8', ...fromNewAddress() },
    );
    expect(response.status).toBe(201);
  });

  test('refuses a body over the size limit with 413', async () => {
    const response = await registerFrom(fromNewAddress(), { username: uniqueName(), padding: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  test('limits registrations per client address with 429 and Retry-After', async () => {
    const address = fromNewAddress();
    for (let i = 0; i < 4; i++) expect((await registerFrom(address, { username: uniqueName() })).status).toBe(201);
    const limited = await registerFrom(address, { username: uniqueName() });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await registerFrom(fromNewAddress(), { username: uniqueName() })).status).toBe(201);
  });

  test('answers 403 registration_closed on a closed relay', async () => {
    const closed = await startTestRelay({ registration: 'closed' });
    try {
      const response = await postJson(closed.url, '/api/register', { username: uniqueName(), password: 'long enough' });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('registration_closed');
    } finally {
      await closed.stop();
    }
  });
});

describe('POST /api/login', () => {
  async function account(): Promise<{ username: string; id: string }> {
    const username = uniqueName();
    const response = await registerFrom(fromNewAddress(), { username, password: 'the password' });
    return { username, id: response.body.user.id };
  }

  function login(username: string, password: string, address = fromNewAddress()) {
    return postJson(relay.url, '/api/login', { username, password }, address);
  }

  test('returns the user and a fresh token that opens a session', async () => {
    const { username, id } = await account();
    const response = await login(username, 'the password');
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ id, username, displayName: username });
    const [client, { welcome }] = await TestClient.signIn(relay.wsUrl, response.body.token);
    expect(welcome.user.id).toBe(id);
    await client.close();
  });

  test('ignores the case of the username', async () => {
    const { username } = await account();
    expect((await login(username.toUpperCase(), 'the password')).status).toBe(200);
  });

  test('answers a wrong password and an unknown user the same way', async () => {
    const { username } = await account();
    const wrong = await login(username, 'not the password');
    const unknown = await login(uniqueName(), 'the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('bad_credentials');
  });

  test('refuses bad bodies with 400', async () => {
    expect((await postJson(relay.url, '/api/login', { username: 'x' }, fromNewAddress())).status).toBe(400);
    expect((await postJson(relay.url, '/api/login', 'nope', fromNewAddress())).status).toBe(400);
  });

  test('limits failed logins per username, even with the right password, with 429 and Retry-After', async () => {
    const { username } = await account();
    for (let i = 0; i < 3; i++) expect((await login(username, 'wrong password')).status).toBe(401);
    const limited = await login(username, 'the password');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('judges at most the limit of 300 parallel wrong-password logins for one user; the rest get 429 at once', async () => {
    const { username } = await account();
    // Each from another address, so that only the per-username limit (3 here) decides.
    const answers = await Promise.all(Array.from({ length: 300 }, () => login(username, 'wrong password')));
    const statuses = answers.map((answer) => answer.status);
    const judged = statuses.filter((status) => status === 401).length;
    expect(judged).toBeGreaterThanOrEqual(1);
    expect(judged).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(300 - judged);
  });

  test('a right password takes back the attempt it reserved', async () => {
    const { username } = await account();
    for (let i = 0; i < 2; i++) expect((await login(username, 'wrong password')).status).toBe(401);
    expect((await login(username, 'the password')).status).toBe(200);
    // Two failures so far, not three: one more is still judged.
    expect((await login(username, 'wrong password')).status).toBe(401);
    expect((await login(username, 'the password')).status).toBe(429);
  });

  test('limits failed logins per client address', async () => {
    const address = fromNewAddress();
    for (let i = 0; i < 5; i++) expect((await login(uniqueName(), 'wrong password', address)).status).toBe(401);
    const { username } = await account();
    expect((await login(username, 'the password', address)).status).toBe(429);
    expect((await login(username, 'the password')).status).toBe(200);
  });
});

describe('password hashing, relay-wide', () => {
  test('runs a bounded number of hashes; logins beyond the queue get 503 busy with Retry-After', async () => {
    const busy = await startTestRelay({
      trustProxy: true,
      // A costlier hash than the tests' usual, so that the queue fills.
      scryptCost: 14,
      limits: { passwordHashConcurrency: 1, passwordHashQueue: 2, passwordHashWaitMs: 10_000 },
    });
    try {
      // Unknown users from as many addresses: no per-user or per-address limit applies.
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          postJson(busy.url, '/api/login', { username: uniqueName(), password: 'whatever it is' }, fromNewAddress()),
        ),
      );
      const refused = answers.filter((answer) => answer.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((answer) => answer.body.error.code === 'busy' && answer.headers.get('retry-after') === '1')).toBe(true);
      expect(answers.filter((answer) => answer.status === 401)).toHaveLength(20 - refused.length);
      // A refusal for being busy is not a failed login: the same address may try again at once.
      const again = await postJson(busy.url, '/api/login', { username: uniqueName(), password: 'whatever it is' }, fromNewAddress());
      expect(again.status).toBe(401);
    } finally {
      await busy.stop();
    }
  });
});

describe('POST /api/logout', () => {
  test('revokes the token at once and closes its sockets with 4001, and only those', async () => {
    const { token, user } = await register(relay.url);
    const other = await postJson(relay.url, '/api/login', { username: user.username, password: 'correct horse battery' });
    const [revoked] = await TestClient.signIn(relay.wsUrl, token);
    const [kept] = await TestClient.signIn(relay.wsUrl, other.body.token);

    const response = await fetch(`${relay.url}/api/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(204);
    expect((await revoked.closed).code).toBe(4001);

    const pong = await kept.request({ t: 'ping' });
    expect(pong.t).toBe('pong');
    const reuse = await TestClient.connect(relay.wsUrl);
    reuse.send({ t: 'hello', v: 1, token });
    expect((await reuse.closed).code).toBe(4001);
    await kept.close();
  });

  test.each([
    ['no Authorization header', undefined],
    ['an unknown token', 'Bearer not-a-token'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('answers 401 unauthorized for %s', async (_, authorization) => {
    const response = await fetch(`${relay.url}/api/logout`, {
      method: 'POST',
      headers: authorization ? { Authorization: authorization } : {},
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('unauthorized');
  });

  test('a token can be revoked only once', async () => {
    const { token } = await register(relay.url);
    const logout = () => fetch(`${relay.url}/api/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect((await logout()).status).toBe(204);
    expect((await logout()).status).toBe(401);
  });
});

describe('health, metrics and routing', () => {
  test('GET /healthz answers ok', async () => {
    const response = await fetch(`${relay.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  test('GET /metrics serves the Prometheus text format with the relay metrics, with the configured token only', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TEST_METRICS_TOKEN}`]) {
      const refused = await fetch(`${relay.url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(await refused.text()).not.toContain('duplex_');
    }
    const response = await fetch(`${relay.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'duplex_ws_connections',
      'duplex_ws_sessions',
      'duplex_messages_stored_total',
      'duplex_acks_total',
      'duplex_send_to_ack_seconds',
      'duplex_frame_errors_total',
      'duplex_ws_closes_total',
      'duplex_http_requests_total',
      'process_cpu_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/duplex_http_requests_total\{route="\/healthz",status="200"\} \d+/);
  });

  test('without a metrics token, /metrics is 404 on the public listener', async () => {
    const open = await startTestRelay({ metricsToken: undefined });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${open.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).status).toBe(404);
    } finally {
      await open.stop();
    }
  });

  test('with a metrics listener, /metrics is served there (with its token) and 404 on the public listener', async () => {
    const split = await startTestRelay({ metricsPort: 0 });
    try {
      const metricsUrl = split.relay.metricsUrl!;
      expect(new URL(metricsUrl).port).not.toBe(new URL(split.url).port);
      const auth = { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } };
      expect((await fetch(`${split.url}/metrics`, auth)).status).toBe(404);
      expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(401);
      const served = await fetch(`${metricsUrl}/metrics`, auth);
      expect(served.status).toBe(200);
      expect(await served.text()).toContain('# TYPE duplex_ws_connections');
      // Nothing else lives there.
      for (const other of ['/healthz', '/api/login', '/', '/ws']) expect((await fetch(`${metricsUrl}${other}`, auth)).status).toBe(404);
    } finally {
      await split.stop();
    }
    // Without a token, the separate listener serves /metrics to whoever reaches it.
    const tokenless = await startTestRelay({ metricsPort: 0, metricsToken: undefined });
    try {
      expect((await fetch(`${tokenless.relay.metricsUrl!}/metrics`)).status).toBe(200);
    } finally {
      await tokenless.stop();
    }
  });

  test('unknown API paths answer 404, wrong methods 405 with Allow', async () => {
    const unknown = await fetch(`${relay.url}/api/nothing`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${relay.url}/api/login`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await wrongMethod.json()).error.code).toBe('method_not_allowed');
    expect((await fetch(`${relay.url}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${relay.url}/index.html`, { method: 'DELETE' })).status).toBe(405);
  });

  test('a request target that is not a valid URL answers 400 and harms nothing', async () => {
    const response = await rawGet('//[');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe('invalid');
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  });

  test('GET /ws without an upgrade answers 426', async () => {
    expect((await fetch(`${relay.url}/ws`)).status).toBe(426);
  });
});

describe('static files of the web client', () => {
  test('serves index.html at / and assets with their types and caching', async () => {
    const index = await fetch(`${relay.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>Duplex</title>');
    const asset = await fetch(`${relay.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
  });

  test('forbids other sites to frame the web client (clickjacking)', async () => {
    for (const target of ['/', '/index.html', '/chat/some-conversation', '/assets/app-1234.js']) {
      const response = await fetch(`${relay.url}${target}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  test('answers HEAD without a body', async () => {
    const response = await fetch(`${relay.url}/assets/app-1234.js`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('14');
    expect(await response.text()).toBe('');
  });

  test('falls back to index.html for client routes, not for missing files', async () => {
    expect(await (await fetch(`${relay.url}/chat/some-conversation`)).text()).toContain('Duplex');
    expect((await fetch(`${relay.url}/missing.js`)).status).toBe(404);
  });

  test('never serves files outside the web root', async () => {
    const secret = `${webRoot}-secret.txt`;
    await writeFile(secret, 'secret');
    try {
      const name = path.basename(secret);
      // Raw paths: fetch would normalise the dots away before sending.
      for (const attempt of [`/..%2f${name}`, `/%2e%2e%2f${name}`, `/assets/..%2f..%2f${name}`, `/../${name}`]) {
        const response = await rawGet(attempt);
        expect(response.body).not.toContain('secret');
      }
    } finally {
      await rm(secret, { force: true });
    }
  });

  test('says that the web client is not built when the web root is missing', async () => {
    const bare = await startTestRelay({ webRoot: path.join(webRoot, 'does-not-exist') });
    try {
      const response = await fetch(`${bare.url}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/web client is not built/);
      expect((await fetch(`${bare.url}/other`)).status).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});

function rawGet(rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${relay.url}/`, { path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

describe('slow clients', () => {
  test('a request trickled in slower than the request timeout loses its connection', async () => {
    const slow = await startTestRelay({ limits: { httpRequestTimeoutMs: 1_000 } });
    try {
      const { port } = new URL(slow.url);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      // Headers promise a body that never comes.
      socket.write('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
      const started = Date.now();
      const closed = await new Promise<boolean>((resolve) => {
        const giveUp = setTimeout(() => resolve(false), 20_000);
        socket.on('close', () => {
          clearTimeout(giveUp);
          resolve(true);
        });
        socket.on('error', () => {});
        socket.resume();
      });
      expect(closed).toBe(true);
      // Bounded by the limit (plus Node's checking interval), not by Node's 5-minute default.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await slow.stop();
    }
  });
});
