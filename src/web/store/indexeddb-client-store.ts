// The web client's ClientStore: one IndexedDB database per user, through idb
// (a thin promise wrapper over the browser's own API).
//
// - The schema grows by appending to MIGRATIONS; the database version is how
//   many have run, so `upgrade` runs exactly the missing ones. A database
//   written by a newer app is refused with a clear message.
// - Messages are keyed by [conv, seq], so paging a conversation is a key range
//   walked backwards; the outbox is keyed by an auto-incremented position, the
//   order written.
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, openDB, type StoreNames } from 'idb';
import { DEFAULT_CHAT_STATE, type Message } from '../../shared/protocol/index.ts';
import type {
  ChangeJob,
  ClientStore,
  ClientStoreOpener,
  MessageJob,
  MessageRange,
  OutboxJob,
  StoredConversation,
  UploadJob,
} from '../../shared/store/client-store.ts';
import { changeTargets, foldFrame, messageKey, type MessageState } from '../../shared/store/fold-changes.ts';
import { FILE_CACHE_BYTES, isMessageJob } from '../../shared/store/client-store.ts';
import {
  logSearchChanges,
  MessageSearchIndex,
  type SearchDatabase,
  type SearchLogEntry,
  type SearchSnapshot,
} from './message-search-index.ts';

/** An outbox job as stored: `position` is assigned by IndexedDB on add. */
type OutboxRecord = OutboxJob & { position?: number };

/** A message as stored: its current state and the highest seq that state
 * reflects (fold-changes.ts). */
type MessageRecord = Message & { changedThrough: number };

interface ClientDatabase extends DBSchema {
  conversations: { key: string; value: StoredConversation; indexes: { by_activity: number } };
  messages: { key: [string, number]; value: MessageRecord; indexes: { by_sender: [string, string, number] } };
  outbox: { key: number; value: OutboxRecord; indexes: { by_cid: string; by_conv: [string, number]; by_target: [string, string] } };
  /** An upload job's bytes by cid, as a Blob (which the browser may keep on disk). */
  outboxFiles: { key: string; value: Blob };
  fileCache: { key: string; value: CachedFile; indexes: { by_use: number } };
  search_log: { key: number; value: SearchLogEntry };
  search_snapshot: { key: string; value: SearchSnapshot };
}

/** A downloaded file; `usedAt` orders the cache's evictions (a counter, so
 * ties cannot happen). */
interface CachedFile {
  id: string;
  blob: Blob;
  size: number;
  usedAt: number;
}

type UpgradeTransaction = IDBPTransaction<ClientDatabase, StoreNames<ClientDatabase>[], 'versionchange'>;

/** Migration i takes the database from version i to i + 1. Append only.
 * They run in turn in the one upgrade transaction, which stays open while
 * each awaits only its own IndexedDB requests. */
const MIGRATIONS: ReadonlyArray<(db: IDBPDatabase<ClientDatabase>, tx: UpgradeTransaction) => void | Promise<void>> = [
  (db) => {
    db.createObjectStore('conversations', { keyPath: 'id' }).createIndex('by_activity', 'lastActivity');
    db.createObjectStore('messages', { keyPath: ['conv', 'seq'] }).createIndex('by_sender', ['conv', 'from', 'seq']);
    const outbox = db.createObjectStore('outbox', { keyPath: 'position', autoIncrement: true });
    outbox.createIndex('by_cid', 'cid', { unique: true });
    outbox.createIndex('by_conv', ['conv', 'position']);
  },
  async (_db, tx) => {
    // Outbox entries become typed jobs: the queued sends of the first schema
    // carry over as `send` jobs, in place.
    let cursor = await tx.objectStore('outbox').openCursor();
    while (cursor) {
      const record = cursor.value as Partial<OutboxRecord>;
      if (record.kind === undefined) await cursor.update({ ...cursor.value, kind: 'send' } as OutboxRecord);
      cursor = await cursor.continue();
    }
  },
  async (_db, tx) => {
    // Pin, archive and mute (docs/engine.md, "Chat state"): conversations
    // stored before start unpinned, unarchived, unmuted, nothing pending.
    let cursor = await tx.objectStore('conversations').openCursor();
    while (cursor) {
      const record = cursor.value as Partial<StoredConversation>;
      if (record.chatState === undefined) {
        await cursor.update({ ...cursor.value, chatState: { ...DEFAULT_CHAT_STATE }, pendingChatState: null });
      }
      cursor = await cursor.continue();
    }
  },
  async (_db, tx) => {
    // Changes to messages fold into their targets (docs/engine.md, "Changes
    // to messages"): a stored message reflects at least its own seq.
    let cursor = await tx.objectStore('messages').openCursor();
    while (cursor) {
      await cursor.update({ ...cursor.value, changedThrough: cursor.value.seq });
      cursor = await cursor.continue();
    }
  },
  (db) => {
    // Files (docs/files.md, "The apps' side"): upload jobs' bytes and the
    // download cache. Stored messages keep MSG.file as they are.
    db.createObjectStore('outboxFiles');
    db.createObjectStore('fileCache', { keyPath: 'id' }).createIndex('by_use', 'usedAt');
  },
  (db) => {
    // Search (message-search-index.ts): with no snapshot yet, the first
    // open indexes the messages already stored.
    db.createObjectStore('search_log', { keyPath: 'position', autoIncrement: true });
    db.createObjectStore('search_snapshot');
  },
  (_db, tx) => {
    // The change jobs waiting for a message still in the outbox, by its
    // conversation and cid (only change jobs have `targetCid`, so sends are
    // not in it): settleOutboxJobs finds them with one lookup per settled
    // message instead of walking the conversation's whole outbox, which made
    // flushing a long outbox quadratic (docs/benchmarks.md, "a flush that
    // no longer walks the outbox").
    tx.objectStore('outbox').createIndex('by_target', ['conv', 'targetCid']);
  },
];

export interface IndexedDbClientStoreOptions {
  /** The download cache's cap in bytes (FILE_CACHE_BYTES by default). */
  fileCacheBytes?: number;
}

const DATABASE_PREFIX = 'duplex-client:';

export function indexedDbClientStoreOpener(options: IndexedDbClientStoreOptions = {}): ClientStoreOpener {
  return async (userId) => {
    let db: IDBPDatabase<ClientDatabase>;
    try {
      db = await openDB<ClientDatabase>(DATABASE_PREFIX + userId, MIGRATIONS.length, {
        upgrade(database, oldVersion, _newVersion, tx) {
          void (async () => {
            for (let next = oldVersion; next < MIGRATIONS.length; next++) await MIGRATIONS[next]!(database, tx);
          })().catch(() => tx.abort());
        },
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'VersionError') {
        throw new Error('The local database was written by a newer version of Duplex: update the app.', { cause: error });
      }
      throw error;
    }
    return new IndexedDbClientStore(db, userId, options.fileCacheBytes ?? FILE_CACHE_BYTES);
  };
}

/** Every key of one conversation in a [conv, number] keyed store or index. */
function wholeConversation(conv: string): IDBKeyRange {
  return IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]);
}

class IndexedDbClientStore implements ClientStore {
  readonly userId: string;
  private readonly db: IDBPDatabase<ClientDatabase>;
  private readonly fileCacheBytes: number;
  private readonly search: MessageSearchIndex;

  constructor(db: IDBPDatabase<ClientDatabase>, userId: string, fileCacheBytes: number) {
    this.db = db;
    this.userId = userId;
    this.fileCacheBytes = fileCacheBytes;
    this.search = new MessageSearchIndex(db as unknown as IDBPDatabase<SearchDatabase>, (text, error) =>
      console.error(`Duplex: ${text}`, error),
    );
  }

  async listConversations(): Promise<StoredConversation[]> {
    return (await this.db.getAllFromIndex('conversations', 'by_activity')).reverse();
  }

  async putConversation(conversation: StoredConversation): Promise<void> {
    await this.db.put('conversations', conversation);
  }

  async deleteConversation(id: string): Promise<void> {
    const tx = this.db.transaction(['conversations', 'messages', 'outbox', 'outboxFiles', 'search_log'], 'readwrite');
    void tx.objectStore('conversations').delete(id);
    const keys = await tx.objectStore('messages').getAllKeys(wholeConversation(id));
    void logSearchChanges(tx, keys);
    void tx.objectStore('messages').delete(wholeConversation(id));
    let cursor = await tx.objectStore('outbox').index('by_conv').openCursor(wholeConversation(id));
    while (cursor) {
      void tx.objectStore('outboxFiles').delete(cursor.value.cid);
      void cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
    this.search.changed();
  }

  async putMessages(messages: readonly Message[]): Promise<void> {
    const tx = this.db.transaction(['messages', 'search_log'], 'readwrite');
    await Promise.all([writeFrame(tx, messages), tx.done]);
    this.search.changed();
  }

  async settleOutboxJobs(cids: readonly string[], messages: readonly Message[]): Promise<void> {
    const tx = this.db.transaction(['messages', 'outbox', 'outboxFiles', 'search_log'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    const settle = async () => {
      for (const cid of cids) await deleteJob(tx, cid);
      // Changes waiting for these messages learn their seqs.
      for (const m of messages) {
        if (m.kind !== undefined) continue;
        let cursor = await outbox.index('by_target').openCursor([m.conv, m.cid]);
        while (cursor) {
          const job = cursor.value;
          if (!isMessageJob(job)) await cursor.update({ ...job, target: m.seq });
          cursor = await cursor.continue();
        }
      }
    };
    await Promise.all([writeFrame(tx, messages), settle(), tx.done]);
    this.search.changed();
  }

  async getMessage(conv: string, seq: number): Promise<Message | undefined> {
    const record = await this.db.get('messages', [conv, seq]);
    return record && toMessage(record);
  }

  async getMessages(conv: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]> {
    const range = IDBKeyRange.bound([conv, -Infinity], [conv, options.beforeSeq ?? Infinity], false, true);
    const newestFirst: Message[] = [];
    let cursor = await this.db.transaction('messages').store.openCursor(range, 'prev');
    while (cursor && newestFirst.length < options.limit) {
      newestFirst.push(toMessage(cursor.value));
      cursor = await cursor.continue();
    }
    return newestFirst.reverse();
  }

  async getMessagesFrom(conv: string, from: string, range: MessageRange, limit: number): Promise<Message[]> {
    const keys = IDBKeyRange.bound([conv, from, range.afterSeq], [conv, from, range.throughSeq], true, false);
    return (await this.db.getAllFromIndex('messages', 'by_sender', keys, limit)).map(toMessage);
  }

  async countMessagesAfter(conv: string, afterSeq: number, exceptFrom: string): Promise<number> {
    // Two key counts, no cursor walk: all messages above the watermark minus
    // those of `exceptFrom`.
    const tx = this.db.transaction('messages');
    const [all, theirs] = await Promise.all([
      tx.store.count(IDBKeyRange.bound([conv, afterSeq], [conv, Infinity], true)),
      tx.store.index('by_sender').count(IDBKeyRange.bound([conv, exceptFrom, afterSeq], [conv, exceptFrom, Infinity], true)),
    ]);
    return all - theirs;
  }

  async oldestSeq(conv: string): Promise<number | null> {
    const key = await this.db.getKey('messages', wholeConversation(conv));
    return key ? key[1] : null;
  }

  async searchMessages(query: string, limit: number): Promise<Message[]> {
    // The index hands back the stored records, `changedThrough` and all.
    return (await this.search.search(query, limit)).map(toMessage);
  }

  async addToOutbox(job: OutboxJob): Promise<void> {
    await this.db.add('outbox', { ...job });
  }

  async updateOutboxJob(job: OutboxJob): Promise<void> {
    const tx = this.db.transaction('outbox', 'readwrite');
    const position = await tx.store.index('by_cid').getKey(job.cid);
    if (position !== undefined) await tx.store.put({ ...job, position });
    await tx.done;
  }

  async removeFromOutbox(cid: string): Promise<void> {
    const tx = this.db.transaction(['messages', 'outbox', 'outboxFiles'], 'readwrite');
    await Promise.all([deleteJob(tx, cid), tx.done]);
  }

  async getOutboxJob(cid: string): Promise<OutboxJob | undefined> {
    const record = await this.db.getFromIndex('outbox', 'by_cid', cid);
    return record && withoutPosition(record);
  }

  async listOutbox(conv?: string): Promise<OutboxJob[]> {
    const records =
      conv === undefined
        ? await this.db.getAll('outbox')
        : await this.db.getAllFromIndex('outbox', 'by_conv', wholeConversation(conv));
    return records.map(withoutPosition);
  }

  async newestOutboxMessage(conv: string): Promise<MessageJob | undefined> {
    // Backwards from the newest job: past the few changes added after it.
    let cursor = await this.db.transaction('outbox').store.index('by_conv').openCursor(wholeConversation(conv), 'prev');
    while (cursor) {
      const job = cursor.value;
      if (isMessageJob(job)) return withoutPosition(job) as MessageJob;
      cursor = await cursor.continue();
    }
    return undefined;
  }

  async listChangesTo(conv: string, cid: string): Promise<ChangeJob[]> {
    // Records under one index key come in primary key order: the order added.
    return (await this.db.getAllFromIndex('outbox', 'by_target', [conv, cid])).map((record) => withoutPosition(record) as ChangeJob);
  }

  async addUploadToOutbox(job: UploadJob, bytes: Uint8Array): Promise<void> {
    const tx = this.db.transaction(['outbox', 'outboxFiles'], 'readwrite');
    await Promise.all([
      tx.objectStore('outbox').add({ ...job }),
      tx.objectStore('outboxFiles').put(new Blob([bytes as Uint8Array<ArrayBuffer>]), job.cid),
      tx.done,
    ]);
  }

  async getOutboxFile(cid: string): Promise<Uint8Array | undefined> {
    const blob = await this.db.get('outboxFiles', cid);
    return blob && new Uint8Array(await blob.arrayBuffer());
  }

  async dropOutboxFile(cid: string): Promise<void> {
    await this.db.delete('outboxFiles', cid);
  }

  async putCachedFile(id: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.fileCacheBytes) return;
    const tx = this.db.transaction('fileCache', 'readwrite');
    const newest = await tx.store.index('by_use').openCursor(null, 'prev');
    await tx.store.put({ id, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]), size: bytes.byteLength, usedAt: (newest?.value.usedAt ?? 0) + 1 });
    let total = 0;
    for (const entry of await tx.store.getAll()) total += entry.size;
    let oldest = await tx.store.index('by_use').openCursor();
    while (oldest && total > this.fileCacheBytes) {
      total -= oldest.value.size;
      await oldest.delete();
      oldest = await oldest.continue();
    }
    await tx.done;
  }

  async getCachedFile(id: string): Promise<Uint8Array | undefined> {
    const tx = this.db.transaction('fileCache', 'readwrite');
    const entry = await tx.store.get(id);
    if (entry) {
      const newest = await tx.store.index('by_use').openCursor(null, 'prev');
      await tx.store.put({ ...entry, usedAt: newest!.value.usedAt + 1 });
    }
    await tx.done;
    return entry && new Uint8Array(await entry.blob.arrayBuffer());
  }

  async close(): Promise<void> {
    await this.search.close();
    this.db.close();
  }
}

type WriteTransaction = IDBPTransaction<ClientDatabase, StoreNames<ClientDatabase>[], 'readwrite'>;

/** Writes one frame's messages, folding its changes (fold-changes.ts), and
 * logs every row it writes for search, so that the index follows a message's
 * current state: an edit re-indexes the new body, a delete (body '') leaves
 * nothing to find. `tx` covers `messages` and `search_log`. */
async function writeFrame(tx: WriteTransaction, messages: readonly Message[]): Promise<void> {
  const store = tx.objectStore('messages');
  const stored = new Map<string, MessageState>();
  for (const { conv, seq } of [...messages.filter((m) => m.kind === undefined), ...changeTargets(messages)]) {
    const record = await store.get([conv, seq]);
    if (record) stored.set(messageKey(conv, seq), { message: toMessage(record), changedThrough: record.changedThrough });
  }
  const written = foldFrame(messages, stored);
  for (const { message, changedThrough } of written) await store.put({ ...message, changedThrough });
  await Promise.all(logSearchChanges(tx, written.map(({ message }) => [message.conv, message.seq] as const)));
}

function toMessage(record: Message & { changedThrough?: number }): Message {
  const { changedThrough: _changedThrough, ...message } = record;
  return message;
}

/** Deletes a job and its bytes inside a transaction over both stores. */
async function deleteJob<Stores extends StoreNames<ClientDatabase>>(
  tx: IDBPTransaction<ClientDatabase, (Stores | 'outbox' | 'outboxFiles')[], 'readwrite'>,
  cid: string,
): Promise<void> {
  const outbox = tx.objectStore('outbox');
  const position = await outbox.index('by_cid').getKey(cid);
  if (position !== undefined) await outbox.delete(position);
  await tx.objectStore('outboxFiles').delete(cid);
}

function withoutPosition(record: OutboxRecord): OutboxJob {
  const { position: _position, ...job } = record;
  return job;
}
