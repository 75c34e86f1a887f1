// Relay URL lists and the nodes they name: what a list must be (checked at
// sign-in and on a saved account), and HTTP on the current node with
// failover to the others, with a scripted fetch. The socket's side is in
// connection.test.ts; a real two-node cluster in failover.test.ts.
import { describe, expect, it } from 'vitest';
import { DuplexEngine } from '../../src/shared/engine/engine.ts';
import { silentLogger } from '../../src/shared/engine/log.ts';
import { RelayNodes } from '../../src/shared/engine/relay-nodes.ts';
import { MAX_RELAY_URLS, normalizeRelayUrls } from '../../src/shared/engine/relay-url.ts';
import { MemoryAccounts } from './helpers/client.ts';

/** A fetch that answers each call with the next scripted answer (an Error rejects), recording the URLs. */
function scriptedFetch(...answers: Array<Response | Error>) {
  const urls: string[] = [];
  const fetch = (async (url: string | URL | Request) => {
    urls.push(String(url));
    const answer = answers.shift();
    if (!answer || answer instanceof Error) throw answer ?? new Error('no answer scripted');
    return answer;
  }) as typeof globalThis.fetch;
  return { fetch, urls };
}

describe('relay URL lists', () => {
  it('normalises each URL and keeps the order', () => {
    expect(normalizeRelayUrls(['https://a.example/', 'wss://b.example:8443', 'ws://10.0.0.3:8080/chat/'])).toEqual([
      'https://a.example',
      'https://b.example:8443',
      'http://10.0.0.3:8080/chat',
    ]);
  });

  it.each([
    [[], 'Enter the relay URL'],
    [['https://a.example', 'ftp://b.example'], 'must start with http:// or https:// (or ws://, wss://): "ftp://b.example"'],
    [['https://a.example', 'not a url'], 'Not a valid relay URL: "not a url"'],
    [['https://a.example', 'wss://a.example/'], 'The relay URL https://a.example is listed twice'],
    [Array.from({ length: MAX_RELAY_URLS + 1 }, (_, i) => `https://n${i}.example`), `At most ${MAX_RELAY_URLS} relay URLs, not ${MAX_RELAY_URLS + 1}`],
  ])('refuses %j', (urls, message) => {
    expect(() => normalizeRelayUrls(urls)).toThrow(message);
  });

  it('refuses a bad list at sign-in without calling any relay', async () => {
    const { fetch, urls } = scriptedFetch();
    const engine = new DuplexEngine({
      WebSocket: globalThis.WebSocket,
      fetch,
      openStore: () => Promise.reject(new Error('no store in this test')),
      accounts: new MemoryAccounts(),
      log: silentLogger,
    });
    const signIn = (relayUrl: string, otherRelayUrls: string[]) => engine.signIn({ relayUrl, otherRelayUrls, username: 'alice', password: 'secret123' });
    expect(await signIn('https://a.example', ['https://a.example/'])).toEqual({
      ok: false,
      code: 'invalid',
      message: 'The relay URL https://a.example is listed twice',
    });
    expect(await signIn('https://a.example', ['mailto:x@y'])).toMatchObject({ ok: false, code: 'invalid' });
    // One over the limit in all: the engine's refusal, with its count.
    await expect(signIn('https://a.example', Array.from({ length: MAX_RELAY_URLS }, (_, i) => `https://n${i}.example`))).resolves.toMatchObject({
      ok: false,
      code: 'invalid',
      message: `At most ${MAX_RELAY_URLS} relay URLs, not ${MAX_RELAY_URLS + 1}`,
    });
    // More than the method table takes: refused before the engine looks at it.
    await expect(signIn('https://a.example', Array.from({ length: MAX_RELAY_URLS + 1 }, (_, i) => `https://n${i}.example`))).rejects.toThrow();
    expect(urls).toEqual([]);
    await engine.dispose();
  });

  it('drops a saved account whose relay URLs are unusable, and starts signed out', async () => {
    const accounts = new MemoryAccounts();
    accounts.saved = { user: { id: 'u_1', username: 'alice', displayName: 'Alice' }, token: 'tok', relayUrls: ['https://a.example', 'javascript:alert(1)'] };
    const engine = new DuplexEngine({
      WebSocket: globalThis.WebSocket,
      fetch: scriptedFetch().fetch,
      openStore: () => Promise.reject(new Error('no store in this test')),
      accounts,
      log: silentLogger,
    });
    await engine.start();
    expect(await engine.getAccount()).toBeNull();
    expect(accounts.saved).toBeNull();
    await engine.dispose();
  });
});

describe('RelayNodes', () => {
  it('moves on round the list', () => {
    const nodes = new RelayNodes(['https://a.example', 'https://b.example'], scriptedFetch().fetch);
    expect([nodes.current, nodes.currentWebSocketUrl]).toEqual(['https://a.example', 'wss://a.example/ws']);
    nodes.moveOn();
    expect(nodes.current).toBe('https://b.example');
    nodes.moveOn();
    expect(nodes.current).toBe('https://a.example');
  });

  it('asks the current node first and the others in turn while the network fails, without moving the current node', async () => {
    const { fetch, urls } = scriptedFetch(new TypeError('fetch failed'), new TypeError('fetch failed'), new Response('ok'));
    const nodes = new RelayNodes(['https://a.example', 'https://b.example', 'https://c.example'], fetch);
    nodes.moveOn();
    const response = await nodes.fetch('/files/f_1');
    expect(await response.text()).toBe('ok');
    expect(urls).toEqual(['https://b.example/files/f_1', 'https://c.example/files/f_1', 'https://a.example/files/f_1']);
    expect(nodes.current).toBe('https://b.example');
  });

  it('takes an HTTP error as the answer, and rejects with the last failure when no node answers', async () => {
    const refused = scriptedFetch(new Response('{}', { status: 404 }));
    const nodes = new RelayNodes(['https://a.example', 'https://b.example'], refused.fetch);
    expect((await nodes.fetch('/files/f_1')).status).toBe(404);
    expect(refused.urls).toHaveLength(1);

    const down = scriptedFetch(new TypeError('a down'), new TypeError('b down'));
    await expect(new RelayNodes(['https://a.example', 'https://b.example'], down.fetch).fetch('/api/logout')).rejects.toThrow('b down');
  });

  it('moves a URL below a known node onto each node tried, and fetches any other URL as it is', async () => {
    const { fetch, urls } = scriptedFetch(new TypeError('fetch failed'), new Response('ok'), new Response('ok'));
    const nodes = new RelayNodes(['https://a.example/chat', 'https://b.example'], fetch);
    await nodes.fetch('https://a.example/chat/files/f_1');
    await nodes.fetch('https://elsewhere.example/files/f_1');
    expect(urls).toEqual(['https://a.example/chat/files/f_1', 'https://b.example/files/f_1', 'https://elsewhere.example/files/f_1']);
  });

  it('gives each node its own timeout, and tries no other node for a request its caller aborted', async () => {
    const signals: Array<AbortSignal | null | undefined> = [];
    const hanging = ((_url: string, init?: RequestInit) => {
      signals.push(init?.signal);
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    }) as typeof globalThis.fetch;
    const nodes = new RelayNodes(['https://a.example', 'https://b.example'], hanging);
    await expect(nodes.fetch('/api/logout', {}, 20)).rejects.toThrow();
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);

    signals.length = 0;
    const controller = new AbortController();
    const aborted = nodes.fetch('/files/f_1', { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toThrow();
    expect(signals).toHaveLength(1);
  });
});
