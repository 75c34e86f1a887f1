// deploy/cluster/: the compose file of a three-node cluster checked against
// the code (no container engine runs on the build machines), and its nginx
// configuration run by the real nginx in front of three relay nodes of one
// cluster (in this process, on a private Redis and one shared store).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultConfig, parseCommandLine } from '../../relay/config.ts';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import type { RelayStore } from '../../relay/store/types.ts';
import { freeLoopbackPort, nginxMainConfig, proxyBinary } from '../helpers/reverse-proxy.ts';
import { register, TestClient } from './support/client.ts';
import { runInProcess } from './support/cli.ts';
import { startClusterNodes } from './support/cluster.ts';
import { RedisServer } from './support/redis-server.ts';
import { scrapeMetrics, type TestRelay } from './support/relay.ts';

const DIR = fileURLToPath(new URL('../../deploy/cluster/', import.meta.url));
const read = (name: string) => readFileSync(path.join(DIR, name), 'utf8');
const RELAYS = ['relay1', 'relay2', 'relay3'];
const defaults = defaultConfig();

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
  volumes?: string[];
}
const compose = parseYaml(read('compose.yaml')) as { services: Record<string, Service> };
const services = compose.services;

/** The example settings, as `docker compose --env-file` would substitute them into ${NAME:?...}. */
const exampleEnv = Object.fromEntries(
  read('cluster.env.example')
    .split('\n')
    .filter((line) => /^\w+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+)(?::\?[^}]*)?\}/g, (_, name: string) => {
    expect(exampleEnv, `cluster.env.example sets ${name}`).toHaveProperty(name);
    return exampleEnv[name] as string;
  });

describe('deploy/cluster/compose.yaml', () => {
  let help: string;
  beforeAll(async () => {
    help = (await runInProcess(['--help'])).stdout;
  });

  test('has three relay nodes built from deploy/Dockerfile, nginx, PostgreSQL, Redis and an S3-compatible store', () => {
    expect(Object.keys(services).sort()).toEqual([...RELAYS, 'minio', 'minio-bucket', 'nginx', 'postgres', 'redis'].sort());
    for (const name of RELAYS) {
      const relay = services[name] as Service;
      expect(relay.build).toEqual({ context: '../..', dockerfile: 'deploy/Dockerfile' });
      expect(readFileSync(path.join(DIR, '../..', relay.build?.dockerfile ?? ''), 'utf8')).toContain('ENTRYPOINT ["node", "relay/main.ts"]');
      // Each node its own data directory (for uploads in progress); what they share is in the services.
      expect(relay.volumes).toEqual([`${name}-data:/data`]);
      expect(relay.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
  });

  test('the relays’ settings are variables the relay knows, pointing at the services of this file', () => {
    const environment = Object.fromEntries(
      Object.entries(services.relay1?.environment ?? {}).map(([name, value]) => [name, interpolate(value)]),
    );
    // DUPLEX_DATABASE_URL belongs to the PostgreSQL store (--database-url),
    // built on its own branch: checked as soon as this relay has it.
    const awaited = help.includes('--database-url') ? [] : ['DUPLEX_DATABASE_URL'];
    for (const name of Object.keys(environment).filter((key) => key.startsWith('DUPLEX_') && !awaited.includes(key))) {
      expect(help, `--help lists ${name}`).toContain(`[${name}]`);
    }
    const { config } = parseCommandLine([], environment) as { kind: 'run'; config: ReturnType<typeof defaultConfig> };
    expect(config).toMatchObject({ trustProxy: true, redisUrl: 'redis://redis:6379', allowedOrigins: [exampleEnv.DUPLEX_PUBLIC_ORIGIN] });
    const redis = new URL(config.redisUrl ?? '');
    expect(services[redis.hostname]?.image).toMatch(/^redis:/);
    expect(services[redis.hostname]?.command).toEqual(['redis-server', '--save', '', '--appendonly', 'no']);
    const database = new URL(environment.DUPLEX_DATABASE_URL ?? '');
    const postgres = services[database.hostname] as Service;
    expect(postgres.image).toMatch(/^postgres:/);
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: database.username, POSTGRES_DB: database.pathname.slice(1) });
    expect(interpolate(postgres.environment?.POSTGRES_PASSWORD ?? '')).toBe(database.password);
    const s3 = new URL(config.s3?.endpoint ?? '');
    const minio = services[s3.hostname] as Service;
    expect(minio.image).toMatch(/^minio\/minio:/);
    expect(environment.AWS_ACCESS_KEY_ID).toBe(minio.environment?.MINIO_ROOT_USER);
    expect(environment.AWS_SECRET_ACCESS_KEY).toBe(interpolate(minio.environment?.MINIO_ROOT_PASSWORD ?? ''));
    expect(services['minio-bucket']?.environment?.MINIO_PASSWORD).toBe(minio.environment?.MINIO_ROOT_PASSWORD);
    expect(JSON.stringify(services['minio-bucket'])).toContain(`local/${config.s3?.bucket}`);
    // Every node the same settings.
    for (const name of RELAYS) expect(services[name]?.environment).toEqual(services.relay1?.environment);
  });

  test('nginx publishes the cluster and names every node, on the relay’s port, in its upstream', () => {
    expect(services.nginx?.volumes).toEqual(['./nginx.conf:/etc/nginx/conf.d/default.conf:ro']);
    const upstream = /upstream duplex_cluster \{([^}]*)\}/.exec(read('nginx.conf'))?.[1] ?? '';
    const servers = [...upstream.matchAll(/server (\S+)/g)].map((match) => match[1]);
    expect(servers).toEqual(RELAYS.map((name) => `${name}:${defaults.port}`));
  });
});

const nginx = proxyBinary('nginx');

describe.skipIf(!nginx)(`deploy/cluster/nginx.conf run by the real nginx${nginx ? '' : ' [skipped: nginx is not installed]'}`, () => {
  let redis: RedisServer;
  let dir: string;
  let store: RelayStore;
  let nodes: TestRelay[];
  let proxy: ChildProcess;
  let proxyUrl: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = await mkdtemp(path.join(tmpdir(), 'duplex-cluster-nginx-'));
    store = openSqliteStore(path.join(dir, 'relay.db'));
    nodes = await startClusterNodes(3, redis.url, store, { trustProxy: true });
    const port = await freeLoopbackPort();
    proxyUrl = `http://127.0.0.1:${port}`;
    // The shipped file with the ports of this machine; each replacement must match once.
    let site = read('nginx.conf');
    const replacements: [string, string][] = [
      ['    listen 80;\n', `    listen 127.0.0.1:${port};\n`],
      ...RELAYS.map((name, i): [string, string] => [`server ${name}:${defaults.port} `, `server 127.0.0.1:${nodes[i]?.relay.port} `]),
    ];
    for (const [from, to] of replacements) {
      expect(site.split(from)).toHaveLength(2);
      site = site.replace(from, to);
    }
    await writeFile(path.join(dir, 'site.conf'), site);
    const args = await nginxMainConfig(dir, path.join(dir, 'site.conf'));
    const check = spawnSync(nginx as string, ['-t', '-q', ...args], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    proxy = spawn(nginx as string, [...args, '-g', 'daemon off;'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${proxyUrl}/healthz`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('nginx did not answer');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    proxy?.kill('SIGTERM');
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await store?.close();
    await redis?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  const sessionsOn = async (node: TestRelay) => Number(/^duplex_ws_sessions (\d+)/m.exec(await scrapeMetrics(node))?.[1]);

  test('spreads WebSockets over the nodes, and members on different nodes talk', async () => {
    const wsUrl = `${proxyUrl.replace('http', 'ws')}/ws`;
    const [alice, bob] = await Promise.all([register(proxyUrl), register(proxyUrl)]);
    const clients: TestClient[] = [];
    for (let i = 0; i < 3; i++) {
      clients.push((await TestClient.signIn(wsUrl, alice.token))[0]);
      clients.push((await TestClient.signIn(wsUrl, bob.token))[0]);
    }
    for (const node of nodes) expect(await sessionsOn(node)).toBeGreaterThan(0);
    const a = clients[0] as TestClient;
    const created = await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
    if (created.t !== 'conv') throw new Error('create failed');
    await a.sendMessage(created.conv.id, 'through the balancer');
    // Every socket of Bob, whichever node it is on, and Alice's others.
    for (const client of clients.slice(1)) expect((await client.next('msg')).msg.body).toBe('through the balancer');
    await Promise.all(clients.map((client) => client.close()));
  });

  test('a node that is gone gets no new clients: they land on the others', async () => {
    const gone = nodes[2] as TestRelay;
    await gone.relay.shutdown();
    const alice = await register(proxyUrl);
    const wsUrl = `${proxyUrl.replace('http', 'ws')}/ws`;
    const clients = [];
    for (let i = 0; i < 4; i++) clients.push((await TestClient.signIn(wsUrl, alice.token))[0]);
    expect((await sessionsOn(nodes[0] as TestRelay)) + (await sessionsOn(nodes[1] as TestRelay))).toBe(4);
    await Promise.all(clients.map((client) => client.close()));
  });
});
