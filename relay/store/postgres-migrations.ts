// Applies the PostgreSQL schema's migrations (postgres-schema.ts) at start.
// Several relay nodes may start at once on an empty database: each takes the
// same session-level advisory lock first, so one migrates while the others
// wait, and then find nothing left to do. Each migration runs in its own
// transaction with the row recording its version, so a crash leaves either
// the old schema or the new one. The lock goes with the session: a node that
// dies while migrating releases it.
import type pg from 'pg';

/** The advisory lock key of schema changes ("duplex" in ASCII). */
const MIGRATION_LOCK_KEY = '110386633876856';

const VERSION_TABLE = 'duplex_schema_migrations';

/** The schema version of the database: 0 when it has none yet. */
export async function postgresSchemaVersion(db: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [VERSION_TABLE]);
  if (rows[0]?.found == null) return 0;
  const version = await db.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${VERSION_TABLE}`);
  return version.rows[0]?.version ?? 0;
}

/** Brings the database to `migrations.length`; `tooNew` is the error for a database of a newer relay. */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly string[],
  tooNew: (version: number) => Error,
): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const version = await postgresSchemaVersion(client);
      if (version > migrations.length) throw tooNew(version);
      for (let next = version; next < migrations.length; next++) {
        await client.query('BEGIN');
        try {
          await client.query(migrations[next] as string);
          await client.query(`INSERT INTO ${VERSION_TABLE} (version) VALUES ($1)`, [next + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } catch (error) {
    broken ??= error as Error;
    throw error;
  } finally {
    client.removeListener('error', onError);
    // A client that failed may be mid-transaction or dead: destroy it rather than pool it.
    client.release(broken);
  }
}
