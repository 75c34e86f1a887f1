// The web client's message search (docs/engine.md, "Search"): a MiniSearch
// index of every stored message, kept in memory and persisted in the user's
// IndexedDB database, so that a reload neither loses it nor rebuilds it.
//
// Durability without writing the whole index on every message:
// - every write to `messages` appends the keys it touched to `search_log`
//   in the same transaction (logSearchChanges), so a change is either stored
//   and logged, or neither;
// - the index in memory catches up by replaying the log past the position it
//   has applied, reading each key's current message (absent: deleted);
// - now and then (SAVE_DELAY_MS after the last change) it saves itself as a
//   JSON snapshot that records the log position it covers, and in the same
//   transaction drops the log up to there.
// A reload loads the snapshot and replays the rest of the log; a database
// without a snapshot (new, or written before search existed) is indexed
// from its messages. All index work runs one step at a time (`work`).
import MiniSearch, { type Options } from 'minisearch';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { Message } from '../../shared/protocol/index.ts';
import { foldWord, queryWords, searchWords } from '../../shared/search/search-text.ts';

/** A message key whose indexed text may be stale. */
export interface SearchLogEntry {
  /** Assigned by IndexedDB: the order of the writes. */
  position?: number;
  conv: string;
  seq: number;
}

export interface SearchSnapshot {
  /** MiniSearch's own JSON form of the index. */
  index: string;
  /** The log position the index covers (entries up to it are applied). */
  through: number;
}

/** The part of the client database this module reads and writes. */
export interface SearchDatabase extends DBSchema {
  messages: { key: [string, number]; value: Message; indexes: { by_sender: [string, string, number] } };
  search_log: { key: number; value: SearchLogEntry };
  search_snapshot: { key: string; value: SearchSnapshot };
}

/** The snapshot is one record under this key. */
const SNAPSHOT_KEY = 'index';
/** Quiet time after the last change before the index is saved. */
const SAVE_DELAY_MS = 2_000;

interface IndexedMessage {
  /** `seq:conv`: a seq has no colon, so the first one splits the key. */
  id: string;
  body: string;
  ts: number;
}

/** The same folding as the SQLite store's FTS5 tokenizer (search-text.ts). */
const INDEX_OPTIONS: Options<IndexedMessage> = {
  fields: ['body'],
  storeFields: ['ts'],
  tokenize: searchWords,
  processTerm: foldWord,
  searchOptions: { prefix: true, combineWith: 'AND', tokenize: queryWords },
};

function documentId(conv: string, seq: number): string {
  return `${seq}:${conv}`;
}

function keyOf(id: string): [string, number] {
  const colon = id.indexOf(':');
  return [id.slice(colon + 1), Number(id.slice(0, colon))];
}

/** Logs, inside a write transaction of the caller's, the message keys it
 * changes: every write to `messages` must call this. */
export function logSearchChanges<Db extends SearchDatabase>(
  tx: IDBPTransaction<Db, StoreNames<Db>[], 'readwrite'>,
  keys: ReadonlyArray<readonly [string, number]>,
): Promise<unknown>[] {
  const log = (tx as unknown as IDBPTransaction<SearchDatabase, ['search_log'], 'readwrite'>).objectStore('search_log');
  return keys.map(([conv, seq]) => log.add({ conv, seq }));
}

export class MessageSearchIndex {
  private readonly db: IDBPDatabase<SearchDatabase>;
  private readonly log: (message: string, error: unknown) => void;
  private index: MiniSearch<IndexedMessage> | null = null;
  /** The last log position applied to `index`. */
  private appliedThrough = 0;
  /** The log position the saved snapshot covers. */
  private savedThrough = 0;
  private work: Promise<void>;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(db: IDBPDatabase<SearchDatabase>, log: (message: string, error: unknown) => void) {
    this.db = db;
    this.log = log;
    // Loading starts at once, so that the first search rarely waits for it.
    this.work = this.load().catch((error: unknown) => this.log('Could not load the search index', error));
  }

  /** Messages were written (and logged): catch up soon. */
  changed(): void {
    this.enqueue(async () => {
      if (await this.catchUp()) this.scheduleSave();
    });
  }

  /** Matching messages, newest first; sees every write that has resolved. */
  async search(query: string, limit: number): Promise<Message[]> {
    let found: Message[] = [];
    await this.enqueue(async () => {
      await this.catchUp();
      const index = await this.loaded();
      const hits = index
        .search(query)
        .sort((a, b) => (b.ts as number) - (a.ts as number) || keyOf(b.id)[1] - keyOf(a.id)[1])
        .slice(0, limit);
      const tx = this.db.transaction('messages');
      const messages = await Promise.all(hits.map((hit) => tx.store.get(keyOf(hit.id))));
      found = messages.filter((message): message is Message => message !== undefined);
    });
    return found;
  }

  /** Waits for index work in progress; a pending save is left to the log. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.saveTimer);
    await this.work;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.work.then(async () => {
      if (!this.closed) await step();
    });
    this.work = run.catch((error: unknown) => this.log('Search index work failed', error));
    return run;
  }

  private async loaded(): Promise<MiniSearch<IndexedMessage>> {
    if (!this.index) await this.load();
    return this.index!;
  }

  private async load(): Promise<void> {
    const snapshot = await this.db.get('search_snapshot', SNAPSHOT_KEY);
    if (snapshot) {
      this.index = await MiniSearch.loadJSONAsync(snapshot.index, INDEX_OPTIONS);
      this.appliedThrough = this.savedThrough = snapshot.through;
      await this.catchUp();
      return;
    }
    // No snapshot: index every stored message. Reading the messages and the
    // log's end in one transaction makes the log past that end exactly the
    // writes the index has not seen.
    const tx = this.db.transaction(['messages', 'search_log']);
    const [messages, lastLogged] = await Promise.all([
      tx.objectStore('messages').getAll(),
      tx.objectStore('search_log').openCursor(null, 'prev'),
    ]);
    const index = new MiniSearch(INDEX_OPTIONS);
    index.addAll(messages.map((m) => ({ id: documentId(m.conv, m.seq), body: m.body, ts: m.ts })));
    this.index = index;
    this.appliedThrough = lastLogged?.key ?? 0;
    this.savedThrough = -1;
    await this.catchUp();
    await this.save();
  }

  /** Applies the log past `appliedThrough`; says whether there was any. */
  private async catchUp(): Promise<boolean> {
    const index = this.index;
    if (!index) return false;
    const tx = this.db.transaction(['search_log', 'messages']);
    const entries = await tx
      .objectStore('search_log')
      .getAll(IDBKeyRange.lowerBound(this.appliedThrough, true));
    if (entries.length === 0) return false;
    const messages = await Promise.all(entries.map((entry) => tx.objectStore('messages').get([entry.conv, entry.seq])));
    entries.forEach((entry, i) => {
      const id = documentId(entry.conv, entry.seq);
      const message = messages[i];
      if (index.has(id)) index.discard(id);
      if (message) index.add({ id, body: message.body, ts: message.ts });
    });
    this.appliedThrough = entries.at(-1)!.position!;
    return true;
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.enqueue(() => this.save());
    }, SAVE_DELAY_MS);
  }

  /** Writes the snapshot and drops the log it covers, in one transaction. */
  private async save(): Promise<void> {
    if (!this.index || this.appliedThrough === this.savedThrough) return;
    const through = this.appliedThrough;
    const json = JSON.stringify(this.index);
    const tx = this.db.transaction(['search_snapshot', 'search_log'], 'readwrite');
    await Promise.all([
      tx.objectStore('search_snapshot').put({ index: json, through }, SNAPSHOT_KEY),
      tx.objectStore('search_log').delete(IDBKeyRange.upperBound(through)),
      tx.done,
    ]);
    this.savedThrough = through;
  }
}
