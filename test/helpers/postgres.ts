// Databases of their own for the tests and benchmarks, on the local
// PostgreSQL server (127.0.0.1:5432, user postgres, trust authentication;
// .ci/run starts it): each test file creates `duplex_test_<random>` (a
// benchmark `duplex_bench_<random>`) and drops it afterwards, so runs never
// see each other's data nor leave anything on the server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  /** postgres://…/name */
  url: string;
  /** Runs SQL as the superuser on the server's `postgres` database (terminate, block connections). */
  admin(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Runs SQL on this database itself (checking what the relays stored); its rows. */
  query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Closes every connection to it (FORCE) and drops it. */
  drop(): Promise<void>;
}

async function onServer<T>(server: string, work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const client = new pg.Client({ connectionString: `${server}/${database}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database on `server` (postgres://USER@HOST:PORT, no database).
 * Names are generated, never taken from input: safe to splice into DDL.
 */
export async function createTestDatabase(prefix = 'duplex_test', server = LOCAL_POSTGRES): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(server, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `${server}/${name}`,
    admin: (text, values) => onServer(server, (client) => client.query(text, values)),
    query: (text, values) => onServer(server, async (client) => (await client.query(text, values)).rows as Record<string, unknown>[], name),
    drop: () => onServer(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Terminates the server processes of `database` whose application_name is `applicationName`; how many. */
export async function terminateConnections(database: TestDatabase, applicationName: string): Promise<number> {
  const { rows } = await database.admin(
    `SELECT count(*)::int AS terminated FROM (
       SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2
     ) AS done`,
    [database.name, applicationName],
  );
  return (rows[0] as { terminated: number }).terminated;
}

/** Empties every table the relay's schema created (and restarts identities), keeping the schema. */
export async function truncateRelayTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'duplex_schema_migrations'`,
    );
    if (rows.length > 0) await client.query(`TRUNCATE ${rows.map((row) => row.name).join(', ')} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
}
