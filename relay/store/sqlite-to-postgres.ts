// `duplex-relay migrate`: copies a SQLite relay's database into an empty
// PostgreSQL database (docs/scaling.md, "Moving a relay to PostgreSQL").
// The two schemas name their tables and columns alike (postgres-schema.ts),
// so the copy is generic: every table of the SQLite file, parents before the
// tables that reference them, every column, in rowid order (so PostgreSQL's
// `ordinal` columns keep joining and blocking order). The relay must be
// stopped: the copy takes the data directory's owner lock, so that no relay
// starts meanwhile, and reads one SQLite snapshot. It writes in one
// PostgreSQL transaction, compares every table's row count on both sides
// before committing, and leaves the target as it was on any failure.
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { schemaVersion } from '../../src/shared/sqlite/migrations.ts';
import { OwnerLock, ownerLockFile } from './owner-lock.ts';
import { openPostgresStore } from './postgres.ts';
import { privateFile } from './private-files.ts';
import { MIGRATIONS } from './sqlite-schema.ts';

export class MigrationRefused extends Error {
  override name = 'MigrationRefused';
}

export interface CopiedTable {
  name: string;
  rows: number;
}

/** Parameters in one INSERT at most (PostgreSQL's limit is 65535). */
const MAX_PARAMETERS = 30_000;

export async function copySqliteToPostgres(sqliteFile: string, databaseUrl: string): Promise<CopiedTable[]> {
  if (!existsSync(sqliteFile)) throw new MigrationRefused(`no database at ${sqliteFile}: check --from`);
  privateFile(ownerLockFile(sqliteFile));
  const lock = OwnerLock.tryAcquire(sqliteFile);
  if (!lock) throw new MigrationRefused(`a relay is running on ${sqliteFile}: stop it first, so that the copy misses nothing`);
  let source: DatabaseSync | undefined;
  try {
    source = new DatabaseSync(sqliteFile, { readOnly: true });
    const version = schemaVersion(source);
    if (version !== MIGRATIONS.length) {
      throw new MigrationRefused(
        `${sqliteFile} has schema version ${version}, this relay copies version ${MIGRATIONS.length}: ` +
          'start the relay of this version on it once, stop it, then migrate',
      );
    }
    // The relay's own start creates (or upgrades) the PostgreSQL schema.
    await (await openPostgresStore(databaseUrl, 'relay', { applicationName: 'duplex-migrate' })).close();
    return await copyTables(source, databaseUrl);
  } finally {
    source?.close();
    lock.release();
  }
}

async function copyTables(source: DatabaseSync, databaseUrl: string): Promise<CopiedTable[]> {
  const target = new pg.Client({ connectionString: databaseUrl, application_name: 'duplex-migrate' });
  await target.connect();
  // One snapshot of the source for every table.
  source.exec('BEGIN');
  try {
    await target.query('BEGIN');
    const tables = tablesInDependencyOrder(source, await deferredReferences(target));
    for (const table of tables) {
      const { rows } = await target.query<{ present: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(table)}) AS present`);
      if (rows[0]?.present) {
        throw new MigrationRefused(`the PostgreSQL database already holds data (table ${table}): migrate copies into an empty database only`);
      }
    }
    const copied: CopiedTable[] = [];
    for (const table of tables) copied.push({ name: table, rows: await copyTable(source, target, table) });
    for (const { name, rows } of copied) {
      const counted = await target.query<{ count: string }>(`SELECT count(*) AS count FROM ${quoteIdent(name)}`);
      const inSource = (source.prepare(`SELECT count(*) AS count FROM ${quoteIdent(name)}`).get() as { count: number }).count;
      if (Number(counted.rows[0]?.count) !== rows || inSource !== rows) {
        throw new Error(`table ${name}: ${inSource} rows in SQLite, ${rows} copied, ${counted.rows[0]?.count} in PostgreSQL`);
      }
    }
    await target.query('COMMIT');
    return copied;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    source.exec('COMMIT');
    await target.end();
  }
}

async function copyTable(source: DatabaseSync, target: pg.Client, table: string): Promise<number> {
  const columns = (source.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((row) => row.name);
  const { rows: targetColumns } = await target.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  const known = new Set(targetColumns.map((row) => row.column_name));
  const missing = columns.filter((column) => !known.has(column));
  if (missing.length > 0) throw new Error(`the PostgreSQL schema lacks ${missing.map((column) => `${table}.${column}`).join(', ')}`);
  const columnList = columns.map(quoteIdent).join(', ');
  const batchRows = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const select = source.prepare(`SELECT ${columnList} FROM ${quoteIdent(table)} ORDER BY rowid`);
  select.setReturnArrays(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const tuples = batch.map((_, row) => `(${columns.map((__, column) => `$${row * columns.length + column + 1}`).join(', ')})`);
    await target.query(`INSERT INTO ${quoteIdent(table)} (${columnList}) VALUES ${tuples.join(', ')}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const row of select.iterate() as Iterable<unknown[]>) {
    batch.push(row);
    if (batch.length >= batchRows) await flush();
  }
  await flush();
  return copied;
}

/**
 * The SQLite file's tables, each after the tables its foreign keys reference,
 * except through the keys PostgreSQL checks only at commit (`deferred`,
 * "table parent" pairs): users and files reference each other (photos,
 * uploaders), and only the photo keys are deferred (postgres-schema.ts).
 */
function tablesInDependencyOrder(source: DatabaseSync, deferred: ReadonlySet<string>): string[] {
  const names = (
    source.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as {
      name: string;
    }[]
  ).map((row) => row.name);
  const parents = new Map(
    names.map((name) => [
      name,
      (source.prepare('SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(?)').all(name) as { parent: string }[])
        .map((row) => row.parent)
        .filter((parent) => parent !== name && !deferred.has(`${name} ${parent}`)),
    ]),
  );
  const ordered: string[] = [];
  const visit = (name: string, path: readonly string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' -> ')}`);
    for (const parent of parents.get(name) ?? []) visit(parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

/** The target's foreign keys checked at commit, as "table parent" pairs. */
async function deferredReferences(target: pg.Client): Promise<Set<string>> {
  const { rows } = await target.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c
     JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
     WHERE c.contype = 'f' AND c.condeferred AND child.relnamespace = current_schema()::regnamespace`,
  );
  return new Set(rows.map((row) => `${row.child} ${row.parent}`));
}

/** An SQL identifier, quoted (table and column names come from the SQLite file's own schema). */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
