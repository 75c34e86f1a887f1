// Command-line, environment and config file parsing (relay/config.ts, relay/config-file.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, defaultConfig, helpText, parseCommandLine, type RelayConfig } from '../../relay/config.ts';
import { DEFAULT_LIMITS, LIMIT_NAMES, limitDefinition } from '../../relay/limits.ts';

function parse(argv: string[], env: Record<string, string> = {}): RelayConfig {
  const result = parseCommandLine(argv, env);
  if (result.kind !== 'run') throw new Error('expected a configuration');
  return result.config;
}

describe('parseCommandLine', () => {
  test('defaults match docs/protocol.md and the documented flags', () => {
    const config = parse([]);
    expect(config).toEqual(defaultConfig());
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      dataDir: path.resolve('data'),
      allowedOrigins: [],
      registration: 'open',
      logLevel: 'info',
      rateLimits: true,
      trustProxy: false,
      metricsHost: '127.0.0.1',
    });
    expect(config.metricsToken).toBeUndefined();
    expect(config.metricsPort).toBeUndefined();
    expect(config.webRoot).toMatch(/out[/\\]web$/);
    expect(config.limits).toMatchObject({
      sendBurst: 30,
      sendsPerSecond: 10,
      failedLoginsPerUsername: 10,
      failedLoginsPerAddress: 10,
      failedLoginWindowMs: 300_000,
      registrationsPerAddress: 20,
      registrationWindowMs: 3_600_000,
      socketsPerUser: 20,
      helloTimeoutMs: 10_000,
      badFramesPerWindow: 20,
      badFrameWindowMs: 60_000,
      slowConsumerBytes: 4 * 1024 * 1024,
      pingIntervalMs: 25_000,
      fileBytes: 100 * 1024 * 1024,
      fileRetentionMs: 24 * 3_600_000,
    });
    expect(config.s3).toBeUndefined();
  });

  test('S3 file storage: bucket, region and endpoint from flags, variables or the config file', async () => {
    expect(parse(['--s3-bucket', 'duplex-files']).s3).toEqual({ bucket: 'duplex-files', region: 'us-east-1', endpoint: undefined });
    expect(
      parse([], { DUPLEX_S3_BUCKET: 'files.example', DUPLEX_S3_REGION: 'eu-west-3', DUPLEX_S3_ENDPOINT: 'http://127.0.0.1:9000' }).s3,
    ).toEqual({ bucket: 'files.example', region: 'eu-west-3', endpoint: 'http://127.0.0.1:9000' });
    const dir = await mkdtemp(path.join(tmpdir(), 'duplex-config-s3-'));
    try {
      const file = path.join(dir, 'relay.json');
      await writeFile(file, JSON.stringify({ s3Bucket: 'from-file', s3Endpoint: 'https://s3.example' }));
      expect(parse(['--config', file]).s3).toEqual({ bucket: 'from-file', region: 'us-east-1', endpoint: 'https://s3.example' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => parse(['--s3-region', 'eu-west-3'])).toThrow('--s3-region given without --s3-bucket');
    expect(() => parse(['--s3-bucket', 'Bad_Bucket'])).toThrow(ConfigError);
    expect(() => parse(['--s3-bucket', 'ok-bucket', '--s3-endpoint', 'ftp://x'])).toThrow(ConfigError);
    expect(() => parse(['--s3-bucket', 'ok-bucket', '--s3-endpoint', 'not a url'])).toThrow(ConfigError);
  });

  test('--redis-url: a redis:// or rediss:// URL from the flag, variable or config file; without it, no cluster', async () => {
    expect(parse([]).redisUrl).toBeUndefined();
    expect(parse(['--redis-url', 'redis://10.0.0.5:6379/2']).redisUrl).toBe('redis://10.0.0.5:6379/2');
    expect(parse([], { DUPLEX_REDIS_URL: 'rediss://:secret@redis.example:6380' }).redisUrl).toBe('rediss://:secret@redis.example:6380');
    const dir = await mkdtemp(path.join(tmpdir(), 'duplex-config-redis-'));
    try {
      const file = path.join(dir, 'relay.json');
      await writeFile(file, JSON.stringify({ redisUrl: 'redis://from-file:6379' }));
      expect(parse(['--config', file]).redisUrl).toBe('redis://from-file:6379');
      expect(parse(['--config', file], { DUPLEX_REDIS_URL: 'redis://from-env:6379' }).redisUrl).toBe('redis://from-env:6379');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const bad of ['http://redis:6379', 'redis-host:6379']) {
      expect(() => parse(['--redis-url', bad])).toThrow('--redis-url: not a redis:// or rediss:// URL');
    }
    // The message never repeats the URL: it may hold a password.
    expect(() => parse([], { DUPLEX_REDIS_URL: 'http://:hunter2@x' })).toThrow(/^DUPLEX_REDIS_URL: not a redis/);
    try {
      parse([], { DUPLEX_REDIS_URL: 'http://:hunter2@x' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  test('PostgreSQL: --database-url, DUPLEX_DATABASE_URL or databaseUrl; none by default; a bad URL never echoed', async () => {
    expect(parse([]).databaseUrl).toBeUndefined();
    expect(parse(['--database-url', 'postgres://duplex:pw@db:5432/duplex']).databaseUrl).toBe('postgres://duplex:pw@db:5432/duplex');
    expect(parse([], { DUPLEX_DATABASE_URL: 'postgresql://db/duplex?sslmode=require' }).databaseUrl).toBe(
      'postgresql://db/duplex?sslmode=require',
    );
    expect(parse(['--database-url', 'postgres://a/flag'], { DUPLEX_DATABASE_URL: 'postgres://b/env' }).databaseUrl).toBe('postgres://a/flag');
    const dir = await mkdtemp(path.join(tmpdir(), 'duplex-config-pg-'));
    try {
      const file = path.join(dir, 'relay.json');
      await writeFile(file, JSON.stringify({ databaseUrl: 'postgres://from-file/duplex' }));
      expect(parse(['--config', file]).databaseUrl).toBe('postgres://from-file/duplex');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const bad of ['mysql://u:secret@db/duplex', 'not a url', 'http://u:secret@db/x']) {
      expect(() => parse(['--database-url', bad])).toThrow(/^--database-url: not a PostgreSQL URL like postgres:/);
      expect(() => parse([], { DUPLEX_DATABASE_URL: bad })).toThrow(/^DUPLEX_DATABASE_URL: not a PostgreSQL URL/);
    }
    expect(() => parse(['--database-url', 'mysql://u:secret@db/duplex'])).not.toThrow(/secret/);
  });

  test('reads every flag', () => {
    const config = parse([
      '--host', '0.0.0.0',
      '--port', '0',
      '--data', 'somewhere',
      '--allowed-origins', 'https://a.example, http://localhost:5173',
      '--registration', 'closed',
      '--log-level', 'debug',
      '--no-rate-limits',
      '--web-root', 'public',
      '--trust-proxy',
      '--scrypt-cost', '12',
      '--limit', 'helloTimeoutMs=500',
      '--limit', 'presenceGraceMs=0',
    ]);
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dataDir: path.resolve('somewhere'),
      allowedOrigins: ['https://a.example', 'http://localhost:5173'],
      registration: 'closed',
      logLevel: 'debug',
      rateLimits: false,
      webRoot: path.resolve('public'),
      trustProxy: true,
      scryptCost: 12,
    });
    expect(config.limits).toMatchObject({ helloTimeoutMs: 500, presenceGraceMs: 0 });
  });

  test('reads the metrics settings, and * as every origin', () => {
    const env = { DUPLEX_METRICS_TOKEN: 'env-metrics-token-0123456789', DUPLEX_METRICS_PORT: '9102' };
    expect(parse(['--metrics-host', '::1', '--allowed-origins', '*'], env)).toMatchObject({
      metricsToken: 'env-metrics-token-0123456789',
      metricsPort: 9102,
      metricsHost: '::1',
      allowedOrigins: ['*'],
    });
  });

  test('reads environment variables, and a flag wins over its variable', () => {
    const env = {
      DUPLEX_HOST: '::1',
      DUPLEX_PORT: '9000',
      DUPLEX_REGISTRATION: 'closed',
      DUPLEX_RATE_LIMITS: 'off',
      DUPLEX_TRUST_PROXY: '1',
      DUPLEX_PING_INTERVAL_MS: '100',
      DUPLEX_LOG_LEVEL: '',
    };
    expect(parse([], env)).toMatchObject({
      host: '::1',
      port: 9000,
      registration: 'closed',
      rateLimits: false,
      trustProxy: true,
      logLevel: 'info',
      limits: { pingIntervalMs: 100 },
    });
    expect(parse(['--port', '9001', '--limit', 'pingIntervalMs=200'], env)).toMatchObject({
      port: 9001,
      limits: { pingIntervalMs: 200 },
    });
  });

  test('the updates folder: updates/ in the data directory unless given by flag or variable', () => {
    expect(parse([]).updatesDir).toBe(path.resolve('data', 'updates'));
    expect(parse(['--data', 'elsewhere']).updatesDir).toBe(path.resolve('elsewhere', 'updates'));
    expect(parse([], { DUPLEX_UPDATES_DIR: 'feed' }).updatesDir).toBe(path.resolve('feed'));
    expect(parse(['--updates-dir', '/srv/feed'], { DUPLEX_UPDATES_DIR: 'feed' }).updatesDir).toBe('/srv/feed');
  });

  test('every limit has an environment variable', () => {
    for (const name of LIMIT_NAMES) {
      const { env, default: value } = limitDefinition(name);
      expect(parse([], { [env]: String(value + 1) }).limits[name]).toBe(value + 1);
      expect(DEFAULT_LIMITS[name]).toBe(value);
    }
  });

  test.each([
    [['--port', 'eighty']],
    [['--port', '65536']],
    [['--port', '-1']],
    [['--port', '1.5']],
    [['--registration', 'maybe']],
    [['--log-level', 'loud']],
    [['--scrypt-cost', '9']],
    [['--limit', 'helloTimeoutMs']],
    [['--limit', 'helloTimeoutMs=soon']],
    [['--limit', 'helloTimeoutMs=0']],
    [['--limit', 'nonsense=1']],
    [['--allowed-origins', 'not a url']],
    [['--allowed-origins', 'https://a.example/path']],
    [['--allowed-origins', '*,https://a.example']],
    [['--metrics-token', 'short']],
    [['--metrics-token', 'has spaces in it, far too many']],
    [['--metrics-port', '70000']],
    [['--unknown-flag']],
    [['positional']],
  ])('refuses %j with a ConfigError', (argv) => {
    expect(() => parseCommandLine(argv, {})).toThrow(ConfigError);
  });

  test.each([
    [{ DUPLEX_PORT: 'x' }],
    [{ DUPLEX_RATE_LIMITS: 'sometimes' }],
    [{ DUPLEX_SEND_BURST: '0' }],
  ])('refuses the environment %j with a ConfigError', (env) => {
    expect(() => parseCommandLine([], env)).toThrow(ConfigError);
  });

  test('--help asks for the help text, which names every option and limit', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'], {})).toEqual({ kind: 'help' });
    const help = helpText();
    for (const name of LIMIT_NAMES) expect(help).toContain(limitDefinition(name).env);
    for (const env of ['DUPLEX_HOST', 'DUPLEX_PORT', 'DUPLEX_DATA', 'DUPLEX_ALLOWED_ORIGINS', 'DUPLEX_REGISTRATION',
      'DUPLEX_LOG_LEVEL', 'DUPLEX_RATE_LIMITS', 'DUPLEX_WEB_ROOT', 'DUPLEX_UPDATES_DIR', 'DUPLEX_TRUST_PROXY',
      'DUPLEX_SCRYPT_COST', 'DUPLEX_S3_BUCKET', 'DUPLEX_S3_REGION', 'DUPLEX_S3_ENDPOINT']) {
      expect(help).toContain(env);
    }
  });
});

describe('config file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'duplex-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configFile(content: unknown): Promise<string> {
    const file = path.join(dir, 'relay.json');
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  test('sets every setting, with paths relative to the file', async () => {
    const file = await configFile({
      host: '0.0.0.0',
      port: 9100,
      data: 'state',
      allowedOrigins: ['https://a.example', 'https://b.example'],
      registration: 'closed',
      logLevel: 'warn',
      rateLimits: false,
      webRoot: '/srv/web',
      updatesDir: 'feed',
      trustProxy: true,
      scryptCost: 12,
      tlsCert: 'tls/cert.pem',
      tlsKey: 'tls/key.pem',
      metricsToken: 'a-metrics-token-0123456789',
      metricsPort: 9101,
      metricsHost: '10.0.0.5',
      limits: { sendBurst: 5, tokenRecheckIntervalMs: 500 },
    });
    // From another working directory: the relative paths stay the file's.
    expect(parse(['--config', path.relative(process.cwd(), file)])).toEqual({
      host: '0.0.0.0',
      port: 9100,
      dataDir: path.join(dir, 'state'),
      allowedOrigins: ['https://a.example', 'https://b.example'],
      registration: 'closed',
      logLevel: 'warn',
      rateLimits: false,
      webRoot: '/srv/web',
      updatesDir: path.join(dir, 'feed'),
      trustProxy: true,
      scryptCost: 12,
      tls: { certFile: path.join(dir, 'tls/cert.pem'), keyFile: path.join(dir, 'tls/key.pem') },
      metricsToken: 'a-metrics-token-0123456789',
      metricsPort: 9101,
      metricsHost: '10.0.0.5',
      limits: { ...DEFAULT_LIMITS, sendBurst: 5, tokenRecheckIntervalMs: 500 },
    });
  });

  test('precedence: flag > environment > file > default, for settings and limits alike', async () => {
    const file = await configFile({ port: 9100, host: '10.0.0.1', registration: 'closed', limits: { sendBurst: 5, sendsPerSecond: 6 } });
    const config = parse(['--port', '9300', '--limit', 'sendBurst=7'], {
      DUPLEX_CONFIG: file,
      DUPLEX_PORT: '9200',
      DUPLEX_HOST: '10.0.0.2',
      DUPLEX_SEND_BURST: '8',
    });
    expect(config).toMatchObject({ port: 9300, host: '10.0.0.2', registration: 'closed', trustProxy: false });
    expect(config.limits).toMatchObject({ sendBurst: 7, sendsPerSecond: 6 });
    // --config wins over DUPLEX_CONFIG.
    const other = path.join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ port: 9400 }));
    expect(parse(['--config', other], { DUPLEX_CONFIG: file }).port).toBe(9400);
    // A switch given as a flag wins over the file's false.
    await writeFile(other, JSON.stringify({ trustProxy: false, rateLimits: true }));
    expect(parse(['--config', other, '--trust-proxy', '--no-rate-limits'])).toMatchObject({ trustProxy: true, rateLimits: false });
  });

  test.each([
    [{ hots: 'x' }, /relay\.json: unknown key "hots"; known keys: host, port, /],
    [{ limits: { sendBurts: 1 } }, /unknown key "limits\.sendBurts"; known keys of limits: sendBurst, /],
    [{ port: '8080' }, /relay\.json: port: Invalid input: expected number, received string/],
    [{ port: 70_000 }, /relay\.json: port: "70000" is not an integer in 0\.\.65535/],
    [{ registration: 'maybe' }, /relay\.json: registration: "maybe" is not one of open, closed/],
    [{ allowedOrigins: ['https://a.example/'] }, /relay\.json: allowedOrigins: "https:\/\/a\.example\/" is not an origin/],
    [{ limits: { sendBurst: 0 } }, /relay\.json: limits\.sendBurst: "0" is not an integer >= 1/],
    [{ tlsCert: 'cert.pem' }, /relay\.json: tlsCert given without --tls-key: both or neither/],
    [[1, 2], /relay\.json: the file: Invalid input: expected object, received array/],
    ['{ "port": 1, }', /relay\.json: not valid JSON/],
  ])('refuses %j, naming the file and the key', async (content, message) => {
    const file = await configFile(content);
    expect(() => parseCommandLine(['--config', file], {})).toThrow(message);
  });

  test('refuses a missing file, and names the flag or variable of a bad value', async () => {
    expect(() => parseCommandLine(['--config', path.join(dir, 'none.json')], {})).toThrow(/cannot read config file .*none\.json: ENOENT/);
    expect(() => parseCommandLine([], { DUPLEX_PORT: 'x' })).toThrow(/^DUPLEX_PORT: "x"/);
    expect(() => parseCommandLine(['--port', 'x'], {})).toThrow(/^--port: "x"/);
    expect(() => parseCommandLine(['--tls-key', 'k.pem'], {})).toThrow(/--tls-key given without --tls-cert/);
  });
});
