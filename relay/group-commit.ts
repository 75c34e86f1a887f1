// Group commit: sends that arrive together are stored in one transaction, so
// that a burst costs one fsync instead of one per message. A submitted draft
// waits until the end of the current event-loop turn (setImmediate), then
// goes to the store with everything submitted meanwhile, in submission order.
// While one transaction is in flight (with an asynchronous store), new
// submissions gather for the next one, which goes to the store as soon as the
// previous one is committed, before that one's submitters are answered. Each
// submitter gets its own outcome.
// A transaction that fails (the database locked beyond the busy timeout, a
// full disk) stores nothing of its batch: every draft in it is refused
// `unavailable`, which the sender retries later (docs/protocol.md, "Sending"), and
// the relay goes on serving.
//
// As a batch is formed, in submission order, each draft meets the relay's
// ordering and rate-limit rules:
// - a send behind a retryably refused one of the same socket and conversation
//   is refused the same way at once, without the store (send-order.ts; the
//   previous batch's refusals are known by then);
// - otherwise it takes a send token; without one it is marked `overLimit`
//   (the judge answers `rate_limited` after its content checks), and so are
//   the later drafts of its socket and conversation in this batch (they take
//   none), so that none of them is stored past it.
// A token taken for a draft that is then not stored (a duplicate, a
// non-member, a refusal, a failed transaction) is given back before the next
// batch, so only stored sends cost tokens, as when the judge took them inside
// the transaction. Taking them here keeps the judge pure, so that it can run
// where the store runs (store/store-thread.ts).
import type { Logger } from './log.ts';
import type { RelayMetrics } from './metrics.ts';
import type { BucketLimiter } from './rate-limit.ts';
import type { SendOrder } from './send-order.ts';
import type { AppendOutcome, MessageDraft, Refusal, RelayStore, SendJudge } from './store/types.ts';

interface Pending {
  draft: MessageDraft;
  order: SendOrder;
  resolve: (outcome: AppendOutcome) => void;
  /** Whether a send token was taken for it. */
  tookToken?: boolean;
}

/** A batch handed to the store. */
interface InFlight {
  batch: Pending[];
  /** Never rejects: a failed transaction is every draft refused `unavailable`. */
  outcomes: Promise<AppendOutcome[]>;
}

/** A send refused without the store, behind a refused one of its socket and conversation. */
interface Held {
  pending: Pending;
  refusal: Refusal;
}

function answerHeld(held: readonly Held[]): void {
  for (const { pending, refusal } of held) pending.resolve({ kind: 'refused', refusal });
}

const UNAVAILABLE: AppendOutcome = {
  kind: 'refused',
  refusal: { code: 'unavailable', message: 'the relay could not store this message; retry later' },
};

export class GroupCommit {
  readonly #store: RelayStore;
  readonly #judge: SendJudge;
  readonly #sends: BucketLimiter;
  readonly #maxSends: number;
  readonly #metrics: RelayMetrics;
  readonly #log: Logger;
  #pending: Pending[] = [];
  /** The running flush loop, if any. */
  #flushing: Promise<void> | undefined;

  constructor(store: RelayStore, judge: SendJudge, sends: BucketLimiter, maxSends: number, metrics: RelayMetrics, log: Logger) {
    this.#store = store;
    this.#judge = judge;
    this.#sends = sends;
    this.#maxSends = maxSends;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** Never rejects: a failed transaction is the outcome `unavailable`. */
  submit(draft: MessageDraft, order: SendOrder): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      this.#pending.push({ draft, order, resolve });
      this.#flushing ??= this.#flushSoon();
    });
  }

  /** Resolves once every draft submitted so far is stored or refused. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flushSoon(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    let next = await this.#startBatch();
    answerHeld(next.held);
    while (next.inFlight) {
      const { batch, outcomes } = next.inFlight;
      const answers = await outcomes;
      // Holds and tokens are settled before the next batch is formed.
      batch.forEach((pending, index) => {
        const outcome = answers[index] as AppendOutcome;
        if (outcome.kind === 'refused') pending.order.refused(pending.draft.conv, pending.draft.cid, outcome.refusal);
        if (pending.tookToken && outcome.kind !== 'stored') this.#sends.giveBack(pending.draft.sender);
      });
      // The next batch goes to the store before this one's senders are
      // answered: the store commits it while this thread writes this batch's
      // acks and deliveries, instead of waiting for them (docs/relay.md,
      // "The store's thread"). The answers keep their order: this batch's
      // first, then the sends held behind its refusals, which came after.
      next = await this.#startBatch();
      batch.forEach((pending, index) => pending.resolve(answers[index] as AppendOutcome));
      answerHeld(next.held);
    }
    this.#flushing = undefined;
  }

  /**
   * Forms the next batch from the pending sends and hands it to the store
   * (no batch when none is left), and returns with it the sends held behind a
   * refused one, for the caller to answer.
   */
  async #startBatch(): Promise<{ inFlight?: InFlight; held: Held[] }> {
    const held: Held[] = [];
    while (this.#pending.length > 0) {
      const batch = this.#admitted(this.#pending.splice(0, this.#maxSends), held);
      if (batch.length === 0) continue;
      this.#metrics.groupCommitSize.observe(batch.length);
      let outcomes: Promise<AppendOutcome[]>;
      try {
        outcomes = this.#store.appendMessages(await this.#limited(batch), this.#judge, Date.now());
      } catch (error) {
        outcomes = Promise.reject(error);
      }
      const inFlight = {
        batch,
        outcomes: outcomes.catch((error: unknown) => {
          this.#log.error({ err: error, sends: batch.length }, 'storing a batch of sends failed; each is refused unavailable');
          return batch.map(() => UNAVAILABLE);
        }),
      };
      return { inFlight, held };
    }
    return { held };
  }

  /** The batch less the sends held behind a refused one, which go to `held` with their refusal. */
  #admitted(batch: Pending[], held: Held[]): Pending[] {
    return batch.filter((pending) => {
      const refusal = pending.order.admit(pending.draft.conv, pending.draft.cid);
      if (refusal) held.push({ pending, refusal });
      return !refusal;
    });
  }

  /**
   * The batch's drafts, those over the send rate limit marked (see the
   * header); takes the send tokens. The limiter may be Redis (cluster-wide
   * limits): every take of the batch is asked at once, in order (one round
   * trip), and a token taken for a draft that follows one over the limit in
   * its socket and conversation is given back, as if it had not been asked.
   */
  async #limited(batch: Pending[]): Promise<MessageDraft[]> {
    const tokens = await Promise.all(batch.map((pending) => this.#sends.take(pending.draft.sender)));
    /** Socket → conversations with a draft over the limit earlier in this batch. */
    const over = new Map<SendOrder, Set<string>>();
    return batch.map((pending, index) => {
      const { draft, order } = pending;
      const conversations = over.get(order);
      const token = tokens[index] === true;
      if (!conversations?.has(draft.conv) && token) {
        pending.tookToken = true;
        return draft;
      }
      if (token) this.#sends.giveBack(draft.sender);
      over.set(order, (conversations ?? new Set()).add(draft.conv));
      return { ...draft, overLimit: true };
    });
  }
}
