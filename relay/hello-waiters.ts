// Sockets that have been upgraded but have not sent `hello` yet cost a file
// descriptor, buffers and a timer each, and anyone can open them: no
// account is needed. They are counted per client address and in all; an
// upgrade over either cap is refused with 503 and Retry-After before the
// WebSocket handshake (cheaper than accepting and closing it, and a 503 is
// what a client's reconnect backoff already handles). A socket stops
// counting once its `hello` has arrived or it has closed.

export class HelloWaiters {
  readonly #byAddress = new Map<string, number>();
  readonly #perAddress: number;
  readonly #total: number;
  #count = 0;

  constructor(perAddress: number, total: number) {
    this.#perAddress = perAddress;
    this.#total = total;
  }

  /** Sockets waiting for their hello now. */
  get count(): number {
    return this.#count;
  }

  /**
   * Counts one more socket of `address`; undefined when a cap is reached.
   * The function returned stops counting it, and may be called any number of times.
   */
  admit(address: string): (() => void) | undefined {
    const ofAddress = this.#byAddress.get(address) ?? 0;
    if (ofAddress >= this.#perAddress || this.#count >= this.#total) return undefined;
    this.#byAddress.set(address, ofAddress + 1);
    this.#count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count--;
      const left = (this.#byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.#byAddress.delete(address);
      else this.#byAddress.set(address, left);
    };
  }
}
