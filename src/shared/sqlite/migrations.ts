// Schema migrations for the SQLite files of both the relay and the desktop
// client. Migration i brings a file from `PRAGMA user_version` i to i + 1;
// released migrations are never edited, only appended to. user_version lives
// in the file header and is written in the migration's own transaction, so a
// crash leaves either the old schema or the new one.
//
// Written against the few methods of node:sqlite's DatabaseSync it uses, so
// that it imports nothing from Node: the relay may import it (eslint.config.js
// allows src/shared/protocol and src/shared/sqlite there), and so may src/main.

/** The part of node:sqlite's DatabaseSync that migrating needs. */
export interface MigratableDatabase {
  exec(sql: string): void;
  prepare(sql: string): { get(): unknown };
}

export function schemaVersion(db: MigratableDatabase): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/** Runs the migrations the file has not had yet. A file whose version is
 * beyond `migrations` was written by a newer program: `tooNew` says so. */
export function migrate(
  db: MigratableDatabase,
  migrations: readonly string[],
  tooNew: (version: number) => Error,
): void {
  const version = schemaVersion(db);
  if (version > migrations.length) throw tooNew(version);
  for (let next = version; next < migrations.length; next++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migrations[next]!);
      db.exec(`PRAGMA user_version = ${next + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
