// The loaded part of one conversation's messages: a contiguous run that
// always ends at the newest message and grows upwards as the user scrolls.
//
// It is changed in place and counts its changes in `version`, rather than
// being copied per event: a conversation can hold 100,000 messages, and a
// status change or a new message must cost O(log n) (plus a short splice near
// the end), not a copy of the list. Components subscribe to `version`.
import type { ChatMessage, MessagePage } from '../../shared/api.ts';

/** What decides a message's place in its conversation. */
type MessagePosition = Pick<ChatMessage, 'seq' | 'ts' | 'cid'>;

/** Conversation order, as getMessages() returns it: stored messages by seq,
 * then the outbox in the order written. */
function compareMessages(a: MessagePosition, b: MessagePosition): number {
  if (a.seq !== null && b.seq !== null) return a.seq - b.seq;
  if (a.seq !== null) return -1;
  if (b.seq !== null) return 1;
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0;
}

export class MessageWindow {
  version = 0;
  /** False until the first page has arrived. */
  loaded = false;
  /** Older messages are stored locally before the first row. */
  hasMoreLocal = false;

  private readonly rows: ChatMessage[] = [];
  private readonly byCid = new Map<string, ChatMessage>();
  /** Changes that arrived before the first page, replayed after it so that
   * the page (a snapshot from before them) cannot undo them. */
  private backlog: Array<() => void> = [];

  get size(): number {
    return this.rows.length;
  }

  at(index: number): ChatMessage | undefined {
    return this.rows[index];
  }

  indexOfCid(cid: string): number {
    const message = this.byCid.get(cid);
    if (!message) return -1;
    const index = this.lowerBound(message);
    return this.rows[index]?.cid === cid ? index : -1;
  }

  indexOfSeq(seq: number): number {
    const index = this.indexAtOrAfterSeq(seq);
    return this.rows[index]?.seq === seq ? index : -1;
  }

  /** The index of the first row with this seq or a later position (`size`
   * when there is none). */
  indexAtOrAfterSeq(seq: number): number {
    return this.lowerBound({ seq, ts: 0, cid: '' });
  }

  /** The oldest stored seq loaded; stored messages come first. */
  oldestSeq(): number | null {
    return this.rows[0]?.seq ?? null;
  }

  /** The newest stored seq loaded (the outbox, without seqs, comes after). */
  newestSeq(): number | null {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const seq = this.rows[i]!.seq;
      if (seq !== null) return seq;
    }
    return null;
  }

  /** The first page: the newest messages. */
  addFirstPage(page: MessagePage): void {
    this.hasMoreLocal = page.hasMoreLocal;
    for (const message of page.messages) this.insert(message);
    this.loaded = true;
    const backlog = this.backlog;
    this.backlog = [];
    for (const change of backlog) change();
    this.version++;
  }

  /** A page from getMessages({ beforeSeq: oldestSeq() }). Rows already
   * present came from events, which are newer than the page, and are kept. */
  addOlderPage(page: MessagePage): void {
    this.hasMoreLocal = page.hasMoreLocal;
    const fresh = page.messages.filter((m) => !this.byCid.has(m.cid));
    const first = this.rows[0];
    const last = fresh.at(-1);
    if (first && last && compareMessages(last, first) < 0) {
      // The usual case: one block in front, moved once.
      this.rows.unshift(...fresh);
      for (const message of fresh) this.byCid.set(message.cid, message);
    } else {
      for (const message of fresh) this.insert(message);
    }
    this.version++;
  }

  /** Applies a `messages` event. Returns whether anything visible changed. */
  upsert(messages: readonly ChatMessage[]): boolean {
    if (!this.loaded) {
      this.backlog.push(() => this.upsert(messages));
      return false;
    }
    let changed = false;
    for (const message of messages) {
      const previous = this.byCid.get(message.cid);
      if (previous) {
        this.replace(previous, message);
        changed = true;
      } else if (this.isWithinWindow(message)) {
        this.insert(message);
        changed = true;
      }
    }
    if (changed) this.version++;
    return changed;
  }

  remove(cid: string): boolean {
    if (!this.loaded) {
      this.backlog.push(() => this.remove(cid));
      return false;
    }
    const index = this.indexOfCid(cid);
    if (index < 0) return false;
    this.rows.splice(index, 1);
    this.byCid.delete(cid);
    this.version++;
    return true;
  }

  /** A message older than the first row joins only when nothing is stored
   * between them; otherwise it will come with the page that reaches it. */
  private isWithinWindow(message: ChatMessage): boolean {
    const first = this.rows[0];
    return !this.hasMoreLocal || !first || compareMessages(message, first) >= 0;
  }

  private replace(previous: ChatMessage, next: ChatMessage): void {
    const index = this.lowerBound(previous);
    this.byCid.set(next.cid, next);
    const before = this.rows[index - 1];
    const after = this.rows[index + 1];
    const staysInPlace =
      (!before || compareMessages(before, next) < 0) && (!after || compareMessages(next, after) < 0);
    if (staysInPlace) {
      this.rows[index] = next;
    } else {
      // An outbox message that got its seq after others arrived moves.
      this.rows.splice(index, 1);
      this.rows.splice(this.lowerBound(next), 0, next);
    }
  }

  private insert(message: ChatMessage): void {
    this.byCid.set(message.cid, message);
    const last = this.rows.at(-1);
    if (!last || compareMessages(last, message) < 0) {
      this.rows.push(message);
    } else {
      this.rows.splice(this.lowerBound(message), 0, message);
    }
  }

  /** The first index whose row does not sort before `message`. */
  private lowerBound(message: MessagePosition): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareMessages(this.rows[middle]!, message) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
