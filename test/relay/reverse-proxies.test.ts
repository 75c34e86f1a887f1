// The shipped reverse proxy configurations, run by the real nginx and Caddy
// (Debian's packages) in front of a real relay, over HTTPS with a certificate
// made here (test/helpers/reverse-proxy.ts: only ports, file paths and the
// read timeout differ from deploy/). What an operator relies on: the API and
// the web client's files through the proxy, a WebSocket that the relay's
// pings keep open past the proxy's read timeout, --trust-proxy seeing the
// client's address as the proxy saw it (never one the client wrote), and no
// /metrics for the public. The web client in a browser through each proxy is
// test/e2e/reverse-proxy.spec.ts. Without nginx, Caddy or openssl, the suites
// say so in their names and skip; .ci/run installs them.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RelayProcess } from '../helpers/relay-process.ts';
import {
  lookupPublicHost,
  PROXY_KINDS,
  type ProxyKind,
  proxyUnavailable,
  proxyVersion,
  PUBLIC_HOST,
  reservePorts,
  ReverseProxy,
} from '../helpers/reverse-proxy.ts';
import { type ApiBody, TestClient, uniqueName } from './support/client.ts';

const SHIPPED_FILE: Record<ProxyKind, string> = { nginx: 'deploy/nginx.conf', caddy: 'deploy/Caddyfile' };
/** nginx's proxy_read_timeout for these tests (120 s shipped), and the relay's ping interval under it:
 * four pings per timeout, and each half a second for the test process to answer (the relay drops a
 * socket that missed a pong), so that a busy machine does not make it flaky. */
const READ_TIMEOUT_S = 2;
const PING_INTERVAL_MS = 500;
/** How long a socket stays idle: well past nginx's timeout; for Caddy, which has none, a few pings. */
const IDLE_MS: Record<ProxyKind, number> = { nginx: READ_TIMEOUT_S * 1000 * 2.5, caddy: PING_INTERVAL_MS * 5 };
const PASSWORD = 'correct horse battery';
/** The relay's /metrics token (it serves /metrics with it only), sent through the proxy too. */
const METRICS_TOKEN = 'proxy-test-metrics-token-0123456789';
const WITH_METRICS_TOKEN = { Authorization: `Bearer ${METRICS_TOKEN}` };

/** Starts a relay for a proxy on `ports` to front: --trust-proxy, the proxy's origin allowed, a web root. */
async function relayBehindProxy(ports: { https: number }, webRoot: string, pingIntervalMs: number): Promise<RelayProcess> {
  return RelayProcess.start({
    args: [
      '--trust-proxy',
      '--allowed-origins', `https://${PUBLIC_HOST}:${ports.https}`,
      '--web-root', webRoot,
      '--limit', `pingIntervalMs=${pingIntervalMs}`,
    ],
    env: { DUPLEX_METRICS_TOKEN: METRICS_TOKEN },
  });
}

function json(body: Buffer): ApiBody {
  return JSON.parse(body.toString('utf8')) as ApiBody;
}

async function openSocket(proxy: ReverseProxy, token: string): Promise<{ client: TestClient; pings: () => number }> {
  const client = await TestClient.connect(`wss://${PUBLIC_HOST}:${proxy.ports.https}/ws`, {
    ca: proxy.certificate.ca,
    lookup: lookupPublicHost,
    origin: proxy.origin,
  });
  let pings = 0;
  client.ws.on('ping', () => pings++);
  await client.hello(token);
  return { client, pings: () => pings };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of PROXY_KINDS) {
  const unavailable = proxyUnavailable(kind);
  const title = `${kind} ${proxyVersion(kind)} with ${SHIPPED_FILE[kind]}${unavailable ? ` [skipped: ${unavailable}]` : ''}`;

  describe.skipIf(unavailable !== undefined)(title, () => {
    let dir: string;
    let webRoot: string;
    let asset: Buffer;
    let relay: RelayProcess;
    let proxy: ReverseProxy;
    let token: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), `duplex-behind-${kind}-`));
      // A stand-in web client: an index and an asset large enough that nginx
      // buffers it through a temporary file on the way.
      webRoot = path.join(dir, 'web');
      await mkdir(path.join(webRoot, 'assets'), { recursive: true });
      await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>Duplex</title>');
      asset = Buffer.from(randomBytes(384 * 1024).toString('base64'));
      await writeFile(path.join(webRoot, 'assets', 'app.js'), asset);
      const ports = await reservePorts();
      relay = await relayBehindProxy(ports, webRoot, PING_INTERVAL_MS);
      proxy = await ReverseProxy.start(kind, {
        relayPort: relay.port,
        ports,
        readTimeoutSeconds: kind === 'nginx' ? READ_TIMEOUT_S : undefined,
      });
      const registered = await proxy.request('/api/register', {
        method: 'POST',
        body: JSON.stringify({ username: uniqueName('proxied'), password: PASSWORD }),
      });
      expect(registered.status, registered.body.toString()).toBe(201);
      token = json(registered.body).token;
    });

    afterAll(async () => {
      await proxy?.stop();
      await relay?.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    test('lets a file upload larger than the proxy\'s default body limit through, and the download back', async () => {
      const bytes = randomBytes(3 * 1024 * 1024);
      const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
      const created = await proxy.request('/api/files', { method: 'POST', headers: { ...auth, 'Upload-Length': String(bytes.length) } });
      expect(created.status).toBe(201);
      const location = String(created.headers.location);
      const patched = await proxy.request(location, {
        method: 'PATCH',
        headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
        body: bytes,
      });
      expect(patched.status, patched.body.toString()).toBe(204);
      const downloaded = await proxy.request(location, { headers: auth });
      expect(downloaded.status).toBe(200);
      expect(createHash('sha256').update(downloaded.body).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    });

    test('serves the HTTP API and the web client over HTTPS, and sends plain HTTP to HTTPS', async () => {
      const health = await proxy.request('/healthz');
      expect(health.status).toBe(200);
      const username = uniqueName('signin');
      const registered = await proxy.request('/api/register', { method: 'POST', body: JSON.stringify({ username, password: PASSWORD }) });
      expect(registered.status).toBe(201);
      const login = await proxy.request('/api/login', { method: 'POST', body: JSON.stringify({ username, password: PASSWORD }) });
      expect(login.status).toBe(200);
      expect(json(login.body).user.username).toBe(username);

      const index = await proxy.request('/');
      expect(index.status).toBe(200);
      expect(index.body.toString()).toContain('<title>Duplex</title>');
      // The relay's security headers reach the browser.
      expect(index.headers['content-security-policy']).toBeTruthy();
      const script = await proxy.request('/assets/app.js');
      expect(script.status).toBe(200);
      expect(createHash('sha256').update(script.body).digest('hex')).toBe(createHash('sha256').update(asset).digest('hex'));

      const plain = await proxy.requestHttp('/some/page?x=1');
      expect([301, 308]).toContain(plain.status);
      expect(plain.headers.location).toMatch(new RegExp(`^https://${PUBLIC_HOST.replaceAll('.', '\\.')}(:\\d+)?/some/page\\?x=1$`));
    });

    test(`keeps an idle WebSocket open longer than ${kind === 'nginx' ? 'its read timeout' : 'several ping intervals'}: the relay's pings cross it`, async () => {
      const { client, pings } = await openSocket(proxy, token);
      try {
        // nginx closes a proxied connection after READ_TIMEOUT_S without a
        // frame from the relay; Caddy has no such timeout, but the pings
        // must cross it all the same.
        await sleep(IDLE_MS[kind]);
        expect(client.ws.readyState).toBe(client.ws.OPEN);
        expect(pings()).toBeGreaterThanOrEqual(Math.floor(IDLE_MS[kind] / PING_INTERVAL_MS) - 1);
        expect((await client.request({ t: 'ping' })).t).toBe('pong');
      } finally {
        await client.close();
      }
    });

    test('--trust-proxy: failed sign-ins count against the address the proxy saw, whatever X-Forwarded-For the client sends', async () => {
      const limit = 10; // failedLoginsPerAddress, the relay's default
      const spoofs: Record<string, string>[] = [
        { 'X-Forwarded-For': '198.51.100.1' },
        { 'X-Forwarded-For': '127.0.0.3' },
        { 'X-Forwarded-For': '198.51.100.2, 198.51.100.3' },
        { 'X-Real-IP': '198.51.100.4', Forwarded: 'for=198.51.100.4' },
      ];
      const failLogin = (localAddress: string, headers: Record<string, string> = {}) =>
        proxy.request('/api/login', {
          method: 'POST',
          localAddress,
          headers,
          // A different unknown user each time: only the per-address limit applies.
          body: JSON.stringify({ username: uniqueName('nobody'), password: 'wrong password' }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < limit; i++) {
        statuses.push((await failLogin('127.0.0.2', spoofs[i % spoofs.length])).status);
      }
      expect(statuses).toEqual(Array<number>(limit).fill(401));
      for (const spoof of spoofs) expect((await failLogin('127.0.0.2', spoof)).status).toBe(429);
      // Another client behind the same proxy is not limited: the relay tells
      // clients apart by the address the proxy adds, not by the proxy's own.
      expect((await failLogin('127.0.0.3')).status).toBe(401);

      // What the proxy prevents: straight to the relay (as if the proxy
      // passed the header on), the same spoofing would evade the limit.
      for (let i = 0; i <= limit; i++) {
        const direct = await fetch(`${relay.url}/api/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `203.0.113.${i}` },
          body: JSON.stringify({ username: uniqueName('nobody'), password: 'wrong password' }),
        });
        expect(direct.status).toBe(401);
      }
    });

    test('does not pass /metrics on, however the path is written', async () => {
      // The relay serves it with its token to whoever reaches it directly (the operator's scraper).
      expect(await (await fetch(`${relay.url}/metrics`, { headers: WITH_METRICS_TOKEN })).text()).toContain('# HELP');
      const targets = ['/metrics', '/metrics?format=text', '//metrics', '/./metrics', '/ws/../metrics', '/%6Detrics', '/metrics#x', '/metrics/'];
      for (const target of targets) {
        // Even with the token: the proxy keeps /metrics for the operator.
        const response = await proxy.request(target, { headers: WITH_METRICS_TOKEN });
        expect(response.body.toString(), `GET ${target}`).not.toContain('# HELP');
      }
      expect((await proxy.request('/metrics')).status).toBe(404);
    });

    if (kind === 'nginx') {
      test('(control) without pings, nginx closes an idle WebSocket after its read timeout', async () => {
        const ports = await reservePorts();
        const quietRelay = await relayBehindProxy(ports, webRoot, 60_000);
        const quietProxy = await ReverseProxy.start(kind, { relayPort: quietRelay.port, ports, readTimeoutSeconds: READ_TIMEOUT_S });
        try {
          const registered = await quietProxy.request('/api/register', {
            method: 'POST',
            body: JSON.stringify({ username: uniqueName('quiet'), password: PASSWORD }),
          });
          const { client } = await openSocket(quietProxy, json(registered.body).token);
          const closed = await Promise.race([client.closed, sleep(IDLE_MS.nginx).then(() => undefined)]);
          expect(closed, 'the socket should have been closed by nginx').toBeDefined();
          // Closed by the proxy dropping the connection, not by the relay's close frame.
          expect(closed?.code).toBe(1006);
        } finally {
          await quietProxy.stop();
          await quietRelay.cleanup();
        }
      });
    }
  });
}
