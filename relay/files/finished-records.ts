// Records of uploads that arrived whole (creation-with-upload), committed
// together (docs/files.md, "One request, one commit"). Each record waits for
// no timer: the first goes to the store at once, and those finished while its
// commit is in flight go together in the next, so that uploads finishing
// together cost one fsync of the database, not one each. A batch that fails
// is tried again one record at a time, so that one bad record (its uploader
// deleted meanwhile) fails only its own upload.
import type { FinishedFile, RelayStore } from '../store/types.ts';

/** Records per transaction at most. */
const MAX_BATCH = 64;

interface Waiting {
  file: FinishedFile;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class FinishedRecords {
  readonly #store: Pick<RelayStore, 'createFinishedFiles'>;
  #waiting: Waiting[] = [];
  /** Whether a commit is under way: records added meanwhile wait for the next. */
  #committing = false;

  constructor(store: Pick<RelayStore, 'createFinishedFiles'>) {
    this.#store = store;
  }

  /** Resolves once the record is committed; rejects with the store's error. */
  add(file: FinishedFile): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ file, resolve, reject });
      if (!this.#committing) void this.#flush();
    });
  }

  /** Commits until nothing waits; never rejects (each waiter gets its outcome). */
  async #flush(): Promise<void> {
    this.#committing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, MAX_BATCH);
        if (await this.#commit(batch)) continue;
        if (batch.length > 1) for (const one of batch) await this.#commit([one]);
      }
    } finally {
      this.#committing = false;
    }
  }

  /** Whether it committed; a single record's failure is its waiter's. */
  async #commit(batch: Waiting[]): Promise<boolean> {
    try {
      await this.#store.createFinishedFiles(batch.map((waiting) => waiting.file), Date.now());
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      return false;
    }
    for (const waiting of batch) waiting.resolve();
    return true;
  }
}
