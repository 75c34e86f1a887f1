// Erasing the files an account's deletion left (RelayStore.deleteAccount,
// docs/operations.md, "Deleting an account"), from the relay (FileService) and
// from the operator's `duplex-relay user delete` alike. As for a delete for
// everyone (FileService.eraseUnreferenced), the bytes go first, so that a
// crash can only leave a record without bytes (which the sweep removes),
// never bytes without a record.
import type { Logger } from '../log.ts';
import type { ExpiredFile, RelayStore } from '../store/types.ts';
import type { FileStorage } from './storage.ts';
import type { Uploads } from './uploads.ts';

export interface FileAreas {
  storage: FileStorage;
  uploads: Uploads;
}

/** Erases each file, bytes then record; how many it erased. A failure is logged and left to the sweep. */
export async function eraseFiles(store: RelayStore, areas: FileAreas, files: readonly ExpiredFile[], log: Logger): Promise<number> {
  let erased = 0;
  for (const file of files) {
    try {
      // An unfinished upload's bytes are in the upload area; a crash may have left a finished one's there too.
      await areas.uploads.remove(file.id);
      await areas.storage.delete(file.id);
      if (await store.deleteFile(file.id)) erased++;
    } catch (error) {
      log.error({ err: error, file: file.id }, 'erasing a file of a deleted account failed; the sweep will retry');
    }
  }
  return erased;
}
