// The outbox (docs/engine.md, "The outbox"): what the user does is
// written to the store first as a typed job (store/client-store.ts, OutboxJob:
// sends, uploads then sends, and changes to messages), shown at once as
// `queued`, and sent once the session is
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
// Changes to messages (edit, delete, react) are jobs of the same queues
// (docs/engine.md, "Changes in the outbox"): a change goes behind whatever
// was written before it, the message it targets included. A change to a
// message still in the outbox names it by cid, and waits (with the jobs
// after it) until that message is settled, which gives the change its seq
// (in the store, ClientStore.settleOutboxJobs, and here in memory). A change
// whose target is no longer queued without having been stored (refused, or
// deleted unsent) is dropped. A change the relay refuses for good is dropped
// too, and its target is shown again as the relay has it; only sends become
// `failed`.
//
// Order within a conversation is kept strictly, with up to SEND_WINDOW of its
// jobs on the wire at once, sent in order (docs/protocol.md, "Sending several
// at once"): the relay stores one socket's sends in the order they arrive, and
// once it refuses one with `rate_limited` or `unavailable` it refuses every
// later send of that conversation from that socket the same way until the
// refused cid comes again. So nothing is stored past a gap; the outbox drops
// the conversation's window at such a nack (the later jobs' own nacks follow
// and are ignored) and, after the pause, sends again from the refused job, in
// order. Deduplication on (sender, cid) makes any resend safe. Conversations
// do not order against each other, so their windows go side by side.
//
// `rate_limited` and `unavailable` (the relay could not store it: database
// busy, disk full) are not final: the whole outbox pauses (the limit is per
// user, and a relay that cannot store one job cannot store the next), 1 s and
// doubling while it keeps happening, then goes on in order with the refused
// job. Any other nack is final: the job becomes `failed`, and the user may
// retry it (to the back of its conversation's queue) or delete it; the jobs
// after it in the window go on.
//
// An `upload` job (a message with a file) first uploads its bytes (tus, see
// file-transfers.ts) when the session is `synced` and the window reaches it;
// the jobs after it wait meanwhile, so the conversation's messages stay in the
// order written. The upload URL is written into the job as soon as the relay
// makes it, so an upload that broke off (or an app that was quit) resumes
// from the relay's offset; once every byte is there the job keeps the file id,
// its bytes are freed, and it is sent like any message. An upload the relay
// refuses for good (too large, over quota) makes the job `failed`; any other
// failure is tried again after a pause, or at the next `synced`.
import { monotonicFactory } from 'ulid';
import type { ChatMessage, DuplexEvent, FileDraft } from '../api.ts';
import { type AckFrame, type Message, type NackFrame, RETRYABLE_NACK_CODES, type SendFrame, type User } from '../protocol/index.ts';
import {
  type ChangeJob,
  type ClientStore,
  isMessageJob,
  type MessageJob,
  type OutboxJob,
  type SendJob,
  type UploadJob,
} from '../store/client-store.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { FileTransfers, RunningUpload, UploadFailure } from './file-transfers.ts';
import type { Logger } from './log.ts';
import { RetryPause } from './retry-pause.ts';
import { outgoingChatMessage } from './views.ts';

/** Jobs of one conversation on the wire at once: enough to fill the relay's
 * group commits (a flush goes at many messages per commit instead of one),
 * few enough that a refusal wastes little. */
export const SEND_WINDOW = 100;

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
  /** A change job was added or is gone: its target needs redrawing. */
  targetChanged(job: ChangeJob): void;
  /** A conversation's members, for the mentions of its outgoing messages. */
  membersOf(conv: string): readonly User[];
  sendRetryBackoff: BackoffPolicy;
  /** Jobs of one conversation on the wire at once; SEND_WINDOW unless given. */
  sendWindow?: number;
  transfers: FileTransfers;
  log: Logger;
}

export class Outbox {
  private readonly options: OutboxOptions;
  /** Queued jobs per conversation, each in sending order (a Map keeps
   * insertion order). */
  private readonly queues = new Map<string, Map<string, OutboxJob>>();
  /** The queued change jobs whose target is still in the outbox (no seq
   * yet), by waitingKey() of that target: settling a message finds its
   * changes without walking its conversation's queue, which made flushing a
   * long outbox quadratic (docs/benchmarks.md, "a flush that no longer
   * walks the outbox"). */
  private readonly waitingChanges = new Map<string, Set<ChangeJob>>();
  /** conversation → the cids of its jobs on the wire, in sending order (the
   * first jobs of its queue). */
  private readonly inFlight = new Map<string, Set<string>>();
  /** conversation → the job the relay refused retryably on this socket: the
   * relay holds the conversation until that cid comes again, so it cannot be
   * deleted meanwhile (see the header). */
  private readonly heldBy = new Map<string, string>();
  /** On while the outbox pauses after a `rate_limited` or `unavailable` nack. */
  private readonly retryPause: RetryPause;

  private readonly window: number;
  /** conversation → its one upload running (of its first job not sent yet). */
  private readonly uploads = new Map<string, { cid: string; running: RunningUpload | null }>();
  /** On while uploads pause after one broke off. */
  private readonly uploadPause: RetryPause;
  private closed = false;

  constructor(options: OutboxOptions) {
    this.options = options;
    this.window = options.sendWindow ?? SEND_WINDOW;
    this.retryPause = new RetryPause(options.sendRetryBackoff, () => this.pump());
    this.uploadPause = new RetryPause(options.sendRetryBackoff, () => this.pump());
  }

  /** Picks up the queued jobs a previous run left in the store. */
  async load(): Promise<void> {
    for (const job of await this.options.store.listOutbox()) {
      if (job.state === 'queued') this.enqueue(job);
    }
  }

  /** Writes a new message as a `send` job, shows it (the one local echo),
   * and sends it when the session allows. */
  async send(conv: string, body: string, options: Pick<SendJob, 'replyTo' | 'forwarded' | 'file'> = {}): Promise<ChatMessage> {
    const job: SendJob = { kind: 'send', cid: newCid(), conv, body, createdAt: Date.now(), state: 'queued', ...options };
    await this.options.store.addToOutbox(job);
    this.enqueue(job);
    const message = this.view(job);
    this.options.emit({ type: 'messages', conv, messages: [message] });
    this.pump();
    return message;
  }

  /** Writes a change to a message as a job behind everything queued in its
   * conversation, and redraws its target with the change applied. */
  async change(change: DistributiveOmit<ChangeJob, 'cid' | 'createdAt' | 'state'>): Promise<void> {
    const job = { ...change, cid: newCid(), createdAt: Date.now(), state: 'queued' } as ChangeJob;
    await this.options.store.addToOutbox(job);
    this.enqueue(job);
    this.options.targetChanged(job);
    this.pump();
  }

  /** Writes a message with a file as an `upload` job, with the file's bytes,
   * shows it, and uploads then sends it when the session allows. */
  async sendFile(conv: string, draft: FileDraft): Promise<ChatMessage> {
    const { bytes, caption, replyTo, name, mime, width, height, durationMs, thumb } = draft;
    const file: UploadJob['file'] = { name, mime, size: bytes.byteLength };
    if (width !== undefined) file.width = width;
    if (height !== undefined) file.height = height;
    if (durationMs !== undefined) file.durationMs = durationMs;
    if (thumb !== undefined) file.thumb = thumb;
    const job: UploadJob = { kind: 'upload', cid: newCid(), conv, body: caption, file, createdAt: Date.now(), state: 'queued' };
    if (replyTo !== undefined) job.replyTo = replyTo;
    await this.options.store.addUploadToOutbox(job, bytes);
    this.enqueue(job);
    const message = this.view(job);
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
    // The relay's holds are per socket.
    this.heldBy.clear();
  }

  /** The relay took these jobs: they are settled with the messages the relay
   * stored, in one store transaction. */
  async acknowledged(frames: readonly AckFrame[]): Promise<void> {
    if (frames.length === 0) return;
    const cids = frames.map((frame) => frame.cid);
    const messages = frames.map((frame) => frame.msg);
    await this.options.store.settleOutboxJobs(cids, messages);
    this.settled(cids, messages);
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
    this.settled(own, messages);
  }

  async nacked(frame: NackFrame): Promise<void> {
    const job = this.find(frame.cid);
    if (!job) return;
    const wire = this.inFlight.get(job.conv);
    if (RETRYABLE_NACK_CODES.has(frame.code)) {
      // A job behind one already refused: its nack is that refusal's echo.
      if (!wire?.has(job.cid)) return;
      // The relay refuses the rest of the window the same way: all of it goes
      // again, from this job on, after the pause.
      this.inFlight.delete(job.conv);
      this.heldBy.set(job.conv, job.cid);
      this.retryPause.start();
      return;
    }
    wire?.delete(job.cid);
    this.dequeue(job);
    if (isMessageJob(job)) await this.replace({ ...job, state: 'failed', error: frame.message });
    else await this.drop(job);
    this.pump();
  }

  /** Puts a failed job of this conversation back in its queue. */
  async retry(conv: string, cid: string): Promise<void> {
    const job = await this.options.store.getOutboxJob(cid);
    if (!job || !isMessageJob(job) || job.state !== 'failed' || job.conv !== conv) return;
    const { error: _error, ...rest } = job;
    const queued: MessageJob = { ...rest, state: 'queued' };
    await this.replace(queued);
    this.enqueue(queued);
    this.pump();
  }

  /** Deletes a job of this conversation the relay has not taken. One already
   * on the wire cannot be called back, so deleting it is refused. */
  async remove(conv: string, cid: string): Promise<void> {
    const queued = this.find(cid);
    if (queued && (queued.conv !== conv || !isMessageJob(queued))) return;
    if (queued && (this.inFlight.get(conv)?.has(cid) || this.heldBy.get(conv) === cid)) {
      throw new Error('This message is being sent and can no longer be deleted');
    }
    // An upload can be stopped: what the relay has of it is swept.
    const upload = this.uploads.get(conv);
    if (upload?.cid === cid) {
      upload.running?.abort();
      this.uploads.delete(conv);
    }
    // Out of the queue before any await, so that it cannot be sent meanwhile.
    if (queued) this.dequeue(queued);
    const job = queued ?? (await this.options.store.getOutboxJob(cid));
    if (job?.conv !== conv || !isMessageJob(job)) return;
    await this.options.store.removeFromOutbox(cid);
    this.options.emit({ type: 'message-removed', conv, cid });
    this.options.changed(conv);
  }

  /** A conversation was deleted with its outbox entries. */
  forgetConversation(conv: string): void {
    this.uploads.get(conv)?.running?.abort();
    this.uploads.delete(conv);
    for (const job of [...(this.queues.get(conv)?.values() ?? [])]) this.dequeue(job);
    this.inFlight.delete(conv);
    this.heldBy.delete(conv);
  }

  /** Stops the retry timers and the uploads: the session is closing. What
   * the relay has of an upload stays there for the next run to resume. */
  close(): void {
    this.closed = true;
    this.retryPause.cancel();
    this.uploadPause.cancel();
    for (const upload of this.uploads.values()) upload.running?.abort();
    this.uploads.clear();
  }

  /** Fills every conversation's window with its next queued jobs, in order. */
  private pump(): void {
    if (!this.options.isOnline() || this.retryPause.active) return;
    for (const [conv, queue] of this.queues) {
      let wire = this.inFlight.get(conv);
      if (wire && wire.size >= this.window) continue;
      for (const job of queue.values()) {
        if (wire?.has(job.cid)) continue;
        if (!isMessageJob(job) && job.target === undefined) {
          // Its target is still queued or on the wire: wait for its seq.
          if (queue.has(job.targetCid)) break;
          this.dequeue(job);
          void this.drop(job);
          continue;
        }
        // A file not on the relay yet: upload it; the jobs after it wait.
        if (job.kind === 'upload' && job.fileId === undefined) {
          if (!this.uploads.has(conv) && !this.uploadPause.active) void this.upload(job);
          break;
        }
        if (!this.options.send(frameOf(job))) return;
        if (!wire) this.inFlight.set(conv, (wire = new Set()));
        wire.add(job.cid);
        if (this.heldBy.get(conv) === job.cid) this.heldBy.delete(conv);
        if (wire.size >= this.window) break;
      }
    }
  }

  /** Removes a change job that will not be sent, and redraws its target. */
  private async drop(job: ChangeJob): Promise<void> {
    try {
      await this.options.store.removeFromOutbox(job.cid);
    } finally {
      this.options.targetChanged(job);
    }
  }

  /** Uploads (or resumes) the file of a conversation's next job. */
  private async upload(job: UploadJob): Promise<void> {
    const slot: { cid: string; running: RunningUpload | null } = { cid: job.cid, running: null };
    this.uploads.set(job.conv, slot);
    const current = () => !this.closed && this.uploads.get(job.conv) === slot;
    const bytes = await this.options.store.getOutboxFile(job.cid);
    if (!current()) return;
    if (!bytes) {
      this.uploadEnded(job, { final: true, message: 'The file is no longer on this device' });
      return;
    }
    let latest = job;
    const request = { bytes, name: job.file.name, mime: job.file.mime, ...(job.uploadUrl ? { uploadUrl: job.uploadUrl } : {}) };
    slot.running = this.options.transfers.upload(request, {
      created: (uploadUrl) => {
        if (!current()) return;
        latest = { ...latest, uploadUrl };
        this.keep(latest).catch((error: unknown) => this.options.log('error', 'Could not keep an upload URL', error));
      },
      progress: (sent, total) => {
        if (current()) this.options.emit({ type: 'upload-progress', conv: job.conv, cid: job.cid, sent, total });
      },
      finished: (fileId) => {
        if (!current()) return;
        this.uploadFinished({ ...latest, fileId }).catch((error: unknown) =>
          this.options.log('error', 'Could not record a finished upload', error),
        );
      },
      failed: (failure) => {
        if (current()) this.uploadEnded(latest, failure);
      },
    });
  }

  /** Every byte is on the relay: the job keeps the file id (so a restart
   * only sends), its bytes go, and it is sent in its turn. */
  private async uploadFinished(job: UploadJob): Promise<void> {
    await this.keep(job);
    await this.options.store.dropOutboxFile(job.cid);
    this.uploads.delete(job.conv);
    this.uploadPause.succeeded();
    this.options.emit({ type: 'messages', conv: job.conv, messages: [this.view(job)] });
    this.pump();
  }

  private uploadEnded(job: UploadJob, failure: UploadFailure): void {
    this.uploads.delete(job.conv);
    if (failure.final) {
      this.dequeue(job);
      this.replace({ ...job, state: 'failed', error: failure.message })
        .then(() => this.pump())
        .catch((error: unknown) => this.options.log('error', 'Could not record a failed upload', error));
      return;
    }
    this.options.log('info', `Upload of ${job.cid} broke off; resuming later: ${failure.message}`);
    this.uploadPause.start();
  }

  /** Writes a changed job to the store and to its place in the queue. */
  private async keep(job: OutboxJob): Promise<void> {
    await this.options.store.updateOutboxJob(job);
    this.queues.get(job.conv)?.set(job.cid, job);
  }

  /** These jobs are done (their messages stored): changes queued behind
   * them learn their targets' seqs, and their conversations' windows have
   * room for the next. */
  private settled(cids: readonly string[], messages: readonly Message[]): void {
    for (const message of messages) {
      if (message.kind !== undefined) continue;
      const key = waitingKey(message.conv, message.cid);
      for (const job of this.waitingChanges.get(key) ?? []) job.target = message.seq;
      this.waitingChanges.delete(key);
    }
    let any = false;
    for (const cid of cids) {
      const job = this.find(cid);
      if (!job) continue;
      any = true;
      this.dequeue(job);
      const wire = this.inFlight.get(job.conv);
      wire?.delete(cid);
      if (wire?.size === 0) this.inFlight.delete(job.conv);
      if (this.heldBy.get(job.conv) === cid) this.heldBy.delete(job.conv);
    }
    if (!any) return;
    this.retryPause.succeeded();
    this.pump();
  }

  private enqueue(job: OutboxJob): void {
    let queue = this.queues.get(job.conv);
    if (!queue) this.queues.set(job.conv, (queue = new Map()));
    queue.set(job.cid, job);
    if (isMessageJob(job) || job.target !== undefined) return;
    const key = waitingKey(job.conv, job.targetCid);
    let waiting = this.waitingChanges.get(key);
    if (!waiting) this.waitingChanges.set(key, (waiting = new Set()));
    waiting.add(job);
  }

  private dequeue(job: OutboxJob): void {
    const queue = this.queues.get(job.conv);
    queue?.delete(job.cid);
    if (queue?.size === 0) this.queues.delete(job.conv);
    if (isMessageJob(job)) return;
    const key = waitingKey(job.conv, job.targetCid);
    const waiting = this.waitingChanges.get(key);
    waiting?.delete(job);
    if (waiting?.size === 0) this.waitingChanges.delete(key);
  }

  private find(cid: string): OutboxJob | undefined {
    for (const queue of this.queues.values()) {
      const job = queue.get(cid);
      if (job) return job;
    }
    return undefined;
  }

  private view(job: MessageJob): ChatMessage {
    return outgoingChatMessage(job, this.options.me, this.options.membersOf(job.conv));
  }

  private async replace(job: MessageJob): Promise<void> {
    await this.options.store.updateOutboxJob(job);
    this.options.emit({ type: 'messages', conv: job.conv, messages: [this.view(job)] });
    this.options.changed(job.conv);
  }
}

/** A message of the outbox by conversation and cid, as change jobs name their targets. */
function waitingKey(conv: string, cid: string): string {
  return `${conv}\u0000${cid}`;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The frame that asks the relay to do a job (an upload's once its file is
 * on the relay). */
function frameOf(job: OutboxJob): SendFrame {
  const frame: SendFrame = { t: 'send', cid: job.cid, conv: job.conv, body: job.kind === 'delete' ? '' : job.body };
  if (isMessageJob(job)) {
    if (job.replyTo !== undefined) frame.replyTo = job.replyTo;
    if (job.kind === 'send' && job.forwarded) frame.forwarded = true;
    const file: Message['file'] =
      job.kind === 'upload' ? (job.fileId === undefined ? undefined : { ...job.file, id: job.fileId }) : job.file;
    if (file) {
      // The relay adds name, type and size from its own record.
      const { name: _name, mime: _mime, size: _size, ...described } = file;
      frame.file = described;
    }
  } else {
    frame.kind = job.kind;
    frame.target = job.target;
  }
  return frame;
}
