// The user's conversations: held in memory (a record per conversation, never
// per message) and written through to the store. Every change to a record is
// made synchronously on the one in-memory copy, so work running side by side
// (a frame being handled while the user types a draft) never loses the
// other's update; a save writes the record as it is at that moment.
//
// UI updates are coalesced: changed() marks a conversation, and its summary
// (a few store reads, one of them counting the unread messages) is emitted
// at most every SUMMARY_DELAY_MS however many messages or receipts touched it
// in between; catching up on a long backlog would otherwise recount it per
// batch.
import type { ConversationSummary, DuplexEvent, ReactionPreview } from '../api.ts';
import { type ChatState, type Conversation, DEFAULT_CHAT_STATE, type ReceiptWatermarks, type User } from '../protocol/index.ts';
import type { ClientStore, StoredConversation } from '../store/client-store.ts';
import type { Logger } from './log.ts';
import { summarizeConversation } from './views.ts';

const SUMMARY_DELAY_MS = 50;

export class Conversations {
  private readonly store: ClientStore;
  private readonly me: string;
  private readonly emit: (event: DuplexEvent) => void;
  private readonly log: Logger;
  private readonly byId = new Map<string, StoredConversation>();
  /** conv → the newest reaction given in this run (for the list's preview). */
  private readonly reactions = new Map<string, ReactionPreview>();
  private readonly changedIds = new Set<string>();
  private emitTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(store: ClientStore, me: string, emit: (event: DuplexEvent) => void, log: Logger) {
    this.store = store;
    this.me = me;
    this.emit = emit;
    this.log = log;
  }

  async load(): Promise<void> {
    for (const conversation of await this.store.listConversations()) this.byId.set(conversation.id, conversation);
  }

  get(id: string): StoredConversation | undefined {
    return this.byId.get(id);
  }

  /** The conversation, or an error fit for the UI when it is unknown. */
  require(id: string): StoredConversation {
    const conversation = this.byId.get(id);
    if (!conversation) throw new Error(`No such conversation: ${id}`);
    return conversation;
  }

  all(): IterableIterator<StoredConversation> {
    return this.byId.values();
  }

  save(conversation: StoredConversation): Promise<void> {
    return this.store.putConversation(conversation);
  }

  /** Merges the relay's view of a conversation into the local record (not
   * saved yet). A new record starts with nothing held: cursor 0. */
  merge(incoming: Conversation): { conversation: StoredConversation; isNew: boolean } {
    const { mine, partial: _partial, ...relayView } = incoming;
    const known = this.byId.get(incoming.id);
    if (!known) {
      const conversation: StoredConversation = {
        ...relayView,
        chatState: mine ?? DEFAULT_CHAT_STATE,
        pendingChatState: null,
        cursor: 0,
        readUpTo: incoming.receipts[this.me]?.read ?? 0,
        hasMoreHistory: incoming.lastSeq > 0,
        draft: '',
        lastActivity: incoming.createdAt,
      };
      this.byId.set(conversation.id, conversation);
      return { conversation, isNew: true };
    }
    known.kind = incoming.kind;
    known.title = incoming.title;
    known.members = incoming.members;
    if (incoming.photo === undefined) delete known.photo;
    else known.photo = incoming.photo;
    known.createdAt = incoming.createdAt;
    known.lastSeq = Math.max(known.lastSeq, incoming.lastSeq);
    known.receipts = mergeReceipts(known.receipts, incoming.receipts);
    known.readUpTo = Math.max(known.readUpTo, known.receipts[this.me]?.read ?? 0);
    if (mine) this.takeChatState(known, mine);
    return { conversation: known, isNew: false };
  }

  /** The relay's word on the user's chat state (a CONV's `mine`, or a
   * `chatstate` frame); changes made here and not confirmed yet stay on top. */
  takeChatState(conversation: StoredConversation, relayState: ChatState): void {
    conversation.chatState = { ...relayState, ...conversation.pendingChatState };
  }

  /** A user's profile changed (a `user` frame): every conversation they are in shows it. */
  async userChanged(user: User): Promise<void> {
    for (const conversation of this.byId.values()) {
      const index = conversation.members.findIndex((member) => member.id === user.id);
      if (index < 0) continue;
      conversation.members = conversation.members.with(index, user);
      await this.save(conversation);
      this.changed(conversation.id);
    }
  }

  /** Raises one member's watermarks (they only ever move forward). */
  raiseReceipt(conversation: StoredConversation, user: string, update: ReceiptWatermarks): void {
    conversation.receipts = mergeReceipts(conversation.receipts, { [user]: update }, true);
    if (user === this.me) conversation.readUpTo = Math.max(conversation.readUpTo, update.read);
  }

  /** Deletes a conversation with its messages and outbox entries. */
  async remove(id: string): Promise<void> {
    if (!this.byId.delete(id)) return;
    this.changedIds.delete(id);
    await this.store.deleteConversation(id);
    this.emit({ type: 'conversation-removed', id });
  }

  /** The conversation's summary needs to reach the UI (soon, coalesced). */
  changed(id: string): void {
    this.changedIds.add(id);
    this.emitTimer ??= setTimeout(() => void this.emitChanged(), SUMMARY_DELAY_MS);
  }

  summary(id: string): Promise<ConversationSummary> {
    return summarizeConversation(this.require(id), this.store, this.me, this.reactions.get(id));
  }

  /** A reaction was given in this conversation: the list shows it until a
   * message comes after it (views.ts). Kept in memory only. */
  reacted(id: string, preview: ReactionPreview): void {
    if ((this.reactions.get(id)?.seq ?? 0) >= preview.seq) return;
    this.reactions.set(id, preview);
    this.changed(id);
  }

  /** Every conversation's summary, most recent activity first. */
  async list(): Promise<ConversationSummary[]> {
    const summaries = await Promise.all(
      [...this.byId.values()].map((c) => summarizeConversation(c, this.store, this.me, this.reactions.get(c.id))),
    );
    return summaries.sort((a, b) => b.lastActivity - a.lastActivity);
  }

  /** Stops emitting: the session is closing. */
  close(): void {
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
    this.changedIds.clear();
  }

  private async emitChanged(): Promise<void> {
    this.emitTimer = null;
    const ids = [...this.changedIds];
    this.changedIds.clear();
    for (const id of ids) {
      const conversation = this.byId.get(id);
      if (!conversation) continue;
      try {
        this.emit({ type: 'conversation', conversation: await this.summary(id) });
      } catch (error) {
        this.log('error', `Could not summarise conversation ${id}`, error);
      }
    }
  }
}

/** Watermarks per member, each the higher of the two sides. Members only in
 * `known` are kept when `keepKnown` (a single member's update), dropped
 * otherwise (the relay's full view no longer lists them). */
function mergeReceipts(
  known: Record<string, ReceiptWatermarks>,
  incoming: Record<string, ReceiptWatermarks>,
  keepKnown = false,
): Record<string, ReceiptWatermarks> {
  const merged: Record<string, ReceiptWatermarks> = keepKnown ? { ...known } : {};
  for (const [user, update] of Object.entries(incoming)) {
    const previous = known[user];
    merged[user] = {
      delivered: Math.max(previous?.delivered ?? 0, update.delivered),
      read: Math.max(previous?.read ?? 0, update.read),
    };
  }
  return merged;
}
