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
import type { Logger } from './log.ts';
import type { RelayMetrics } from './metrics.ts';
import type { AppendOutcome, MessageDraft, RelayStore, SendJudge } from './store/types.ts';

interface Pending {
  draft: MessageDraft;
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
  submit(draft: MessageDraft): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      this.#pending.push({ draft, resolve });
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
      const batch = this.#pending.splice(0, this.#maxSends);
      this.#metrics.groupCommitSize.observe(batch.length);
      try {
        const outcomes = await this.#store.appendMessages(
          batch.map((pending) => pending.draft),
          this.#judge,
          Date.now(),
        );
        batch.forEach((pending, index) => pending.resolve(outcomes[index] as AppendOutcome));
      } catch (error) {
        this.#log.error({ err: error, sends: batch.length }, 'storing a batch of sends failed; each is refused unavailable');
        for (const pending of batch) pending.resolve(UNAVAILABLE);
      }
    }
    this.#flushing = undefined;
  }
}
