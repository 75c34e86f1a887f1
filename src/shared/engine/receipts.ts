// Receipts both ways. Watermarks, not per-message flags (docs/protocol.md).
//
// Outgoing: `delivered` up to the conversation's cursor (everything below it
// is stored here), sent by itself a moment after messages from others are
// stored, so that a burst costs one frame; `read` up to what the UI reports as seen. What the
// relay has confirmed is the user's own entry in the conversation's receipts,
// so whatever is still ahead of it is sent again after every `synced`.
//
// Incoming: a member's watermarks change the status (ticks) of the user's own
// messages; only the messages whose status changed are emitted, a page at a
// time, however long the conversation.
import type { DuplexEvent } from '../api.ts';
import type { ReceiptFrame, ReceiptUpdateFrame, ReceiptWatermarks } from '../protocol/index.ts';
import type { ClientStore, StoredConversation } from '../store/client-store.ts';
import type { Conversations } from './conversations.ts';
import { ownMessageWatermarks, storedChatMessage } from './views.ts';

/** Messages per `messages` event when ticks change in bulk. */
const STATUS_PAGE = 500;

export interface ReceiptsOptions {
  store: ClientStore;
  conversations: Conversations;
  me: string;
  send(frame: ReceiptFrame): boolean;
  isOnline(): boolean;
  emit(event: DuplexEvent): void;
  deliveredDelayMs: number;
}

export class Receipts {
  private readonly options: ReceiptsOptions;
  /** Watermarks already sent on this connection, so that none goes twice
   * while the relay's echo (which raises the confirmed ones) is on its way. */
  private readonly sent = new Map<string, ReceiptWatermarks>();
  private readonly deliveredDue = new Set<string>();
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: ReceiptsOptions) {
    this.options = options;
  }

  /** Messages from others were stored in `conv`: report them delivered
   * (soon, batched). */
  delivered(conv: string): void {
    this.deliveredDue.add(conv);
    this.deliveredTimer ??= setTimeout(() => {
      this.deliveredTimer = null;
      for (const id of this.deliveredDue) this.sendDue(id);
      this.deliveredDue.clear();
    }, this.options.deliveredDelayMs);
  }

  /** The user has seen `conv` up to `seq`. */
  async markRead(conversation: StoredConversation, seq: number): Promise<void> {
    const upTo = Math.min(seq, conversation.lastSeq);
    if (upTo <= conversation.readUpTo) return;
    conversation.readUpTo = upTo;
    await this.options.conversations.save(conversation);
    this.options.conversations.changed(conversation.id);
    this.sendDue(conversation.id);
  }

  /** The session is `synced`: send whatever the relay has not confirmed. */
  synced(): void {
    for (const conversation of this.options.conversations.all()) this.sendDue(conversation.id);
  }

  connectionLost(): void {
    this.sent.clear();
  }

  /** Another member's (or another device's) receipt. */
  async received(frame: ReceiptUpdateFrame): Promise<void> {
    const conversation = this.options.conversations.get(frame.conv);
    if (!conversation) return;
    const before = ownMessageWatermarks(conversation, this.options.me);
    this.options.conversations.raiseReceipt(conversation, frame.user, frame);
    await this.options.conversations.save(conversation);
    this.options.conversations.changed(conversation.id);
    await this.emitStatusChanges(conversation, before);
  }

  /** Emits the user's own messages whose status changed since the
   * conversation's watermarks were `before`. */
  async emitStatusChanges(conversation: StoredConversation, before: ReceiptWatermarks): Promise<void> {
    const after = ownMessageWatermarks(conversation, this.options.me);
    const lows: number[] = [];
    const highs: number[] = [];
    for (const key of ['delivered', 'read'] as const) {
      if (before[key] === after[key]) continue;
      lows.push(Math.min(before[key], after[key]));
      highs.push(Math.max(before[key], after[key]));
    }
    if (lows.length === 0) return;
    // Messages above the cursor wait for a gap to fill and are shown (with
    // their status) when it does.
    const range = { afterSeq: Math.min(...lows), throughSeq: Math.min(Math.max(...highs), conversation.cursor) };
    while (range.afterSeq < range.throughSeq) {
      const page = await this.options.store.getMessagesFrom(conversation.id, this.options.me, range, STATUS_PAGE);
      if (page.length === 0) return;
      this.options.emit({
        type: 'messages',
        conv: conversation.id,
        messages: page.map((m) => storedChatMessage(m, conversation, this.options.me)),
      });
      range.afterSeq = page.at(-1)!.seq;
    }
  }

  close(): void {
    if (this.deliveredTimer) clearTimeout(this.deliveredTimer);
    this.deliveredTimer = null;
  }

  /** Sends, in one frame, whichever watermarks of `conv` are ahead of what
   * the relay confirmed and of what this connection already sent. */
  private sendDue(conv: string): void {
    const conversation = this.options.conversations.get(conv);
    if (!conversation || !this.options.isOnline()) return;
    const confirmed = conversation.receipts[this.options.me] ?? { delivered: 0, read: 0 };
    const sent = this.sent.get(conv) ?? { delivered: 0, read: 0 };
    const frame: ReceiptFrame = { t: 'receipt', conv };
    if (conversation.cursor > Math.max(confirmed.delivered, sent.delivered)) frame.delivered = conversation.cursor;
    if (conversation.readUpTo > Math.max(confirmed.read, sent.read)) frame.read = conversation.readUpTo;
    if (frame.delivered === undefined && frame.read === undefined) return;
    if (!this.options.send(frame)) return;
    this.sent.set(conv, {
      delivered: Math.max(sent.delivered, frame.delivered ?? 0),
      read: Math.max(sent.read, frame.read ?? 0),
    });
  }
}
