// Group commit: sends that arrive together are stored in one transaction, so
// that a burst costs one fsync instead of one per message. A submitted draft
// waits until the end of the current event-loop turn (setImmediate), then
// goes to the store with everything submitted meanwhile, in submission order.
// While one transaction is in flight (with an asynchronous store), new
// submissions gather for the next one. Each submitter gets its own outcome.
// A transaction that fails (the database locked beyond the busy timeout, a
// full disk) stores nothing of its batch: every draft in it is refused
// `unavailable`, which the sender retries later (docs/protocol.md, "Sending"), and
// the relay goes on serving.
//
// Each draft comes with its socket's SendOrder: a send behind a refused one of
// the same conversation and socket is refused the same way instead of being
// stored past the gap (send-order.ts). That is checked as each batch is
// formed (a refusal of the previous batch is known by then) and, for
// refusals inside one transaction, by the judge of the batch.
import type { Logger } from './log.ts';
import type { RelayMetrics } from './metrics.ts';
import type { SendOrder } from './send-order.ts';
import type { AppendOutcome, MessageDraft, RelayStore, SendJudge } from './store/types.ts';

interface Pending {
  draft: MessageDraft;
  order: SendOrder;
  resolve: (outcome: AppendOutcome) => void;
}

const UNAVAILABLE: AppendOutcome = {
  kind: 'refused',
  refusal: { code: 'unavailable', message: 'the relay could not store this message; retry later' },
};

export class GroupCommit {
  readonly #store: RelayStore;
  readonly #judge: SendJudge;
  readonly #maxSends: number;
  readonly #metrics: RelayMetrics;
  readonly #log: Logger;
  #pending: Pending[] = [];
  /** The running flush loop, if any. */
  #flushing: Promise<void> | undefined;

  constructor(store: RelayStore, judge: SendJudge, maxSends: number, metrics: RelayMetrics, log: Logger) {
    this.#store = store;
    this.#judge = judge;
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
    while (this.#pending.length > 0) {
      const batch = this.#admitted(this.#pending.splice(0, this.#maxSends));
      if (batch.length === 0) continue;
      this.#metrics.groupCommitSize.observe(batch.length);
      let outcomes: AppendOutcome[];
      try {
        outcomes = await this.#store.appendMessages(
          batch.map((pending) => pending.draft),
          this.#judgeInOrder(batch),
          Date.now(),
        );
      } catch (error) {
        this.#log.error({ err: error, sends: batch.length }, 'storing a batch of sends failed; each is refused unavailable');
        outcomes = batch.map(() => UNAVAILABLE);
      }
      // Holds are recorded before the next batch is formed.
      batch.forEach((pending, index) => {
        const outcome = outcomes[index] as AppendOutcome;
        if (outcome.kind === 'refused') pending.order.refused(pending.draft.conv, pending.draft.cid, outcome.refusal);
        pending.resolve(outcome);
      });
    }
    this.#flushing = undefined;
  }

  /** The batch less the sends held behind a refused one, which are refused at once. */
  #admitted(batch: Pending[]): Pending[] {
    return batch.filter((pending) => {
      const refusal = pending.order.admit(pending.draft.conv, pending.draft.cid);
      if (refusal) pending.resolve({ kind: 'refused', refusal });
      return !refusal;
    });
  }

  /** The relay's judge, with a send refused retryably holding the later ones of its socket and conversation in the same transaction. */
  #judgeInOrder(batch: readonly Pending[]): SendJudge {
    const orders = new Map(batch.map((pending) => [pending.draft, pending.order]));
    return (draft, conversation) => {
      const order = orders.get(draft);
      const held = order?.admit(draft.conv, draft.cid);
      if (held) return held;
      const refusal = this.#judge(draft, conversation);
      if (refusal) order?.refused(draft.conv, draft.cid, refusal);
      return refusal;
    };
  }
}
