// The relay's configuration: command-line flags, environment variables, a
// JSON config file and defaults, parsed and checked in one place. A flag wins
// over its environment variable, which wins over the config file, which wins
// over the default; every value goes through the same check whatever layer it
// comes from, and a failure names that layer (`--port`, `DUPLEX_PORT`,
// `relay.json: port`). Every failure is a ConfigError with a message fit for
// the terminal, which the command line turns into exit code 2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type FileKey, type FileSettings, readConfigFile } from './config-file.ts';
import type { S3Settings } from './files/s3-storage.ts';
import { DEFAULT_LIMITS, isLimitName, LIMIT_NAMES, limitDefinition, type Limits } from './limits.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const REGISTRATION_MODES = ['open', 'closed'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export interface TlsFiles {
  /** PEM certificate, with its chain. */
  certFile: string;
  /** PEM private key of the certificate. */
  keyFile: string;
}

export interface RelayConfig {
  host: string;
  /** 0 asks the OS for a free port. */
  port: number;
  /** Directory of the relay's data; the database is `relay.db` inside it. */
  dataDir: string;
  /**
   * Origins allowed to open a WebSocket (upgrade.ts, originPolicy): `['*']`
   * allows every origin; empty is the default, which allows only the relay's
   * own origin when it serves the web client, and every origin when not.
   */
  allowedOrigins: string[];
  /** The default; an operator's `duplex-relay registration open|close` overrides it (registration.ts). */
  registration: RegistrationMode;
  logLevel: LogLevel;
  /** Off only for load tests: no send, login or registration limits. */
  rateLimits: boolean;
  /** Static files of the built web client, served at `/`. */
  webRoot: string;
  /** The desktop app's update feed, served at `/updates/` (update-feed.ts). */
  updatesDir: string;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** log2 of the scrypt cost parameter N for new password hashes. */
  scryptCost: number;
  /** Serve HTTPS and WSS instead of HTTP and WS. */
  tls?: TlsFiles;
  /** GET /metrics needs `Authorization: Bearer` this (metrics-access.ts). */
  metricsToken?: string;
  /** Serve /metrics on this port of metricsHost instead of the public listener. */
  metricsPort?: number;
  metricsHost: string;
  /** Keep finished files in this S3-compatible bucket instead of `<dataDir>/files`. */
  s3?: S3Settings;
  /** redis:// or rediss:// URL: run as one node of a cluster (docs/scaling.md). */
  redisUrl?: string;
  /** postgres:// URL: the store is this PostgreSQL database instead of `<dataDir>/relay.db` (docs/scaling.md). */
  databaseUrl?: string;
  limits: Limits;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../out/web', import.meta.url));
const MIN_SCRYPT_COST = 10;
const MAX_SCRYPT_COST = 20;
const MIN_METRICS_TOKEN_LENGTH = 16;

export function defaultConfig(): RelayConfig {
  return {
    host: '127.0.0.1',
    port: 8787,
    dataDir: path.resolve('data'),
    allowedOrigins: [],
    registration: 'open',
    logLevel: 'info',
    rateLimits: true,
    webRoot: DEFAULT_WEB_ROOT,
    updatesDir: path.resolve('data', 'updates'),
    trustProxy: false,
    scryptCost: 15,
    metricsHost: '127.0.0.1',
    limits: { ...DEFAULT_LIMITS },
  };
}

/** A command-line option; the sub-commands (cli/) declare theirs the same way. */
export interface OptionSpec {
  flag: string;
  env?: string;
  /** Placeholder of its value in the help; absent for a switch. */
  value?: string;
  /** May be given more than once. */
  multiple?: boolean;
  description: string;
}

// The relay's settings. The order here is the order of --help.
export const RELAY_OPTIONS: readonly OptionSpec[] = [
  {
    flag: 'config',
    env: 'DUPLEX_CONFIG',
    value: 'FILE',
    description: 'JSON config file; flags and environment variables win over it',
  },
  { flag: 'host', env: 'DUPLEX_HOST', value: 'ADDR', description: 'address to listen on (default 127.0.0.1)' },
  { flag: 'port', env: 'DUPLEX_PORT', value: 'N', description: 'port to listen on, 0 for any free one (default 8787)' },
  { flag: 'data', env: 'DUPLEX_DATA', value: 'DIR', description: 'data directory: relay.db, files/, uploads/ (default ./data)' },
  {
    flag: 'database-url',
    env: 'DUPLEX_DATABASE_URL',
    value: 'URL',
    description: 'store in PostgreSQL (postgres://USER[:PASS]@HOST[:PORT]/DB) instead of DATA/relay.db; prefer the variable',
  },
  {
    flag: 'allowed-origins',
    env: 'DUPLEX_ALLOWED_ORIGINS',
    value: 'A,B',
    description:
      'origins allowed to open a WebSocket, comma-separated, or * for any (default: the relay\'s own origin when it serves the web client, else any)',
  },
  {
    flag: 'registration',
    env: 'DUPLEX_REGISTRATION',
    value: 'open|closed',
    description: 'allow new accounts, unless `registration open|close` stored otherwise (default open)',
  },
  { flag: 'log-level', env: 'DUPLEX_LOG_LEVEL', value: 'LEVEL', description: `${LOG_LEVELS.join('|')} (default info)` },
  {
    flag: 'no-rate-limits',
    env: 'DUPLEX_RATE_LIMITS',
    description: 'turn off send, conversation-change, login and registration limits and typing coalescing, for load tests (env: on|off)',
  },
  {
    flag: 'web-root',
    env: 'DUPLEX_WEB_ROOT',
    value: 'DIR',
    description: 'built web client served at / (default out/web of the repository)',
  },
  {
    flag: 'updates-dir',
    env: 'DUPLEX_UPDATES_DIR',
    value: 'DIR',
    description: 'desktop app updates served at /updates/, see `updates publish` (default DATA/updates)',
  },
  {
    flag: 'trust-proxy',
    env: 'DUPLEX_TRUST_PROXY',
    description: 'client address from the last X-Forwarded-For entry (env: 1|0)',
  },
  {
    flag: 'tls-cert',
    env: 'DUPLEX_TLS_CERT',
    value: 'FILE',
    description: 'serve HTTPS and WSS with this PEM certificate (chain); needs --tls-key',
  },
  { flag: 'tls-key', env: 'DUPLEX_TLS_KEY', value: 'FILE', description: 'PEM private key of --tls-cert' },
  {
    flag: 'scrypt-cost',
    env: 'DUPLEX_SCRYPT_COST',
    value: 'N',
    description: `log2 of the scrypt cost of new password hashes, ${MIN_SCRYPT_COST}..${MAX_SCRYPT_COST} (default 15)`,
  },
  {
    flag: 'metrics-token',
    env: 'DUPLEX_METRICS_TOKEN',
    value: 'TOKEN',
    description: `GET /metrics answers only with "Authorization: Bearer TOKEN" (${MIN_METRICS_TOKEN_LENGTH}+ characters); prefer the variable`,
  },
  {
    flag: 'metrics-port',
    env: 'DUPLEX_METRICS_PORT',
    value: 'N',
    description: 'serve /metrics on this port of --metrics-host instead of the public one (default: none)',
  },
  {
    flag: 'metrics-host',
    env: 'DUPLEX_METRICS_HOST',
    value: 'ADDR',
    description: 'address of the --metrics-port listener (default 127.0.0.1)',
  },
  {
    flag: 's3-bucket',
    env: 'DUPLEX_S3_BUCKET',
    value: 'NAME',
    description: 'keep files in this S3 bucket, not DATA/files; credentials from AWS_* variables',
  },
  { flag: 's3-region', env: 'DUPLEX_S3_REGION', value: 'REGION', description: 'region of --s3-bucket (default us-east-1)' },
  {
    flag: 's3-endpoint',
    env: 'DUPLEX_S3_ENDPOINT',
    value: 'URL',
    description: 'URL of an S3-compatible service (MinIO, Ceph…) for --s3-bucket; path-style addressing',
  },
  {
    flag: 'redis-url',
    env: 'DUPLEX_REDIS_URL',
    value: 'URL',
    description: 'redis:// or rediss:// URL: live frames, presence, typing, revocations and limits shared by several relays (docs/scaling.md)',
  },
  { flag: 'limit', value: 'NAME=VALUE', multiple: true, description: 'override one limit (repeatable); names below' },
];

const HELP_OPTION: OptionSpec = { flag: 'help', description: 'print this help and exit' };

/** The relay options named by `flags`, for a command that takes only some of them. */
export function relayOptions(...flags: string[]): OptionSpec[] {
  return flags.map((flag) => {
    const option = RELAY_OPTIONS.find((candidate) => candidate.flag === flag);
    if (!option) throw new Error(`no relay option --${flag}`);
    return option;
  });
}

/** One help line per option, --help last. */
export function optionHelpLines(options: readonly OptionSpec[]): string[] {
  return [...options, HELP_OPTION].map((option) => {
    const left = `  --${option.flag}${option.value ? ` ${option.value}` : ''}`;
    const env = option.env ? ` [${option.env}]` : '';
    return `${left.padEnd(34)}${option.description}${env}`;
  });
}

/** The help of `serve`, the relay itself. */
export function helpText(): string {
  const nameWidth = Math.max(...LIMIT_NAMES.map((name) => name.length)) + 2;
  const valueWidth = Math.max(...LIMIT_NAMES.map((name) => String(limitDefinition(name).default).length));
  const limitLines = LIMIT_NAMES.map((name) => {
    const definition = limitDefinition(name);
    return `  ${name.padEnd(nameWidth)}${String(definition.default).padStart(valueWidth)}  ${definition.description} [${definition.env}]`;
  });
  return [
    'Usage: duplex-relay [serve] [options]',
    '',
    'The Duplex relay: HTTP API, WebSocket endpoint /ws and the web client on one port.',
    'A flag wins over its environment variable, which wins over the config file.',
    '',
    'Options:',
    ...optionHelpLines(RELAY_OPTIONS),
    '',
    'Limits (--limit NAME=VALUE, the environment variable, or "limits" in the config file; default shown):',
    ...limitLines,
    '',
  ].join('\n');
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedOptions {
  values: OptionValues;
  positionals: string[];
  help: boolean;
}

/** Parses flags against `options` (plus --help and -h); unknown flags and extra positionals are ConfigErrors. */
export function parseOptions(argv: string[], options: readonly OptionSpec[], allowPositionals = false): ParsedOptions {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals,
      options: {
        ...Object.fromEntries(
          options.map(
            (option) => [option.flag, { type: option.value ? 'string' : 'boolean', multiple: option.multiple === true }] as const,
          ),
        ),
        help: { type: 'boolean', short: 'h' },
      },
    });
    const { help, ...rest } = values;
    return { values: rest, positionals, help: help === true };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

export type CommandLine = { kind: 'help' } | { kind: 'run'; config: RelayConfig };

/** The command line of `serve`. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): CommandLine {
  const { values, help } = parseOptions(argv, RELAY_OPTIONS);
  return help ? { kind: 'help' } : { kind: 'run', config: resolveConfig(values, env) };
}

/** A setting's value as text, and where it came from. */
interface Found {
  text: string;
  from: string;
}

/** Builds the configuration from parsed flags (only those a command accepts), the environment and the config file. */
export function resolveConfig(values: OptionValues, env: NodeJS.ProcessEnv): RelayConfig {
  const flag = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const configFile = flag('config') ?? nonEmpty(env.DUPLEX_CONFIG);
  const fileSettings = configFile === undefined ? {} : loadConfigFile(configFile);
  const fileName = configFile ?? '';

  /** The flag's value, else the environment variable's, else the config file's. */
  const find = (flagName: string | undefined, envName: string, fileKey: FileKey): Found | undefined => {
    const fromFlag = flagName === undefined ? undefined : flag(flagName);
    if (fromFlag !== undefined) return { text: fromFlag, from: `--${flagName}` };
    const fromEnv = nonEmpty(env[envName]);
    if (fromEnv !== undefined) return { text: fromEnv, from: envName };
    const fromFile = fileSettings[fileKey];
    if (fromFile === undefined) return undefined;
    return { text: fileValueText(fromFile), from: `${fileName}: ${fileKey}` };
  };
  const switchedBy = (flagName: string, text: string): Found | undefined =>
    values[flagName] === true ? { text, from: `--${flagName}` } : undefined;

  const defaults = defaultConfig();
  const data = find('data', 'DUPLEX_DATA', 'data');
  const origins = find('allowed-origins', 'DUPLEX_ALLOWED_ORIGINS', 'allowedOrigins');
  const webRoot = find('web-root', 'DUPLEX_WEB_ROOT', 'webRoot');
  const updatesDir = find('updates-dir', 'DUPLEX_UPDATES_DIR', 'updatesDir');
  const dataDir = data === undefined ? defaults.dataDir : path.resolve(data.text);
  return {
    host: find('host', 'DUPLEX_HOST', 'host')?.text ?? defaults.host,
    port: parseInteger(find('port', 'DUPLEX_PORT', 'port'), 0, 65_535) ?? defaults.port,
    dataDir,
    allowedOrigins: origins === undefined ? defaults.allowedOrigins : parseOrigins(origins),
    registration:
      parseChoice(find('registration', 'DUPLEX_REGISTRATION', 'registration'), REGISTRATION_MODES) ?? defaults.registration,
    logLevel: parseChoice(find('log-level', 'DUPLEX_LOG_LEVEL', 'logLevel'), LOG_LEVELS) ?? defaults.logLevel,
    rateLimits:
      parseSwitch(switchedBy('no-rate-limits', 'off') ?? find(undefined, 'DUPLEX_RATE_LIMITS', 'rateLimits')) ??
      defaults.rateLimits,
    webRoot: webRoot === undefined ? defaults.webRoot : path.resolve(webRoot.text),
    // Beside the database unless given: one directory to back up and move.
    updatesDir: updatesDir === undefined ? path.join(dataDir, 'updates') : path.resolve(updatesDir.text),
    trustProxy:
      parseSwitch(switchedBy('trust-proxy', 'on') ?? find(undefined, 'DUPLEX_TRUST_PROXY', 'trustProxy')) ??
      defaults.trustProxy,
    scryptCost:
      parseInteger(find('scrypt-cost', 'DUPLEX_SCRYPT_COST', 'scryptCost'), MIN_SCRYPT_COST, MAX_SCRYPT_COST) ??
      defaults.scryptCost,
    tls: parseTls(find('tls-cert', 'DUPLEX_TLS_CERT', 'tlsCert'), find('tls-key', 'DUPLEX_TLS_KEY', 'tlsKey')),
    metricsToken: parseMetricsToken(find('metrics-token', 'DUPLEX_METRICS_TOKEN', 'metricsToken')),
    metricsPort: parseInteger(find('metrics-port', 'DUPLEX_METRICS_PORT', 'metricsPort'), 0, 65_535),
    metricsHost: find('metrics-host', 'DUPLEX_METRICS_HOST', 'metricsHost')?.text ?? defaults.metricsHost,
    s3: parseS3(
      find('s3-bucket', 'DUPLEX_S3_BUCKET', 's3Bucket'),
      find('s3-region', 'DUPLEX_S3_REGION', 's3Region'),
      find('s3-endpoint', 'DUPLEX_S3_ENDPOINT', 's3Endpoint'),
    ),
    redisUrl: parseRedisUrl(find('redis-url', 'DUPLEX_REDIS_URL', 'redisUrl')),
    databaseUrl: parseDatabaseUrl(find('database-url', 'DUPLEX_DATABASE_URL', 'databaseUrl')),
    limits: parseLimits(values.limit, env, fileSettings.limits ?? {}, fileName),
  };
}

function loadConfigFile(file: string): FileSettings {
  const result = readConfigFile(file);
  if (!result.ok) throw new ConfigError(result.message);
  return result.settings;
}

/** A config file value as the text a flag would carry, so that both are checked alike. */
function fileValueText(value: string | number | boolean | string[]): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return Array.isArray(value) ? value.join(',') : String(value);
}

function parseTls(cert: Found | undefined, key: Found | undefined): TlsFiles | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new ConfigError(`${(cert ?? key)?.from} given without ${cert ? '--tls-key' : '--tls-cert'}: both or neither`);
  }
  return { certFile: path.resolve(cert.text), keyFile: path.resolve(key.text) };
}

function parseS3(bucket: Found | undefined, region: Found | undefined, endpoint: Found | undefined): S3Settings | undefined {
  if (bucket === undefined) {
    const stray = region ?? endpoint;
    if (stray) throw new ConfigError(`${stray.from} given without --s3-bucket`);
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket.text)) {
    throw new ConfigError(`${bucket.from}: "${bucket.text}" is not an S3 bucket name`);
  }
  let endpointUrl: string | undefined;
  if (endpoint !== undefined) {
    const protocol = URL.canParse(endpoint.text) ? new URL(endpoint.text).protocol : '';
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new ConfigError(`${endpoint.from}: "${endpoint.text}" is not an http(s) URL`);
    }
    endpointUrl = endpoint.text;
  }
  return { bucket: bucket.text, region: region?.text ?? 'us-east-1', endpoint: endpointUrl };
}

function parseRedisUrl(found: Found | undefined): string | undefined {
  return parseServiceUrl(found, ['redis:', 'rediss:'], 'a redis:// or rediss:// URL');
}

function parseDatabaseUrl(found: Found | undefined): string | undefined {
  return parseServiceUrl(found, ['postgres:', 'postgresql:'], 'a PostgreSQL URL like postgres://duplex@db.example.com:5432/duplex');
}

/** A service's connection URL; the message never repeats it, as it may hold a password. */
function parseServiceUrl(found: Found | undefined, protocols: readonly string[], expected: string): string | undefined {
  if (found === undefined) return undefined;
  const protocol = URL.canParse(found.text) ? new URL(found.text).protocol : '';
  if (!protocols.includes(protocol)) throw new ConfigError(`${found.from}: not ${expected}`);
  return found.text;
}

/** Each limit: `--limit NAME=VALUE` (the last one wins), else its variable, else the config file, else the default. */
function parseLimits(
  overrides: OptionValues[string],
  env: NodeJS.ProcessEnv,
  fileLimits: Partial<Limits>,
  fileName: string,
): Limits {
  const fromFlags = new Map<string, Found>();
  for (const override of Array.isArray(overrides) ? overrides : []) {
    const separator = override.indexOf('=');
    const name = override.slice(0, separator);
    if (separator < 0 || !isLimitName(name)) {
      throw new ConfigError(`--limit ${override}: expected NAME=VALUE with NAME one of ${LIMIT_NAMES.join(', ')}`);
    }
    fromFlags.set(name, { text: override.slice(separator + 1), from: `--limit ${name}` });
  }
  const limits = { ...DEFAULT_LIMITS };
  for (const name of LIMIT_NAMES) {
    const { env: envName, min } = limitDefinition(name);
    const fromEnv = nonEmpty(env[envName]);
    const fromFile = fileLimits[name];
    const found =
      fromFlags.get(name) ??
      (fromEnv === undefined ? undefined : { text: fromEnv, from: envName }) ??
      (fromFile === undefined ? undefined : { text: String(fromFile), from: `${fileName}: limits.${name}` });
    limits[name] = parseInteger(found, min) ?? limits[name];
  }
  return limits;
}

/** A bearer token: long enough not to be guessed, in the characters an Authorization header carries. */
function parseMetricsToken(found: Found | undefined): string | undefined {
  if (found === undefined) return undefined;
  if (found.text.length < MIN_METRICS_TOKEN_LENGTH || !/^[A-Za-z0-9._~+/=-]+$/.test(found.text)) {
    throw new ConfigError(
      `${found.from}: a metrics token needs at least ${MIN_METRICS_TOKEN_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / = - (try: openssl rand -hex 32)`,
    );
  }
  return found.text;
}

function parseOrigins(found: Found): string[] {
  const entries = found.text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.includes('*')) {
    if (entries.length > 1) throw new ConfigError(`${found.from}: * allows every origin and goes alone`);
    return ['*'];
  }
  return entries.map((entry) => {
    let origin: string;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = 'null';
    }
    // An origin is scheme://host[:port] and nothing more; a path or a
    // trailing slash would never match a browser's Origin header.
    if (origin === 'null' || origin !== entry) {
      throw new ConfigError(`${found.from}: "${entry}" is not an origin like https://chat.example.com`);
    }
    return origin;
  });
}

function parseInteger(found: Found | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (found === undefined) return undefined;
  const text = found.text.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
    throw new ConfigError(`${found.from}: "${found.text}" is not ${range}`);
  }
  return value;
}

function parseChoice<T extends string>(found: Found | undefined, choices: readonly T[]): T | undefined {
  if (found === undefined) return undefined;
  if (!(choices as readonly string[]).includes(found.text)) {
    throw new ConfigError(`${found.from}: "${found.text}" is not one of ${choices.join(', ')}`);
  }
  return found.text as T;
}

function parseSwitch(found: Found | undefined): boolean | undefined {
  if (found === undefined) return undefined;
  const normalised = found.text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalised)) return false;
  throw new ConfigError(`${found.from}: "${found.text}" is not one of on, off, 1, 0, true, false`);
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
