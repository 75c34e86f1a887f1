// The outbox (DESIGN.md, "The outbox"): a message is written to the store
// first, shown at once as `queued`, and sent once the session is `synced`, in
// the order written, with its cid. Whatever was sent but not acknowledged when
// a connection ends is simply sent again after the next `synced`: the relay
// deduplicates on (sender, cid), so resending is always safe.
//
// Order within a conversation is kept strictly: each conversation has at most
// one send on the wire, and the next goes when it is acknowledged. Pipelining
// within a conversation would be faster, but the relay's send limit is a
// token bucket that refills continuously, so after one message is refused
// with `rate_limited` a later one already on the wire could be accepted, and
// the conversation would get them out of order. Conversations do not order
// against each other, so their sends go out side by side.
//
// A stored message leaves the outbox in the same store transaction that
// stores it (ClientStore.putMessages), from whichever frame brings it: its
// `ack`, or a `batch` when the ack was lost.
//
// `rate_limited` and `unavailable` (the relay could not store it: database
// busy, disk full) are not final: the whole outbox pauses (the limit is per
// user, and a relay that cannot store one message cannot store the next),
// 1 s and doubling while it keeps happening, then goes on in order with the
// refused message. Any other nack is final: the message becomes `failed`,
// and the user may retry it (to the back of its conversation's queue) or
// delete it.
import { monotonicFactory } from 'ulid';
import type { ChatMessage, DuplexEvent } from '../api.ts';
import type { Message, NackCode, NackFrame, SendFrame } from '../protocol/index.ts';
import type { ClientStore, OutboxEntry } from '../store/client-store.ts';
import { type BackoffPolicy, backoffCap } from './backoff.ts';
import { outgoingChatMessage } from './views.ts';

/** Nack codes after which the same message is sent again later. */
const RETRIED_LATER: ReadonlySet<NackCode> = new Set(['rate_limited', 'unavailable']);

/** ULIDs that stay in order within one millisecond too. */
const newCid = monotonicFactory();

export interface OutboxOptions {
  store: ClientStore;
  me: string;
  /** Sends a frame; false when there is no open socket. */
  send(frame: SendFrame): boolean;
  /** True while the session is `synced`. */
  isOnline(): boolean;
  emit(event: DuplexEvent): void;
  /** An outgoing message of this conversation changed: its summary (last
   * message, status) needs redrawing. */
  changed(conv: string): void;
  sendRetryBackoff: BackoffPolicy;
}

export class Outbox {
  private readonly options: OutboxOptions;
  /** Queued entries per conversation, each in sending order (a Map keeps
   * insertion order). */
  private readonly queues = new Map<string, Map<string, OutboxEntry>>();
  /** conversation → the cid of its one send awaiting an answer. */
  private readonly inFlight = new Map<string, string>();
  /** Set while the outbox pauses after a `rate_limited` or `unavailable` nack. */
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Such pauses in a row without an ack in between. */
  private retryStreak = 0;

  constructor(options: OutboxOptions) {
    this.options = options;
  }

  /** Picks up the queued entries a previous run left in the store. */
  async load(): Promise<void> {
    for (const entry of await this.options.store.listOutbox()) {
      if (entry.state === 'queued') this.enqueue(entry);
    }
  }

  /** Writes a new message, shows it, and sends it when the session allows. */
  async add(conv: string, body: string, replyTo?: number): Promise<ChatMessage> {
    const entry: OutboxEntry = { cid: newCid(), conv, body, createdAt: Date.now(), state: 'queued' };
    if (replyTo !== undefined) entry.replyTo = replyTo;
    await this.options.store.addToOutbox(entry);
    this.enqueue(entry);
    const message = outgoingChatMessage(entry, this.options.me);
    this.options.emit({ type: 'messages', conv, messages: [message] });
    this.pump();
    return message;
  }

  /** The session is `synced`: send what is queued. */
  flush(): void {
    this.pump();
  }

  /** The connection is gone: whatever was in flight goes again next time. */
  connectionLost(): void {
    this.inFlight.clear();
  }

  /** The user's own messages, stored by the relay (and so no longer in the
   * store's outbox). */
  settled(messages: readonly Pick<Message, 'conv' | 'cid'>[]): void {
    let any = false;
    for (const { conv, cid } of messages) {
      const queue = this.queues.get(conv);
      if (!queue?.delete(cid)) continue;
      any = true;
      if (queue.size === 0) this.queues.delete(conv);
      if (this.inFlight.get(conv) === cid) this.inFlight.delete(conv);
    }
    if (!any) return;
    this.retryStreak = 0;
    this.pump();
  }

  async nacked(frame: NackFrame): Promise<void> {
    const entry = this.find(frame.cid);
    if (!entry) return;
    if (this.inFlight.get(entry.conv) === entry.cid) this.inFlight.delete(entry.conv);
    if (RETRIED_LATER.has(frame.code)) {
      this.pauseBeforeRetry();
      return;
    }
    this.dequeue(entry);
    await this.replace({ ...entry, state: 'failed', error: frame.message });
    this.pump();
  }

  /** Puts a failed message back in the queue. */
  async retry(cid: string): Promise<void> {
    const entry = await this.options.store.getOutboxEntry(cid);
    if (entry?.state !== 'failed') return;
    const { error: _error, ...rest } = entry;
    const queued: OutboxEntry = { ...rest, state: 'queued' };
    await this.replace(queued);
    this.enqueue(queued);
    this.pump();
  }

  /** Deletes a message the relay has not stored. One already on the wire
   * cannot be called back, so deleting it is refused. */
  async remove(cid: string): Promise<void> {
    const queued = this.find(cid);
    if (queued && this.inFlight.get(queued.conv) === cid) {
      throw new Error('This message is being sent and can no longer be deleted');
    }
    // Out of the queue before any await, so that it cannot be sent meanwhile.
    if (queued) this.dequeue(queued);
    const entry = queued ?? (await this.options.store.getOutboxEntry(cid));
    if (!entry) return;
    await this.options.store.removeFromOutbox(cid);
    this.options.emit({ type: 'message-removed', conv: entry.conv, cid });
    this.options.changed(entry.conv);
  }

  /** A conversation was deleted with its outbox entries. */
  forgetConversation(conv: string): void {
    this.queues.delete(conv);
    this.inFlight.delete(conv);
  }

  /** Stops the retry timer: the session is closing. */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Sends the first queued message of every conversation that has nothing
   * on the wire. */
  private pump(): void {
    if (!this.options.isOnline() || this.retryTimer) return;
    for (const [conv, queue] of this.queues) {
      if (this.inFlight.has(conv)) continue;
      const next = queue.values().next().value;
      if (!next) continue;
      const frame: SendFrame = { t: 'send', cid: next.cid, conv, body: next.body };
      if (next.replyTo !== undefined) frame.replyTo = next.replyTo;
      if (!this.options.send(frame)) return;
      this.inFlight.set(conv, next.cid);
    }
  }

  private pauseBeforeRetry(): void {
    // Refusals of sends that were on the wire together make one pause.
    if (this.retryTimer) return;
    this.retryStreak++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, backoffCap(this.retryStreak, this.options.sendRetryBackoff));
  }

  private enqueue(entry: OutboxEntry): void {
    let queue = this.queues.get(entry.conv);
    if (!queue) this.queues.set(entry.conv, (queue = new Map()));
    queue.set(entry.cid, entry);
  }

  private dequeue(entry: OutboxEntry): void {
    const queue = this.queues.get(entry.conv);
    queue?.delete(entry.cid);
    if (queue?.size === 0) this.queues.delete(entry.conv);
  }

  private find(cid: string): OutboxEntry | undefined {
    for (const queue of this.queues.values()) {
      const entry = queue.get(cid);
      if (entry) return entry;
    }
    return undefined;
  }

  private async replace(entry: OutboxEntry): Promise<void> {
    await this.options.store.updateOutboxEntry(entry);
    this.options.emit({ type: 'messages', conv: entry.conv, messages: [outgoingChatMessage(entry, this.options.me)] });
    this.options.changed(entry.conv);
  }
}
