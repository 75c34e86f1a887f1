// Online backup of the relay's database (`duplex-relay backup FILE`).
//
// VACUUM INTO copies the database inside one read transaction: the copy is a
// consistent snapshot, and in WAL mode a reader never blocks the relay's
// writes, so the backup is taken while clients keep sending. (node:sqlite's
// backup() copies page by page in steps and starts over whenever another
// connection writes in between, which a busy relay does all the time.) The
// copy is a single file in rollback-journal mode, compacted; the relay turns
// it back to WAL when it opens it after a restore.
//
// The copy is written under a temporary name, flushed to disk, checked, and
// only then renamed to FILE: FILE exists only as a complete, verified backup.
// It holds every message in clear text, so only its owner may read it, from
// its first byte: the partial file is created 0600 before SQLite writes into
// it (VACUUM INTO takes an empty file, and keeps its mode).
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { privateFile } from './private-files.ts';

export interface BackupSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

export function writeBackup(db: DatabaseSync, target: string): BackupSummary {
  const file = path.resolve(target);
  const directory = path.dirname(file);
  if (existsSync(file)) throw new BackupError(`${file} already exists; a backup never overwrites a file`);
  if (!existsSync(directory)) throw new BackupError(`directory ${directory} does not exist`);
  const partial = `${file}.partial-${process.pid}`;
  try {
    privateFile(partial, { mustBeNew: true });
    db.prepare('VACUUM INTO ?').run(partial);
    fsync(partial);
    const schemaVersion = verify(partial);
    renameSync(partial, file);
    fsync(directory);
    return { file, bytes: statSync(file).size, schemaVersion };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** The ids of the files a backup copy records as finished (their bytes go beside it, files/backup.ts). */
export function finishedFileIdsIn(backupFile: string): string[] {
  const copy = new DatabaseSync(backupFile, { readOnly: true });
  try {
    return (copy.prepare('SELECT id FROM files WHERE finished_at IS NOT NULL ORDER BY id').all() as { id: string }[]).map(
      (row) => row.id,
    );
  } finally {
    copy.close();
  }
}

/** Opens the copy on its own and checks every page and index; returns its schema version. */
function verify(file: string): number {
  const copy = new DatabaseSync(file, { readOnly: true });
  try {
    const results = copy.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    const problems = results.map((row) => row.integrity_check).filter((result) => result !== 'ok');
    if (problems.length > 0) throw new BackupError(`the copy failed its integrity check: ${problems.slice(0, 3).join('; ')}`);
    return (copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  } finally {
    copy.close();
  }
}

function fsync(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
