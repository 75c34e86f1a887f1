// The shipped reverse proxy configurations (deploy/nginx.conf,
// deploy/Caddyfile) run for real, by the nginx and Caddy of the machine
// (Debian's packages; `.ci/run` installs them), in front of a test relay.
// The configuration is the shipped file with only what a test must change
// substituted: the ports (free loopback ones instead of 80/443), the
// certificate files (a self-signed certificate made here), the relay's port
// and, where asked, the proxy's read timeout. Each substitution must match the
// shipped text exactly once, so a change to the shipped file that a test no
// longer covers fails loudly instead of testing something else. Around it, a
// minimal main configuration of the test's own (a temporary directory for
// everything: no system service, no file outside it).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { type LookupFunction, createServer, connect as tcpConnect } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Certificate, hasOpenssl, makeSelfSignedCertificate } from './certificate.ts';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
/** The public name in the shipped files; tests resolve it to 127.0.0.1 (`lookup`). */
export const PUBLIC_HOST = 'chat.example.com';
/** The relay's port in the shipped files. */
const SHIPPED_RELAY = '127.0.0.1:8787';

export type ProxyKind = 'nginx' | 'caddy';
export const PROXY_KINDS: readonly ProxyKind[] = ['nginx', 'caddy'];

/** Where Debian's packages put the binaries (nginx is in sbin, often not on a user's PATH). */
const BINARY_CANDIDATES: Record<ProxyKind, string[]> = {
  nginx: ['/usr/sbin/nginx', '/usr/bin/nginx'],
  caddy: ['/usr/bin/caddy', '/usr/local/bin/caddy'],
};

export function proxyBinary(kind: ProxyKind): string | undefined {
  return BINARY_CANDIDATES[kind].find((candidate) => existsSync(candidate));
}

/** Why tests of `kind` cannot run here, or undefined when they can. */
export function proxyUnavailable(kind: ProxyKind): string | undefined {
  if (!proxyBinary(kind)) return `${kind} is not installed (apt-get install ${kind}; .ci/run does)`;
  if (!hasOpenssl) return 'openssl is not installed to make a test certificate (apt-get install openssl)';
  return undefined;
}

/** The installed version, e.g. "nginx/1.22.1" or "v2.6.2", for test names and failures. */
export function proxyVersion(kind: ProxyKind): string {
  const binary = proxyBinary(kind);
  if (!binary) return 'absent';
  const run = spawnSync(binary, kind === 'nginx' ? ['-v'] : ['version'], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.trim().split(/\s+/)[kind === 'nginx' ? 2 : 0] ?? 'unknown';
}

/** Resolves PUBLIC_HOST to 127.0.0.1 and everything else as usual (for https/ws `lookup`). */
export const lookupPublicHost = ((hostname, options, callback) => {
  if (hostname !== PUBLIC_HOST) return dnsLookup(hostname, options, callback);
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as LookupFunction;

/** A free TCP port on 127.0.0.1 (free when asked; the proxy binds it moments later). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `text` with each [from, to] applied, each `from` required exactly once. */
function substitute(text: string, file: string, replacements: [from: string, to: string][]): string {
  return replacements.reduce((result, [from, to]) => {
    const count = result.split(from).length - 1;
    if (count !== 1) throw new Error(`deploy/${file}: expected "${from}" once, found it ${count} times`);
    return result.replace(from, () => to);
  }, text);
}

export interface ReverseProxyOptions {
  /** The relay's port on 127.0.0.1. */
  relayPort: number;
  /** Ports to listen on (127.0.0.1); free ones when absent. Known before the
   * relay starts with `reservePorts`, since its --allowed-origins names it. */
  ports?: ProxyPorts;
  /** nginx only: proxy_read_timeout and proxy_send_timeout, in seconds, instead of the shipped value. */
  readTimeoutSeconds?: number;
}

export interface ProxyPorts {
  https: number;
  http: number;
}

export async function reservePorts(): Promise<ProxyPorts> {
  return { https: await freeLoopbackPort(), http: await freeLoopbackPort() };
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ProxyRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Text is sent as JSON; bytes with the headers given. */
  body?: string | Buffer;
  /** The client's source address (any of 127.0.0.0/8), so that tests can be different clients. */
  localAddress?: string;
}

export class ReverseProxy {
  readonly kind: ProxyKind;
  /** https://chat.example.com:PORT, the public origin. */
  readonly origin: string;
  readonly ports: ProxyPorts;
  /** The certificate it serves; clients trust it as their only authority. */
  readonly certificate: Certificate;
  /** The configuration it runs (the shipped file with the substitutions). */
  readonly config: string;
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  /** What the proxy printed, for failures. */
  output = '';

  private constructor(kind: ProxyKind, dir: string, ports: ProxyPorts, certificate: Certificate, config: string, child: ChildProcess) {
    this.kind = kind;
    this.#dir = dir;
    this.ports = ports;
    this.origin = `https://${PUBLIC_HOST}:${ports.https}`;
    this.certificate = certificate;
    this.config = config;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
  }

  /**
   * Checks the configuration with the proxy's own validator (`nginx -t`,
   * `caddy validate`), starts the proxy in the foreground and waits until it
   * accepts connections on its HTTPS port.
   */
  static async start(kind: ProxyKind, options: ReverseProxyOptions): Promise<ReverseProxy> {
    const binary = proxyBinary(kind);
    if (!binary) throw new Error(proxyUnavailable(kind));
    const dir = await mkdtemp(path.join(tmpdir(), `duplex-${kind}-`));
    try {
      const ports = options.ports ?? (await reservePorts());
      const certificate = makeSelfSignedCertificate(dir, PUBLIC_HOST);
      const setup = kind === 'nginx' ? await nginxSetup(dir, ports, certificate, options) : await caddySetup(dir, ports, certificate, options);
      const check = spawnSync(binary, setup.checkArgs, { encoding: 'utf8', env: setup.env, timeout: 15_000 });
      if (check.status !== 0) throw new Error(`${kind} refused the configuration:\n${check.stderr}${check.stdout}\n---\n${setup.config}`);
      const child = spawn(binary, setup.runArgs, { env: setup.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const proxy = new ReverseProxy(kind, dir, ports, certificate, setup.config, child);
      await proxy.#waitUntilListening();
      return proxy;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** An HTTPS request to the public origin (`path` is sent as is, unnormalized). */
  request(requestPath: string, options: ProxyRequestOptions = {}): Promise<ProxyResponse> {
    return send(
      httpsRequest({
        host: PUBLIC_HOST,
        port: this.ports.https,
        lookup: lookupPublicHost,
        ca: this.certificate.ca,
        path: requestPath,
        method: options.method ?? 'GET',
        headers: { ...(typeof options.body === 'string' ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
        localAddress: options.localAddress,
        agent: false,
      }),
      options.body,
    );
  }

  /** A plain-HTTP request to the proxy's port 80 stand-in. */
  requestHttp(requestPath: string): Promise<ProxyResponse> {
    return send(httpRequest({ host: '127.0.0.1', port: this.ports.http, path: requestPath, headers: { Host: PUBLIC_HOST }, agent: false }));
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      // nginx: SIGQUIT is its graceful stop, SIGTERM the fast one; both end the workers.
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
      await this.#exited;
      clearTimeout(timer);
    }
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #waitUntilListening(): Promise<void> {
    const deadline = Date.now() + 15_000;
    let exited = false;
    void this.#exited.then(() => (exited = true));
    while (!(await canConnect(this.ports.https))) {
      if (exited) throw new Error(`${this.kind} exited before listening:\n${this.output}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.kind} did not listen on ${this.ports.https} within 15 s:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

interface ProxySetup {
  config: string;
  checkArgs: string[];
  runArgs: string[];
  env: NodeJS.ProcessEnv;
}

/** deploy/nginx.conf included in a main configuration that keeps every file in `dir`. */
async function nginxSetup(dir: string, ports: ProxyPorts, certificate: Certificate, options: ReverseProxyOptions): Promise<ProxySetup> {
  const replacements: [string, string][] = [
    ['    listen 80;\n', `    listen 127.0.0.1:${ports.http};\n`],
    ['    listen [::]:80;\n', ''],
    ['    listen 443 ssl;\n', `    listen 127.0.0.1:${ports.https} ssl;\n`],
    ['    listen [::]:443 ssl;\n', ''],
    [`/etc/letsencrypt/live/${PUBLIC_HOST}/fullchain.pem`, certificate.certFile],
    [`/etc/letsencrypt/live/${PUBLIC_HOST}/privkey.pem`, certificate.keyFile],
    [`server ${SHIPPED_RELAY};`, `server 127.0.0.1:${options.relayPort};`],
  ];
  if (options.readTimeoutSeconds !== undefined) {
    replacements.push(
      ['proxy_read_timeout 120s;', `proxy_read_timeout ${options.readTimeoutSeconds}s;`],
      ['proxy_send_timeout 120s;', `proxy_send_timeout ${options.readTimeoutSeconds}s;`],
    );
  }
  const config = substitute(readFileSync(path.join(DEPLOY, 'nginx.conf'), 'utf8'), 'nginx.conf', replacements);
  const site = path.join(dir, 'duplex.conf');
  await writeFile(site, config);
  const common = await nginxMainConfig(dir, site);
  return { config, checkArgs: ['-t', '-q', ...common], runArgs: [...common, '-g', 'daemon off;'], env: process.env };
}

/**
 * A main nginx configuration around the site file `site` (a shipped file's
 * http-level content) that keeps every file of nginx in `dir`; returns the
 * arguments that make nginx use it.
 */
export async function nginxMainConfig(dir: string, site: string): Promise<string[]> {
  const temp = path.join(dir, 'temp');
  await mkdir(temp);
  const main = path.join(dir, 'nginx.conf');
  await writeFile(
    main,
    [
      // As root, nginx would run its workers as "nobody", who cannot enter this directory.
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      'error_log stderr warn;',
      'events { worker_connections 256; }',
      'http {',
      '    access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `    ${name}_temp_path ${path.join(temp, name)};`),
      `    include ${site};`,
      '}',
      '',
    ].join('\n'),
  );
  return ['-p', `${dir}/`, '-c', main];
}

/** deploy/Caddyfile after a global options block that keeps Caddy on loopback, off ports 80/443 and inside `dir`. */
async function caddySetup(dir: string, ports: ProxyPorts, certificate: Certificate, options: ReverseProxyOptions): Promise<ProxySetup> {
  if (options.readTimeoutSeconds !== undefined) throw new Error('the shipped Caddyfile sets no read timeout to shorten');
  const shipped = readFileSync(path.join(DEPLOY, 'Caddyfile'), 'utf8');
  const site = substitute(shipped, 'Caddyfile', [
    // The certificate made here instead of one from Let's Encrypt.
    [
      `# tls /etc/caddy/${PUBLIC_HOST}/fullchain.pem /etc/caddy/${PUBLIC_HOST}/privkey.pem`,
      `tls ${certificate.certFile} ${certificate.keyFile}`,
    ],
    [`reverse_proxy ${SHIPPED_RELAY}\n`, `reverse_proxy 127.0.0.1:${options.relayPort}\n`],
  ]);
  const global = [
    '{',
    '\tadmin off',
    '\tdefault_bind 127.0.0.1',
    `\thttp_port ${ports.http}`,
    `\thttps_port ${ports.https}`,
    `\tstorage file_system ${path.join(dir, 'storage')}`,
    '\tskip_install_trust',
    '}',
    '',
  ].join('\n');
  const config = `${global}${site}`;
  const file = path.join(dir, 'Caddyfile');
  await writeFile(file, config);
  const common = ['--config', file, '--adapter', 'caddyfile'];
  // Caddy keeps state under $HOME / XDG directories: here, not the user's.
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
  return { config, checkArgs: ['validate', ...common], runArgs: ['run', ...common], env };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function send(request: ReturnType<typeof httpsRequest>, body?: string | Buffer): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    request.setTimeout(10_000, () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.end(body);
  });
}
