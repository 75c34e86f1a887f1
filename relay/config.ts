// The relay's configuration: command-line flags, environment variables and
// defaults, parsed and checked in one place. A flag wins over its environment
// variable, which wins over the default. Every failure is a ConfigError with a
// message fit for the terminal; main.ts turns it into exit code 2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, isLimitName, LIMIT_NAMES, limitDefinition, type Limits } from './limits.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const REGISTRATION_MODES = ['open', 'closed'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export interface RelayConfig {
  host: string;
  /** 0 asks the OS for a free port. */
  port: number;
  /** Directory of the relay's data; the database is `relay.db` inside it. */
  dataDir: string;
  /** Origins allowed to open a WebSocket; empty allows every origin. */
  allowedOrigins: string[];
  registration: RegistrationMode;
  logLevel: LogLevel;
  /** Off only for load tests: no send, login or registration limits. */
  rateLimits: boolean;
  /** Static files of the built web client, served at `/`. */
  webRoot: string;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** log2 of the scrypt cost parameter N for new password hashes. */
  scryptCost: number;
  limits: Limits;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../out/web', import.meta.url));
const MIN_SCRYPT_COST = 10;
const MAX_SCRYPT_COST = 20;

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
    trustProxy: false,
    scryptCost: 15,
    limits: { ...DEFAULT_LIMITS },
  };
}

interface OptionSpec {
  flag: string;
  env?: string;
  value?: string;
  description: string;
}

// The order here is the order of --help.
const OPTIONS: OptionSpec[] = [
  { flag: 'host', env: 'DUPLEX_HOST', value: 'ADDR', description: 'address to listen on (default 127.0.0.1)' },
  { flag: 'port', env: 'DUPLEX_PORT', value: 'N', description: 'port to listen on, 0 for any free one (default 8787)' },
  { flag: 'data', env: 'DUPLEX_DATA', value: 'DIR', description: 'data directory, holds relay.db (default ./data)' },
  {
    flag: 'allowed-origins',
    env: 'DUPLEX_ALLOWED_ORIGINS',
    value: 'A,B',
    description: 'origins allowed to open a WebSocket, comma-separated (default: any)',
  },
  { flag: 'registration', env: 'DUPLEX_REGISTRATION', value: 'open|closed', description: 'allow new accounts (default open)' },
  { flag: 'log-level', env: 'DUPLEX_LOG_LEVEL', value: 'LEVEL', description: `${LOG_LEVELS.join('|')} (default info)` },
  {
    flag: 'no-rate-limits',
    env: 'DUPLEX_RATE_LIMITS',
    description: 'turn off send, login and registration limits, for load tests (env: on|off)',
  },
  {
    flag: 'web-root',
    env: 'DUPLEX_WEB_ROOT',
    value: 'DIR',
    description: 'built web client served at / (default out/web of the repository)',
  },
  {
    flag: 'trust-proxy',
    env: 'DUPLEX_TRUST_PROXY',
    description: 'client address from the last X-Forwarded-For entry (env: 1|0)',
  },
  {
    flag: 'scrypt-cost',
    env: 'DUPLEX_SCRYPT_COST',
    value: 'N',
    description: `log2 of the scrypt cost of new password hashes, ${MIN_SCRYPT_COST}..${MAX_SCRYPT_COST} (default 15)`,
  },
  { flag: 'limit', value: 'NAME=VALUE', description: 'override one limit (repeatable); names below' },
  { flag: 'help', description: 'print this help and exit' },
];

export function helpText(): string {
  const optionLines = OPTIONS.map((option) => {
    const left = `  --${option.flag}${option.value ? ` ${option.value}` : ''}`;
    const env = option.env ? ` [${option.env}]` : '';
    return `${left.padEnd(34)}${option.description}${env}`;
  });
  const limitLines = LIMIT_NAMES.map((name) => {
    const definition = limitDefinition(name);
    return `  ${name.padEnd(26)}${String(definition.default).padStart(9)}  ${definition.description} [${definition.env}]`;
  });
  return [
    'Usage: node relay/main.ts [options]',
    '',
    'The Duplex relay: HTTP API, WebSocket endpoint /ws and the web client on one port.',
    'A flag wins over its environment variable.',
    '',
    'Options:',
    ...optionLines,
    '',
    'Limits (--limit NAME=VALUE or the environment variable; default shown):',
    ...limitLines,
    '',
  ].join('\n');
}

export type CommandLine = { kind: 'help' } | { kind: 'run'; config: RelayConfig };

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): CommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        'allowed-origins': { type: 'string' },
        registration: { type: 'string' },
        'log-level': { type: 'string' },
        'no-rate-limits': { type: 'boolean' },
        'web-root': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        'scrypt-cost': { type: 'string' },
        limit: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };

  const defaults = defaultConfig();
  const pick = (flag: string | undefined, envName: string): string | undefined => flag ?? nonEmpty(env[envName]);

  const host = pick(values.host, 'DUPLEX_HOST') ?? defaults.host;
  const port = parseInteger(pick(values.port, 'DUPLEX_PORT'), 'port', 0, 65_535) ?? defaults.port;
  const data = pick(values.data, 'DUPLEX_DATA');
  const origins = pick(values['allowed-origins'], 'DUPLEX_ALLOWED_ORIGINS');
  const registration = parseChoice(pick(values.registration, 'DUPLEX_REGISTRATION'), 'registration', REGISTRATION_MODES);
  const logLevel = parseChoice(pick(values['log-level'], 'DUPLEX_LOG_LEVEL'), 'log-level', LOG_LEVELS);
  const rateLimits = values['no-rate-limits']
    ? false
    : (parseSwitch(nonEmpty(env.DUPLEX_RATE_LIMITS), 'DUPLEX_RATE_LIMITS') ?? defaults.rateLimits);
  const webRoot = pick(values['web-root'], 'DUPLEX_WEB_ROOT');
  const trustProxy = values['trust-proxy']
    ? true
    : (parseSwitch(nonEmpty(env.DUPLEX_TRUST_PROXY), 'DUPLEX_TRUST_PROXY') ?? defaults.trustProxy);
  const scryptCost =
    parseInteger(pick(values['scrypt-cost'], 'DUPLEX_SCRYPT_COST'), 'scrypt-cost', MIN_SCRYPT_COST, MAX_SCRYPT_COST) ??
    defaults.scryptCost;

  return {
    kind: 'run',
    config: {
      host,
      port,
      dataDir: data === undefined ? defaults.dataDir : path.resolve(data),
      allowedOrigins: origins === undefined ? [] : parseOrigins(origins),
      registration: registration ?? defaults.registration,
      logLevel: logLevel ?? defaults.logLevel,
      rateLimits,
      webRoot: webRoot === undefined ? defaults.webRoot : path.resolve(webRoot),
      trustProxy,
      scryptCost,
      limits: parseLimits(values.limit ?? [], env),
    },
  };
}

function parseLimits(overrides: string[], env: NodeJS.ProcessEnv): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of LIMIT_NAMES) {
    const { env: envName, min } = limitDefinition(name);
    limits[name] = parseInteger(nonEmpty(env[envName]), envName, min) ?? limits[name];
  }
  for (const override of overrides) {
    const separator = override.indexOf('=');
    const name = override.slice(0, separator);
    if (separator < 0 || !isLimitName(name)) {
      throw new ConfigError(`--limit ${override}: expected NAME=VALUE with NAME one of ${LIMIT_NAMES.join(', ')}`);
    }
    limits[name] = parseInteger(override.slice(separator + 1), `limit ${name}`, limitDefinition(name).min) ?? limits[name];
  }
  return limits;
}

function parseOrigins(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      let origin: string;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = 'null';
      }
      // An origin is scheme://host[:port] and nothing more; a path or a
      // trailing slash would never match a browser's Origin header.
      if (origin === 'null' || origin !== entry) {
        throw new ConfigError(`allowed-origins: "${entry}" is not an origin like https://chat.example.com`);
      }
      return origin;
    });
}

function parseInteger(text: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
    throw new ConfigError(`${name}: "${text}" is not ${range}`);
  }
  return value;
}

function parseChoice<T extends string>(text: string | undefined, name: string, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    throw new ConfigError(`${name}: "${text}" is not one of ${choices.join(', ')}`);
  }
  return text as T;
}

function parseSwitch(text: string | undefined, name: string): boolean | undefined {
  if (text === undefined) return undefined;
  const normalised = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalised)) return false;
  throw new ConfigError(`${name}: "${text}" is not one of on, off, 1, 0, true, false`);
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
