// The relay's files hold every message in clear text and every password
// hash, so only the relay's user may read them: the data directory is 0700
// and every file in it 0600, from the moment each is created, whatever the
// process umask (which only ever removes bits, and may be 000). SQLite
// creates a new database file 0644, and gives its -wal and -shm files the
// database file's mode; so the database is created here first, private, and
// SQLite takes it from there. Files and directories left looser by an older
// version are tightened at start.
import { chmodSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';

const PRIVATE_DIRECTORY = 0o700;
const PRIVATE_FILE = 0o600;

/** Creates the directory (and missing parents) owner-only, or makes an existing one so. */
export function privateDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY });
  chmodSync(directory, PRIVATE_DIRECTORY);
}

/**
 * Creates the file empty and owner-only if it does not exist, or makes an
 * existing one owner-only; with `mustBeNew`, an existing file is an error
 * (EEXIST) instead.
 */
export function privateFile(file: string, { mustBeNew = false } = {}): void {
  const flags = constants.O_WRONLY | constants.O_CREAT | (mustBeNew ? constants.O_EXCL : 0);
  const fd = openSync(file, flags, PRIVATE_FILE);
  try {
    // The umask may have removed bits from the mode, never added any; an
    // existing file keeps its mode unless changed here.
    fchmodSync(fd, PRIVATE_FILE);
  } finally {
    closeSync(fd);
  }
}

/** Makes the file owner-only if it exists. */
export function tightenIfPresent(file: string): void {
  if (existsSync(file)) chmodSync(file, PRIVATE_FILE);
}
