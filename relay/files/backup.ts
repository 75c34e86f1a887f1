// The files half of `duplex-relay backup FILE` (docs/operations.md, "Backup
// and restore"): after the database copy, every finished file that copy
// records is copied from DATA/files into FILE.files/, so that the two belong
// together. Files are written once and never changed, and a file is in
// DATA/files before its record says it is finished, so each one the database
// copy names is there (unless the sweep removed it since, as no message
// carried it: it is counted as missing and left out). The folder appears
// under its name only once complete, like the database copy.
import { constants, existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './disk-storage.ts';

export interface FilesBackupSummary {
  dir: string;
  files: number;
  bytes: number;
  /** Recorded as finished in the copy, gone from DATA/files when copied. */
  missing: string[];
}

/** The folder of a database backup's files. */
export function filesBackupDirOf(backupFile: string): string {
  return `${path.resolve(backupFile)}.files`;
}

export async function backupFiles(ids: readonly string[], filesDir: string, backupFile: string): Promise<FilesBackupSummary> {
  const dir = filesBackupDirOf(backupFile);
  if (existsSync(dir)) throw new Error(`${dir} already exists; a backup never overwrites one`);
  const partial = `${dir}.partial-${process.pid}`;
  const summary: FilesBackupSummary = { dir, files: 0, bytes: 0, missing: [] };
  try {
    await mkdir(partial, { mode: PRIVATE_DIR_MODE });
    await chmod(partial, PRIVATE_DIR_MODE);
    for (const id of ids) {
      const target = path.join(partial, id);
      try {
        // A copy-on-write clone where the file system offers one, else a copy.
        await copyFile(path.join(filesDir, id), target, constants.COPYFILE_FICLONE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        summary.missing.push(id);
        continue;
      }
      await chmod(target, PRIVATE_FILE_MODE);
      summary.files++;
      summary.bytes += (await stat(target)).size;
    }
    await rename(partial, dir);
    return summary;
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}
