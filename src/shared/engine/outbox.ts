// The outbox (docs/engine.md, "The outbox"): what the user does is
// written to the store first as a typed job (store/client-store.ts, OutboxJob:
// `send` so far), shown at once as `queued`, and sent once the session is
// `synced`, in the order written, with its cid. Whatever was sent but not
// answered when a connection ends is simply sent again after the next
// `synced`: the relay deduplicates on (sender, cid), so resending is always
// safe.
//
// Each job's lifecycle is the outbox's alone: the relay's answer comes here
// (the session routes `ack` and `nack` to it), and the outbox settles the job
// in one store transaction with the message the relay stored
// (ClientStore.settleOutboxJobs). A message of the user's own that arrives in
// a `batch` or `msg` instead (its ack was lost with the connection) settles
// its job the same way, since MessageSync writes relay messages through
// storeRelayMessages() below.
//
// Order within a conversation is kept strictly: each conversation has at most
// one job on the wire, and the next goes when it is answered. Pipelining
// within a conversation would be faster, but the relay's send limit is a
// token bucket that refills continuously, so after one message is refused
// with `rate_limited` a later one already on the wire could be accepted, and
// the conversation would get them out of order. Conversations do not order
// against each other, so their jobs go out side by side.
//
// `rate_limited` and `unavailable` (the relay could not store it: database
// busy, disk full) are not final: the whole outbox pauses (the limit is per
// user, and a relay that cannot store one job cannot store the next), 1 s and
// doubling while it keeps happening, then goes on in order with the refused
// job. Any other nack is final: the job becomes `failed`, and the user may
// retry it (to the back of its conversation's queue) or delete it.
import { monotonicFactory } from 'ulid';
import type { ChatMessage, DuplexEvent } from '../api.ts';
import type { AckFrame, Message, NackCode, NackFrame, SendFrame } from '../protocol/index.ts';
import type { ClientStore, OutboxJob, SendJob } from '../store/client-store.ts';
import { type BackoffPolicy, backoffCap } from './backoff.ts';
import { outgoingChatMessage } from './views.ts';

/** Nack codes after which the same message is sent again later. */
const RETRIED_LATER: ReadonlySet<NackCode> = new Set(['rate_limited', 'unavailable']);

/** ULIDs that stay in order within one millisecond too. */
const newCid = monotonicFactory();

export interface OutboxOptions {
  store: ClientStore;
  me: string;
  /** Sends a job's frame; false when there is no open socket. */
  send(frame: SendFrame): boolean;
  /** True while the session is `synced`. */
  isOnline(): boolean;
  emit(event: DuplexEvent): void;
  /** A job of this conversation changed: its summary (last
   * message, status) needs redrawing. */
  changed(conv: string): void;
  sendRetryBackoff: BackoffPolicy;
}

export class Outbox {
  private readonly options: OutboxOptions;
  /** Queued jobs per conversation, each in sending order (a Map keeps
   * insertion order). */
  private readonly queues = new Map<string, Map<string, OutboxJob>>();
  /** conversation → the cid of its one job awaiting an answer. */
  private readonly inFlight = new Map<string, string>();
  /** Set while the outbox pauses after a `rate_limited` or `unavailable` nack. */
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Such pauses in a row without an ack in between. */
  private retryStreak = 0;

  constructor(options: OutboxOptions) {
    this.options = options;
  }

  /** Picks up the queued jobs a previous run left in the store. */
  async load(): Promise<void> {
    for (const job of await this.options.store.listOutbox()) {
      if (job.state === 'queued') this.enqueue(job);
    }
  }

  /** Writes a new message as a `send` job, shows it (the one local echo),
   * and sends it when the session allows. */
  async send(conv: string, body: string, replyTo?: number): Promise<ChatMessage> {
    const job: SendJob = { kind: 'send', cid: newCid(), conv, body, createdAt: Date.now(), state: 'queued' };
    if (replyTo !== undefined) job.replyTo = replyTo;
    await this.options.store.addToOutbox(job);
    this.enqueue(job);
    const message = outgoingChatMessage(job, this.options.me);
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

  /** The relay took a job: it is settled with the message the relay stored,
   * in one store transaction. */
  async acknowledged(frame: AckFrame): Promise<void> {
    await this.options.store.settleOutboxJobs([frame.cid], [frame.msg]);
    this.settled([frame.cid]);
  }

  /** Writes messages from the relay (a `batch`, `msg` or `history`): the
   * user's own among them settle their jobs in the same transaction, since
   * their acks may have been lost with a connection. */
  async storeRelayMessages(messages: readonly Message[]): Promise<void> {
    const own = messages.filter((m) => m.from === this.options.me).map((m) => m.cid);
    if (own.length === 0) {
      await this.options.store.putMessages(messages);
      return;
    }
    await this.options.store.settleOutboxJobs(own, messages);
    this.settled(own);
  }

  async nacked(frame: NackFrame): Promise<void> {
    const job = this.find(frame.cid);
    if (!job) return;
    if (this.inFlight.get(job.conv) === job.cid) this.inFlight.delete(job.conv);
    if (RETRIED_LATER.has(frame.code)) {
      this.pauseBeforeRetry();
      return;
    }
    this.dequeue(job);
    await this.replace({ ...job, state: 'failed', error: frame.message });
    this.pump();
  }

  /** Puts a failed job of this conversation back in its queue. */
  async retry(conv: string, cid: string): Promise<void> {
    const job = await this.options.store.getOutboxJob(cid);
    if (job?.state !== 'failed' || job.conv !== conv) return;
    const { error: _error, ...rest } = job;
    const queued: OutboxJob = { ...rest, state: 'queued' };
    await this.replace(queued);
    this.enqueue(queued);
    this.pump();
  }

  /** Deletes a job of this conversation the relay has not taken. One already
   * on the wire cannot be called back, so deleting it is refused. */
  async remove(conv: string, cid: string): Promise<void> {
    const queued = this.find(cid);
    if (queued && queued.conv !== conv) return;
    if (queued && this.inFlight.get(conv) === cid) {
      throw new Error('This message is being sent and can no longer be deleted');
    }
    // Out of the queue before any await, so that it cannot be sent meanwhile.
    if (queued) this.dequeue(queued);
    const job = queued ?? (await this.options.store.getOutboxJob(cid));
    if (job?.conv !== conv) return;
    await this.options.store.removeFromOutbox(cid);
    this.options.emit({ type: 'message-removed', conv, cid });
    this.options.changed(conv);
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

  /** Sends the first queued job of every conversation that has nothing on
   * the wire. */
  private pump(): void {
    if (!this.options.isOnline() || this.retryTimer) return;
    for (const [conv, queue] of this.queues) {
      if (this.inFlight.has(conv)) continue;
      const next = queue.values().next().value;
      if (!next) continue;
      if (!this.options.send(frameOf(next))) return;
      this.inFlight.set(conv, next.cid);
    }
  }

  /** These jobs are done (their messages stored): the next of each
   * conversation may go. */
  private settled(cids: readonly string[]): void {
    let any = false;
    for (const cid of cids) {
      const job = this.find(cid);
      if (!job) continue;
      any = true;
      this.dequeue(job);
      if (this.inFlight.get(job.conv) === cid) this.inFlight.delete(job.conv);
    }
    if (!any) return;
    this.retryStreak = 0;
    this.pump();
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

  private enqueue(job: OutboxJob): void {
    let queue = this.queues.get(job.conv);
    if (!queue) this.queues.set(job.conv, (queue = new Map()));
    queue.set(job.cid, job);
  }

  private dequeue(job: OutboxJob): void {
    const queue = this.queues.get(job.conv);
    queue?.delete(job.cid);
    if (queue?.size === 0) this.queues.delete(job.conv);
  }

  private find(cid: string): OutboxJob | undefined {
    for (const queue of this.queues.values()) {
      const job = queue.get(cid);
      if (job) return job;
    }
    return undefined;
  }

  private async replace(job: OutboxJob): Promise<void> {
    await this.options.store.updateOutboxJob(job);
    this.options.emit({ type: 'messages', conv: job.conv, messages: [outgoingChatMessage(job, this.options.me)] });
    this.options.changed(job.conv);
  }
}

/** The frame that asks the relay to do a job. */
function frameOf(job: OutboxJob): SendFrame {
  const frame: SendFrame = { t: 'send', cid: job.cid, conv: job.conv, body: job.body };
  if (job.replyTo !== undefined) frame.replyTo = job.replyTo;
  return frame;
}
