// A bound on the password hashes running at once, relay-wide. Each scrypt
// hash takes about 100 ms of a libuv thread-pool thread and 32 MiB (cost
// 15); without a bound, a flood of unauthenticated logins or registrations
// (each from another address, so no per-address limit applies) would fill
// the thread pool, the CPU and memory. At most `concurrency` hashes run; up to
// `maxWaiting` more wait their turn, each for at most `maxWaitMs`; anything
// beyond that is refused at once with HashSlotsBusy (HTTP 503 + Retry-After).

export class HashSlotsBusy extends Error {
  override name = 'HashSlotsBusy';
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

export class HashSlots {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #maxWaitMs: number;
  readonly #waiting = new Set<Waiter>();
  #running = 0;

  constructor(concurrency: number, maxWaiting: number, maxWaitMs: number) {
    this.#concurrency = concurrency;
    this.#maxWaiting = maxWaiting;
    this.#maxWaitMs = maxWaitMs;
  }

  /** Hashes running now. */
  get running(): number {
    return this.#running;
  }

  /** Runs `hash` in a slot, waiting for one if needed; rejects with HashSlotsBusy when none comes in time. */
  async run<T>(hash: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await hash();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.size >= this.#maxWaiting) return Promise.reject(new HashSlotsBusy('too many password checks waiting'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        // The slot passes straight from the releasing hash to this one.
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.#waiting.delete(waiter);
          reject(new HashSlotsBusy('no password check slot within the wait'));
        }, this.#maxWaitMs),
      };
      this.#waiting.add(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.values().next().value;
    if (next) {
      this.#waiting.delete(next);
      next.start();
    } else {
      this.#running--;
    }
  }
}
