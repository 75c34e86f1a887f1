// What a command of `duplex-relay` is, and what the operator commands share:
// their I/O, their failures, and access to the database beside a running
// relay.
import { type OptionSpec, type OptionValues, type RelayConfig, relayOptions } from '../config.ts';
import { openRelayStore } from '../store/open.ts';
import { databaseFileIn, openSqliteStore, type SqliteStore } from '../store/sqlite.ts';
import type { RelayStore, UserWithPassword } from '../store/types.ts';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
  readStdin(): Promise<string>;
}

export interface CommandArgument {
  /** As shown in the usage line: USERNAME, FILE. */
  name: string;
  optional?: boolean;
}

export interface Invocation {
  config: RelayConfig;
  args: string[];
  /** The command's own flags (the relay settings among them are in `config`). */
  values: OptionValues;
  io: CliIo;
}

export interface Command {
  /** The words that select it: `serve`, `user create`. */
  name: string;
  args: readonly CommandArgument[];
  /** One line, for the list of commands. */
  summary: string;
  /** More of its --help, after the summary. */
  details?: string;
  options: readonly OptionSpec[];
  /** Resolves with the exit code. */
  run(invocation: Invocation): Promise<number>;
}

/** Wrong arguments (a missing USERNAME, an invalid password): exit code 2, like a bad flag. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command could not do its job (no such user, no database): exit code 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

/** Where the database is: every operator command takes these. */
export const DATABASE_OPTIONS: readonly OptionSpec[] = relayOptions('config', 'data', 'database-url');

/**
 * Runs `work` with the relay's database (PostgreSQL with --database-url, else
 * the data directory's) opened as an operator: beside a running relay (or a
 * stopped one), never creating or migrating it. Commands see the RelayStore
 * interface only, so they work the same against any store; choosing the
 * store is this function's business.
 */
export async function withOperatorStore<T>(config: RelayConfig, work: (store: RelayStore) => Promise<T>): Promise<T> {
  const store = await openRelayStore(config, undefined, 'operator');
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** withOperatorStore for what only the SQLite store has: `backup`'s
 * file-level copy. */
export async function withOperatorSqliteStore<T>(config: RelayConfig, work: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = openSqliteStore(databaseFileIn(config.dataDir), 'operator');
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function requireUser(store: RelayStore, username: string): Promise<UserWithPassword> {
  const user = await store.userByUsername(username);
  if (!user) throw new CommandFailed(`no user "${username}"`);
  return user;
}

/** What a revocation means for a running relay, given its sweep interval. */
export function revocationNote(config: RelayConfig): string {
  const seconds = config.limits.tokenRecheckIntervalMs / 1000;
  return `a running relay closes their connections within ${seconds} s (tokenRecheckIntervalMs)`;
}

export function textFlag(values: OptionValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

/** Left-aligned columns, two spaces apart. */
export function formatTable(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}
