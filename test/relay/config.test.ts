// Command-line and environment parsing (relay/config.ts).
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, defaultConfig, helpText, parseCommandLine, type RelayConfig } from '../../relay/config.ts';
import { DEFAULT_LIMITS, LIMIT_NAMES, limitDefinition } from '../../relay/limits.ts';

function parse(argv: string[], env: Record<string, string> = {}): RelayConfig {
  const result = parseCommandLine(argv, env);
  if (result.kind !== 'run') throw new Error('expected a configuration');
  return result.config;
}

describe('parseCommandLine', () => {
  test('defaults match PROTOCOL.md and the documented flags', () => {
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
    });
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
    });
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
      'DUPLEX_LOG_LEVEL', 'DUPLEX_RATE_LIMITS', 'DUPLEX_WEB_ROOT', 'DUPLEX_TRUST_PROXY', 'DUPLEX_SCRYPT_COST']) {
      expect(help).toContain(env);
    }
  });
});
