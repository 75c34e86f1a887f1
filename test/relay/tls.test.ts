// Direct TLS (--tls-cert, --tls-key): the relay as a child process serving
// HTTPS and WSS on one port with a certificate made here, to clients that
// trust it; and exit code 2 for TLS files it cannot use.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AuthResponse } from '../../src/shared/protocol/index.ts';
import { hasOpenssl, makeSelfSignedCertificate } from '../helpers/certificate.ts';
import { MAIN, runCli } from './support/cli.ts';
import { TestClient, uniqueName } from './support/client.ts';

const skipped = hasOpenssl ? '' : ' [skipped: no openssl on PATH to make a test certificate]';

let dir: string;
let certFile: string;
let keyFile: string;
let ca: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'duplex-tls-'));
  certFile = path.join(dir, 'cert.pem');
  keyFile = path.join(dir, 'key.pem');
  if (hasOpenssl) ({ certFile, keyFile, ca } = makeSelfSignedCertificate(dir, '127.0.0.1'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts `duplex-relay serve` with TLS; resolves with its https:// URL. */
async function startTlsRelay(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--port', '0', '--data', dataDir, '--tls-cert', certFile, '--tls-key', keyFile, '--log-level', 'warn', '--scrypt-cost', '10'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within 15 s: ${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^duplex relay listening on (\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${output}`)));
  });
  return { child, url };
}

function postOverTls(url: string, body: unknown, ca: Buffer): Promise<{ status: number; body: AuthResponse }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as AuthResponse }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test.skipIf(!hasOpenssl)(`serves HTTPS and WSS on one port: register, then hello over wss://${skipped}`, async () => {
  const dataDir = path.join(dir, 'data');
  const { child, url } = await startTlsRelay(dataDir);
  try {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const registered = await postOverTls(`${url}/api/register`, { username: uniqueName(), password: 'long enough' }, ca);
    expect(registered.status).toBe(201);

    const client = await TestClient.connect(`${url.replace(/^https/, 'wss')}/ws`, { ca });
    const synced = await client.hello(registered.body.token);
    expect(synced.welcome.user).toEqual(registered.body.user);
    expect((await client.request({ t: 'ping' })).t).toBe('pong');
    await client.close();

    // Without trusting the certificate, a client is refused.
    await expect(TestClient.connect(`${url.replace(/^https/, 'wss')}/ws`)).rejects.toThrow(/self-signed certificate/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});

test(`TLS files it cannot use: exit 2 before touching the data directory${skipped}`, async () => {
  const dataDir = path.join(dir, 'unused');
  const serve = (...args: string[]) => runCli(['serve', '--port', '0', '--data', dataDir, ...args]);
  const [missing, alone, swapped] = await Promise.all([
    serve('--tls-cert', path.join(dir, 'missing.pem'), '--tls-key', keyFile),
    serve('--tls-cert', certFile),
    // The certificate where the key should be (without openssl, both files are missing).
    serve('--tls-cert', certFile, '--tls-key', certFile),
  ]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/^duplex relay: tls-cert: cannot read .*missing\.pem: ENOENT\nRun with --help/);
  expect(alone.code).toBe(2);
  expect(alone.stderr).toMatch(/--tls-cert given without --tls-key: both or neither/);
  expect(swapped.code).toBe(2);
  expect(swapped.stderr).toMatch(hasOpenssl ? /tls-cert .* with tls-key .*: / : /cannot read/);
  expect(await readdir(dir)).not.toContain('unused');
});
