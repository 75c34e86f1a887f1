// "One relay per data directory". Operator commands (duplex-relay user,
// sessions, registration, backup) open the database while the relay runs, so
// the database itself cannot be locked exclusively; the relay's ownership is
// a lock of its own instead: an exclusive SQLite lock on a small file next to
// the database (`relay.db.lock`), held as long as the relay runs. It is an
// operating-system file lock, so it goes away with the process however that
// ends (SIGTERM, SIGKILL, a crash, a power cut): unlike a pid file, there is
// never a stale lock to detect or remove. SQLite also keeps it right between
// two connections of one process.
import { DatabaseSync } from 'node:sqlite';

/** The lock file of a database file. */
export function ownerLockFile(databaseFile: string): string {
  return `${databaseFile}.lock`;
}

export class OwnerLock {
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Takes the lock of `databaseFile`; undefined when another process (or connection) holds it. */
  static tryAcquire(databaseFile: string): OwnerLock | undefined {
    // No busy timeout: a relay that holds it will not let go.
    const db = new DatabaseSync(ownerLockFile(databaseFile), { timeout: 0 });
    try {
      // In EXCLUSIVE locking mode, the lock of the first write transaction is
      // kept until the connection closes.
      db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT');
      return new OwnerLock(db);
    } catch (error) {
      db.close();
      if (/locked|busy/i.test((error as Error).message)) return undefined;
      throw error;
    }
  }

  release(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
