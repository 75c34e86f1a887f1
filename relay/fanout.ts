// Fan-out: how an event for a user reaches that user's sockets, wherever they
// are connected. Events are addressed to user ids; each relay process
// subscribes to the users it has sockets for. This in-process implementation
// serves one relay process; a Redis pub/sub one can replace it for several
// processes, as everything crossing it is plain data (frames are
// pre-serialised text). A lost event is recovered by clients through the gap
// rule and their cursors, since the store is the truth.
//
// Subscribing is asynchronous because a shared backend's subscription is
// (Redis confirms a SUBSCRIBE later): a session start awaits it before it
// reads the backlog from the store, so that nothing published in between is
// lost. Every implementation passes test/relay/fanout-contract.ts.

export type FanoutEvent =
  | {
      kind: 'frame';
      /** The serialised frame, built once for every recipient. */
      text: string;
      /** A session that must not get it (the one that caused it, answered directly). */
      exceptSession?: string;
      /** Set on `msg` frames, so that a syncing session can drop what its batches already hold. */
      message?: { conv: string; seq: number };
      /** A state that is stale within seconds (typing): a syncing session drops it instead of holding it. */
      ephemeral?: true;
    }
  /** Close the sockets that authenticated with this token (logout), with 4001 and `reason` (default `token revoked`). */
  | { kind: 'revoke'; tokenHash: string; reason?: string };

export type FanoutListener = (event: FanoutEvent) => void;

export interface Fanout {
  /** Starts delivering events for `userId` to `listener`. Resolves, with the
   * unsubscribe function, once every event published from then on reaches
   * the listener. */
  subscribe(userId: string, listener: FanoutListener): Promise<() => void>;
  /** `userIds` must be distinct: a repeated id gets the event again. */
  publish(userIds: Iterable<string>, event: FanoutEvent): void;
  close(): Promise<void>;
}

export class InProcessFanout implements Fanout {
  readonly #listeners = new Map<string, Set<FanoutListener>>();

  async subscribe(userId: string, listener: FanoutListener): Promise<() => void> {
    let listeners = this.#listeners.get(userId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(userId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#listeners.get(userId) === listeners) this.#listeners.delete(userId);
    };
  }

  // Iterates the live sets, without a copy per message: a listener that
  // unsubscribes while an event is delivered (a slow consumer's socket closing)
  // is skipped if not reached yet, which is what it asked for; listeners only
  // subscribe on hello, never from inside a delivery.
  publish(userIds: Iterable<string>, event: FanoutEvent): void {
    for (const userId of userIds) {
      const listeners = this.#listeners.get(userId);
      if (!listeners) continue;
      for (const listener of listeners) listener(event);
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
