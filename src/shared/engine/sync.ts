// Getting the relay's messages into the store, complete and in order
// (docs/protocol.md, "Session start"; docs/engine.md, "Session start, cursors and
// gaps").
//
// Each conversation has a cursor: every message from the oldest stored one up
// to it is stored. `hello` sends the cursors; the relay answers with what lies
// above them. A conversation without a cursor gets its newest messages, and
// the first batch sets its cursor just below them (older ones are history,
// fetched on demand). Every message the relay sends (batch, msg, history)
// goes through ingest(), and an ack's message, which the outbox has already
// stored with its job, through acknowledged():
//
// 1. It is written to the store before anything else, through the outbox
//    (Outbox.storeRelayMessages), which settles the user's own messages' jobs
//    in the same transaction.
// 2. The cursor moves up over every message that is now contiguous with it;
//    a message beyond a missing seq waits, stored but not shown, and a
//    `history` request asks for the missing range.
// 3. The conversation record (cursor included) is written only then, so a
//    cursor never covers a message that is not stored.
// 4. The UI gets the messages at or below the cursor, in seq order: a
//    conversation is shown in order once its gap is filled, never with a hole.
//
// Changes to messages (MSG.kind set: edit, delete, react) move the cursor
// like any message; the store folds them into their targets instead of
// storing them (store/fold-changes.ts), and the targets are shown again. They
// never count as unread and never move the conversation up the list
// (docs/engine.md, "Changes to messages"), so that an edit or a reaction
// never appears as a new message.
//
// When the connection drops, waiting messages are simply forgotten: they are
// stored, and the next `hello` cursor makes the relay send them again. For the
// same reason at most MAX_WAITING_PER_CONVERSATION wait in memory: the newest
// beyond that are forgotten, and come again as the next gap (the first message
// after them is beyond the cursor) or with the next `hello`.
import type { DuplexEvent } from '../api.ts';
import { type BatchFrame, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, type HistoryResultFrame, type Message } from '../protocol/index.ts';
import type { ClientStore, StoredConversation } from '../store/client-store.ts';
import type { Conversations } from './conversations.ts';
import type { Logger } from './log.ts';
import type { Requests } from './requests.ts';
import { storedChatMessage } from './views.ts';

/** Messages kept in memory above a gap, per conversation. */
export const MAX_WAITING_PER_CONVERSATION = 1_000;

export interface MessageSyncOptions {
  store: ClientStore;
  conversations: Conversations;
  requests: Requests;
  me: string;
  emit(event: DuplexEvent): void;
  /** Writes messages from the relay to the store (the outbox's
   * storeRelayMessages, which settles the user's own). */
  write(messages: readonly Message[]): Promise<void>;
  /** Messages from others were stored in this conversation. */
  incomingStored(conv: string): void;
  /** These changes were folded into their targets and are now covered by
   * the cursor: show the targets again. */
  changesStored(conv: string, changes: Message[]): Promise<void>;
  log: Logger;
}

export class MessageSync {
  private readonly options: MessageSyncOptions;
  /** Conversations whose cursor went out in this connection's `hello`. */
  private cursorsSent = new Set<string>();
  /** conv → seq → message stored above the cursor, waiting for a gap. */
  private readonly waiting = new Map<string, Map<number, Message>>();
  private readonly gapFills = new Set<string>();
  private readonly olderLoads = new Map<string, Promise<number>>();
  /** conv → the lowest seq received, changes included: they are not stored,
   * so the oldest stored seq alone could ask for the same page of them again. */
  private readonly lowestReceived = new Map<string, number>();

  constructor(options: MessageSyncOptions) {
    this.options = options;
  }

  /** The cursors for `hello`: one for every conversation the device holds,
   * so that it gets every message after its cursor, however many (see
   * docs/engine.md, "A device that held a conversation"). Cursor 0 counts as
   * held when the conversation was empty as the device learned of it
   * (nothing older exists): it gets everything from seq 1. The exception is
   * a conversation that had messages when the device learned of it and of
   * which nothing is stored (a `welcome` whose session start broke off
   * before its `batch`): it goes without a cursor and gets its newest
   * messages like any conversation new to this device, not its whole
   * history from seq 1. */
  async helloCursors(): Promise<Record<string, number>> {
    const cursors: Record<string, number> = {};
    for (const conversation of [...this.options.conversations.all()]) {
      if (await this.neverHeld(conversation)) continue;
      cursors[conversation.id] = conversation.cursor;
    }
    this.cursorsSent = new Set(Object.keys(cursors));
    return cursors;
  }

  private async neverHeld(conversation: StoredConversation): Promise<boolean> {
    return (
      conversation.cursor === 0 && conversation.hasMoreHistory && (await this.options.store.oldestSeq(conversation.id)) === null
    );
  }

  async batch(frame: BatchFrame): Promise<void> {
    const first = frame.msgs[0];
    const conversation = this.options.conversations.get(frame.conv);
    if (first && conversation && !this.cursorsSent.has(frame.conv)) {
      // The newest messages of a conversation new to this device: they start
      // its cursor, and `more` says whether older ones exist.
      conversation.cursor = Math.max(conversation.cursor, first.seq - 1);
      conversation.hasMoreHistory = frame.more;
      this.cursorsSent.add(frame.conv);
    }
    await this.ingest(frame.conv, frame.msgs);
  }

  /** A `msg`. */
  live(message: Message): Promise<void> {
    return this.ingest(message.conv, [message]);
  }

  /** The user's own messages the relay acknowledged (already stored): each
   * conversation's cursor moves once over its share. */
  async acknowledged(messages: readonly Message[]): Promise<void> {
    const byConv = new Map<string, Message[]>();
    for (const message of messages) {
      const ofConv = byConv.get(message.conv);
      if (ofConv) ofConv.push(message);
      else byConv.set(message.conv, [message]);
    }
    for (const [conv, ofConv] of byConv) {
      const conversation = this.known(conv, ofConv.length);
      if (conversation) await this.advance(conversation, ofConv);
    }
  }

  history(frame: HistoryResultFrame): Promise<void> {
    return this.ingest(frame.conv, frame.msgs);
  }

  /** Asks the relay for the page of messages below the oldest stored one;
   * resolves with how many arrived (they are also emitted). */
  loadOlder(conv: string): Promise<number> {
    let load = this.olderLoads.get(conv);
    if (!load) {
      load = this.fetchOlder(conv).finally(() => this.olderLoads.delete(conv));
      this.olderLoads.set(conv, load);
    }
    return load;
  }

  connectionLost(): void {
    this.waiting.clear();
    this.cursorsSent.clear();
  }

  forget(conv: string): void {
    this.waiting.delete(conv);
    this.lowestReceived.delete(conv);
  }

  private async fetchOlder(conv: string): Promise<number> {
    this.options.conversations.require(conv);
    const oldest = Math.min((await this.options.store.oldestSeq(conv)) ?? Infinity, this.lowestReceived.get(conv) ?? Infinity);
    const request = { t: 'history', conv, limit: HISTORY_DEFAULT_LIMIT } as const;
    const answer = await this.options.requests.request(oldest === Infinity ? request : { ...request, before: oldest }, 'history');
    // The answer has been ingested by now (frames are handled before the
    // request they answer is settled).
    const conversation = this.options.conversations.get(conv);
    if (conversation) {
      conversation.hasMoreHistory = answer.more;
      await this.options.conversations.save(conversation);
      this.options.conversations.changed(conv);
    }
    return answer.msgs.length;
  }

  private async ingest(conv: string, messages: readonly Message[]): Promise<void> {
    const conversation = this.known(conv, messages.length);
    if (!conversation || messages.length === 0) return;
    await this.options.write(messages);
    const lowest = Math.min(...messages.map((m) => m.seq), this.lowestReceived.get(conv) ?? Infinity);
    this.lowestReceived.set(conv, lowest);
    await this.advance(conversation, messages);
  }

  private known(conv: string, count: number): StoredConversation | undefined {
    const conversation = this.options.conversations.get(conv);
    if (!conversation) this.options.log('warn', `Dropped ${count} message(s) for unknown conversation ${conv}`);
    return conversation;
  }

  /** Stored messages: moves the cursor over them and shows what it covers. */
  private async advance(conversation: StoredConversation, messages: readonly Message[]): Promise<void> {
    const conv = conversation.id;
    const incoming = messages.some((m) => m.from !== this.options.me && isOrdinary(m));

    // Synchronous from here to the save below: the cursor only moves over
    // messages already stored, and nothing else can move it meanwhile.
    const waiting = this.waiting.get(conv) ?? new Map<number, Message>();
    const shown: Message[] = [];
    for (const message of messages) {
      if (message.seq <= conversation.cursor) shown.push(message);
      else waiting.set(message.seq, message);
      conversation.lastSeq = Math.max(conversation.lastSeq, message.seq);
      if (isOrdinary(message)) conversation.lastActivity = Math.max(conversation.lastActivity, message.ts);
    }
    for (let next = waiting.get(conversation.cursor + 1); next; next = waiting.get(conversation.cursor + 1)) {
      waiting.delete(next.seq);
      shown.push(next);
      conversation.cursor = next.seq;
    }
    if (waiting.size > MAX_WAITING_PER_CONVERSATION) forgetNewest(waiting, MAX_WAITING_PER_CONVERSATION);
    if (waiting.size > 0) this.waiting.set(conv, waiting);
    else this.waiting.delete(conv);
    await this.options.conversations.save(conversation);

    const shownOrdinary = shown.filter(isOrdinary);
    if (shownOrdinary.length > 0) {
      shownOrdinary.sort((a, b) => a.seq - b.seq);
      this.options.emit({
        type: 'messages',
        conv,
        messages: shownOrdinary.map((m) => storedChatMessage(m, conversation, this.options.me)),
      });
    }
    const changes = shown.filter((m) => !isOrdinary(m)).sort((a, b) => a.seq - b.seq);
    if (changes.length > 0) await this.options.changesStored(conv, changes);
    this.options.conversations.changed(conv);
    if (incoming) this.options.incomingStored(conv);
    // Not awaited: the answer arrives as a frame that is handled after this one.
    if (waiting.size > 0) void this.fillGap(conv);
  }

  /** Requests the missing messages below the lowest waiting one until the
   * gap is closed. A failure is left to the next `hello`, whose cursor
   * covers the gap. */
  private async fillGap(conv: string): Promise<void> {
    if (this.gapFills.has(conv)) return;
    this.gapFills.add(conv);
    try {
      let previousMissing = Infinity;
      for (;;) {
        const conversation = this.options.conversations.get(conv);
        const waiting = this.waiting.get(conv);
        if (!conversation || !waiting) return;
        const lowestWaiting = Math.min(...waiting.keys());
        const missing = lowestWaiting - conversation.cursor - 1;
        if (missing >= previousMissing) {
          this.options.log('warn', `The relay did not fill the gap below ${lowestWaiting} in ${conv}; the next sync will`);
          return;
        }
        previousMissing = missing;
        // The answer is ingested (as a frame) before this request resolves.
        await this.options.requests.request(
          { t: 'history', conv, before: lowestWaiting, limit: Math.min(missing, HISTORY_MAX_LIMIT) },
          'history',
        );
      }
    } catch (error) {
      this.options.log('info', `Gap in ${conv} left to the next sync`, error);
    } finally {
      this.gapFills.delete(conv);
    }
  }
}

/** Keeps the `keep` lowest seqs of a conversation's waiting messages: those
 * next to the gap, which its filling shows first. */
function forgetNewest(waiting: Map<number, Message>, keep: number): void {
  const newestFirst = [...waiting.keys()].sort((a, b) => b - a);
  for (const seq of newestFirst.slice(0, newestFirst.length - keep)) waiting.delete(seq);
}

/** Not a change to another message (see the top of this file). */
function isOrdinary(message: Message): boolean {
  return message.kind === undefined;
}
