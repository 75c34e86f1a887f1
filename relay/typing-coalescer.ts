// Typing states are relayed to every other member, so a client sending them
// in a loop would multiply its frames by the size of the group. This keeps, per
// (user, conversation), at most one relayed state per interval: the first at
// once, later ones held and the latest of them relayed when the interval is
// over, so the last state a user sent is always the one members end with
// (docs/protocol.md, "Receipts, typing, presence"). Entries live only while
// an interval runs, so the map is bounded by the users typing right now.
export type RelayTyping = (userId: string, conv: string, on: boolean) => void;

interface Entry {
  /** The state waiting for the end of the interval, if any. */
  pending: boolean | undefined;
  timer: NodeJS.Timeout;
}

export class TypingCoalescer {
  readonly #intervalMs: number;
  readonly #relay: RelayTyping;
  readonly #entries = new Map<string, Entry>();

  /** With an interval of 0 every state is relayed at once. */
  constructor(intervalMs: number, relay: RelayTyping) {
    this.#intervalMs = intervalMs;
    this.#relay = relay;
  }

  offer(userId: string, conv: string, on: boolean): void {
    if (this.#intervalMs === 0) {
      this.#relay(userId, conv, on);
      return;
    }
    const key = JSON.stringify([userId, conv]);
    const entry = this.#entries.get(key);
    if (entry) {
      entry.pending = on;
      return;
    }
    this.#relay(userId, conv, on);
    this.#startInterval(key, userId, conv);
  }

  /** Drops held states (shutdown). */
  stop(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
  }

  #startInterval(key: string, userId: string, conv: string): void {
    const timer = setTimeout(() => {
      const entry = this.#entries.get(key);
      this.#entries.delete(key);
      if (entry?.pending === undefined) return;
      this.#relay(userId, conv, entry.pending);
      this.#startInterval(key, userId, conv);
    }, this.#intervalMs);
    this.#entries.set(key, { pending: undefined, timer });
  }
}
