// The web client in Chromium through each shipped reverse proxy configuration
// (deploy/nginx.conf, deploy/Caddyfile), run by the real nginx and Caddy in
// front of a relay serving out/web, over HTTPS with a certificate made for
// chat.example.com (test/helpers/reverse-proxy.ts). Chromium resolves that
// name to 127.0.0.1 and trusts the certificate by its key
// (--ignore-certificate-errors-spki-list), so the page is a secure context
// as on a real server: the service worker installs and the socket is wss://.
// Skipped with the reason when nginx, Caddy or openssl is absent (.ci/run
// installs them). The rest of what the proxies must do is
// test/relay/reverse-proxies.test.ts.
import { createHash, X509Certificate } from 'node:crypto';
import { RelayProcess } from '../helpers/relay-process.ts';
import { PROXY_KINDS, proxyUnavailable, PUBLIC_HOST, ReverseProxy, reservePorts } from '../helpers/reverse-proxy.ts';
import {
  assertWebClientBuilt,
  expect,
  messageRow,
  openChat,
  send,
  signUp,
  SLOW,
  startDirectChat,
  test,
  WEB_ROOT,
} from './support.ts';

/** The base64 SHA-256 of the certificate's public key, as Chromium's flag wants it. */
function spkiHash(certificate: Buffer): string {
  const spki = new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

for (const kind of PROXY_KINDS) {
  test(`the web client through ${kind}: sign up, chat over wss://, offline shell installed`, async ({ playwright }, testInfo) => {
    const unavailable = proxyUnavailable(kind);
    test.skip(unavailable !== undefined, `skipped: ${unavailable}`);
    assertWebClientBuilt();
    const ports = await reservePorts();
    const origin = `https://${PUBLIC_HOST}:${ports.https}`;
    // Rate limits off: both users register from the same address.
    const relay = await RelayProcess.start({
      args: ['--web-root', WEB_ROOT, '--no-rate-limits', '--trust-proxy', '--allowed-origins', origin],
    });
    let proxy: ReverseProxy | undefined;
    try {
      proxy = await ReverseProxy.start(kind, { relayPort: relay.port, ports });
      const launchOptions = testInfo.project.use.launchOptions ?? {};
      const browser = await playwright.chromium.launch({
        ...launchOptions,
        args: [
          ...(launchOptions.args ?? []),
          `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`,
          `--ignore-certificate-errors-spki-list=${spkiHash(proxy.certificate.ca)}`,
        ],
      });
      try {
        const alice = await signUp(browser, origin, 'Alice');
        const bob = await signUp(browser, origin, 'Bob');
        await startDirectChat(alice.page, bob);
        const row = await send(alice.page, `hello through ${kind}`);
        // Bob is online: the message went through both sockets.
        await expect(row).toHaveAttribute('data-status', 'delivered', { timeout: SLOW });
        await openChat(bob.page, 'Alice');
        await expect(messageRow(bob.page, `hello through ${kind}`)).toHaveCount(1);
        await expect(row).toHaveAttribute('data-status', 'read', { timeout: SLOW });
        // A service worker only installs from a page with a valid certificate.
        expect(await alice.page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
        expect(alice.page.url()).toBe(`${origin}/`);
        expect([...alice.pageErrors, ...bob.pageErrors]).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await proxy?.stop();
      await relay.cleanup();
    }
  });
}
