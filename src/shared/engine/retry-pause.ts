// A pause before trying again after the relay said "not now" (`rate_limited`,
// `unavailable`): the base delay of the policy, doubling while refusals keep
// coming, back to the base once something gets through. While it lasts, its
// owner sends nothing; when it ends, `resume` runs.
import { type BackoffPolicy, backoffCap } from './backoff.ts';

export class RetryPause {
  private readonly policy: BackoffPolicy;
  private readonly resume: () => void;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Pauses in a row without a success in between. */
  private streak = 0;

  constructor(policy: BackoffPolicy, resume: () => void) {
    this.policy = policy;
    this.resume = resume;
  }

  get active(): boolean {
    return this.timer !== null;
  }

  /** Starts a pause, unless one is on already (refusals of requests that
   * were on the wire together make one pause). */
  start(): void {
    if (this.timer) return;
    this.streak++;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.resume();
    }, backoffCap(this.streak, this.policy));
  }

  /** Something got through: the next pause starts from the base delay. */
  succeeded(): void {
    this.streak = 0;
  }

  /** Ends the pause without resuming: its owner is closing. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
