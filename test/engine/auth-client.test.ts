// Sign-in and registration over HTTP with a scripted fetch: every failure is
// a value with its own code, and a relay that cannot be reached makes the
// next one in the list be tried.
import { describe, expect, it, vi } from 'vitest';
import { AuthClient } from '../../src/shared/engine/auth-client.ts';
import { RelayNodes } from '../../src/shared/engine/relay-nodes.ts';
import { normalizeRelayUrl, webSocketUrl } from '../../src/shared/engine/relay-url.ts';

const user = { id: 'u1', username: 'alice', displayName: 'Alice' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function clientAnswering(...answers: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init! });
    const answer = answers.shift();
    if (!answer || answer instanceof Error) throw answer ?? new Error('no answer scripted');
    return answer;
  });
  const fetchFunction = fetch as unknown as typeof globalThis.fetch;
  return { auth: new AuthClient(fetchFunction, 5_000), calls, fetch: fetchFunction };
}

describe('AuthClient', () => {
  it('signs in with a JSON POST and returns the user, token and relay', async () => {
    const { auth, calls } = clientAnswering(json(200, { user, token: 'tok' }));
    expect(await auth.signIn(['http://relay.test'], { username: 'alice', password: 'secret123' })).toEqual({
      ok: true,
      user,
      token: 'tok',
      relayUrl: 'http://relay.test',
    });
    expect(calls[0]!.url).toBe('http://relay.test/api/login');
    expect(calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ username: 'alice', password: 'secret123' });
  });

  it('passes the relay’s refusals through with their codes', async () => {
    const { auth } = clientAnswering(
      json(401, { error: { code: 'bad_credentials', message: 'wrong username or password' } }),
      json(409, { error: { code: 'taken', message: 'username taken' } }),
      json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '42' }),
      json(503, { error: { code: 'busy', message: 'checking passwords' } }, { 'Retry-After': '1' }),
      json(500, { error: { code: 'internal', message: 'boom' } }),
    );
    const credentials = { username: 'alice', password: 'secret123' };
    expect(await auth.signIn(['http://r.test'], credentials)).toEqual({
      ok: false,
      code: 'bad_credentials',
      message: 'wrong username or password',
    });
    expect(await auth.register(['http://r.test'], credentials)).toMatchObject({ ok: false, code: 'taken' });
    expect(await auth.signIn(['http://r.test'], credentials)).toEqual({
      ok: false,
      code: 'rate_limited',
      message: 'Too many attempts. Try again in 42 s.',
    });
    expect(await auth.signIn(['http://r.test'], credentials)).toEqual({
      ok: false,
      code: 'busy',
      message: 'The relay is busy. Try again in 1 s.',
    });
    expect(await auth.signIn(['http://r.test'], credentials)).toMatchObject({ ok: false, code: 'internal' });
  });

  it('tries the next relay when one cannot be reached, and says so when none can', async () => {
    const { auth, calls } = clientAnswering(new TypeError('fetch failed'), json(200, { user, token: 'tok' }));
    const outcome = await auth.signIn(['http://down.test', 'http://up.test'], { username: 'a', password: 'b' });
    expect(outcome).toMatchObject({ ok: true, relayUrl: 'http://up.test' });
    expect(calls.map((c) => c.url)).toEqual(['http://down.test/api/login', 'http://up.test/api/login']);

    const none = clientAnswering(new TypeError('fetch failed'));
    expect(await none.auth.signIn(['http://down.test'], { username: 'a', password: 'b' })).toMatchObject({
      ok: false,
      code: 'unreachable',
    });
  });

  it('reports an answer it cannot read as internal', async () => {
    const { auth } = clientAnswering(new Response('<html>proxy error</html>', { status: 502 }), json(200, { nope: 1 }));
    expect(await auth.signIn(['http://r.test'], { username: 'a', password: 'b' })).toEqual({
      ok: false,
      code: 'internal',
      message: 'The relay answered HTTP 502',
    });
    expect(await auth.signIn(['http://r.test'], { username: 'a', password: 'b' })).toMatchObject({ code: 'internal' });
  });

  it('checks a registration before sending it', async () => {
    const { auth, calls } = clientAnswering();
    expect(await auth.register(['http://r.test'], { username: 'A!', password: 'short' })).toMatchObject({
      ok: false,
      code: 'invalid',
    });
    expect(calls).toEqual([]);
  });

  it('revokes the token with a bearer header, on each node in turn, and ignores failure', async () => {
    const { auth, calls, fetch } = clientAnswering(new TypeError('fetch failed'), new TypeError('fetch failed'));
    await auth.signOut(new RelayNodes(['http://r.test', 'http://s.test'], fetch), 'tok');
    expect(calls.map((call) => call.url)).toEqual(['http://r.test/api/logout', 'http://s.test/api/logout']);
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });
});

describe('relay URLs', () => {
  it('normalises what a user types and derives the WebSocket endpoint', () => {
    expect(normalizeRelayUrl(' https://chat.example.com/ ')).toBe('https://chat.example.com');
    expect(normalizeRelayUrl('http://127.0.0.1:8787/duplex/?x=1#y')).toBe('http://127.0.0.1:8787/duplex');
    expect(normalizeRelayUrl('wss://chat.example.com')).toBe('https://chat.example.com');
    expect(webSocketUrl('https://chat.example.com/duplex')).toBe('wss://chat.example.com/duplex/ws');
    expect(webSocketUrl('http://127.0.0.1:8787')).toBe('ws://127.0.0.1:8787/ws');
    expect(() => normalizeRelayUrl('chat.example.com')).toThrow(RangeError);
    expect(() => normalizeRelayUrl('ftp://chat.example.com')).toThrow(/http:\/\/ or https:\/\//);
  });
});
