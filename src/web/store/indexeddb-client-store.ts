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
  ClientStore,
  ClientStoreOpener,
  MessageRange,
  OutboxJob,
  StoredConversation,
} from '../../shared/store/client-store.ts';

/** An outbox job as stored: `position` is assigned by IndexedDB on add. */
type OutboxRecord = OutboxJob & { position?: number };

interface ClientDatabase extends DBSchema {
  conversations: { key: string; value: StoredConversation; indexes: { by_activity: number } };
  messages: { key: [string, number]; value: Message; indexes: { by_sender: [string, string, number] } };
  outbox: { key: number; value: OutboxRecord; indexes: { by_cid: string; by_conv: [string, number] } };
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
      if (record.kind === undefined) await cursor.update({ ...cursor.value, kind: 'send' });
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
];

const DATABASE_PREFIX = 'duplex-client:';

export function indexedDbClientStoreOpener(): ClientStoreOpener {
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
    return new IndexedDbClientStore(db, userId);
  };
}

/** Every key of one conversation in a [conv, number] keyed store or index. */
function wholeConversation(conv: string): IDBKeyRange {
  return IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]);
}

class IndexedDbClientStore implements ClientStore {
  readonly userId: string;
  private readonly db: IDBPDatabase<ClientDatabase>;

  constructor(db: IDBPDatabase<ClientDatabase>, userId: string) {
    this.db = db;
    this.userId = userId;
  }

  async listConversations(): Promise<StoredConversation[]> {
    return (await this.db.getAllFromIndex('conversations', 'by_activity')).reverse();
  }

  async putConversation(conversation: StoredConversation): Promise<void> {
    await this.db.put('conversations', conversation);
  }

  async deleteConversation(id: string): Promise<void> {
    const tx = this.db.transaction(['conversations', 'messages', 'outbox'], 'readwrite');
    void tx.objectStore('conversations').delete(id);
    void tx.objectStore('messages').delete(wholeConversation(id));
    let cursor = await tx.objectStore('outbox').index('by_conv').openCursor(wholeConversation(id));
    while (cursor) {
      void cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  async putMessages(messages: readonly Message[]): Promise<void> {
    const tx = this.db.transaction('messages', 'readwrite');
    await Promise.all([...messages.map((message) => tx.store.put(message)), tx.done]);
  }

  async settleOutboxJobs(cids: readonly string[], messages: readonly Message[]): Promise<void> {
    const tx = this.db.transaction(['messages', 'outbox'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    const stored = messages.map((message) => tx.objectStore('messages').put(message));
    const settled = cids.map(async (cid) => {
      const position = await outbox.index('by_cid').getKey(cid);
      if (position !== undefined) await outbox.delete(position);
    });
    await Promise.all([...stored, ...settled, tx.done]);
  }

  async getMessages(conv: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]> {
    const range = IDBKeyRange.bound([conv, -Infinity], [conv, options.beforeSeq ?? Infinity], false, true);
    const newestFirst: Message[] = [];
    let cursor = await this.db.transaction('messages').store.openCursor(range, 'prev');
    while (cursor && newestFirst.length < options.limit) {
      newestFirst.push(cursor.value);
      cursor = await cursor.continue();
    }
    return newestFirst.reverse();
  }

  async getMessagesFrom(conv: string, from: string, range: MessageRange, limit: number): Promise<Message[]> {
    const keys = IDBKeyRange.bound([conv, from, range.afterSeq], [conv, from, range.throughSeq], true, false);
    return this.db.getAllFromIndex('messages', 'by_sender', keys, limit);
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
    const tx = this.db.transaction('outbox', 'readwrite');
    const position = await tx.store.index('by_cid').getKey(cid);
    if (position !== undefined) await tx.store.delete(position);
    await tx.done;
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

  async lastOutboxJob(conv: string): Promise<OutboxJob | undefined> {
    const cursor = await this.db.transaction('outbox').store.index('by_conv').openCursor(wholeConversation(conv), 'prev');
    return cursor ? withoutPosition(cursor.value) : undefined;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function withoutPosition(record: OutboxRecord): OutboxJob {
  const { position: _position, ...job } = record;
  return job;
}
