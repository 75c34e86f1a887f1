// Group commit: sends that arrive together are stored in one transaction, so
// that a burst costs one fsync instead of one per message. A submitted draft
// waits until the end of the current event-loop turn (setImmediate), then
// goes to the store with everything submitted meanwhile, in submission order.
// While one transaction is in flight (with an asynchronous store), new
// submissions gather for the next one. Each submitter gets its own outcome.
import type { RelayMetrics } from './metrics.ts';
import type { AppendOutcome, MessageDraft, RelayStore, SendJudge } from './store/types.ts';

interface Pending {
  draft: MessageDraft;
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  readonly #store: RelayStore;
  readonly #judge: SendJudge;
  readonly #maxSends: number;
  readonly #metrics: RelayMetrics;
  #pending: Pending[] = [];
  /** The running flush loop, if any. */
  #flushing: Promise<void> | undefined;

  constructor(store: RelayStore, judge: SendJudge, maxSends: number, metrics: RelayMetrics) {
    this.#store = store;
    this.#judge = judge;
    this.#maxSends = maxSends;
    this.#metrics = metrics;
  }

  submit(draft: MessageDraft): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ draft, resolve, reject });
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
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#flushing = undefined;
  }
}
