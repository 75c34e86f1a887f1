// The order of one socket's sends within a conversation (docs/protocol.md,
// "Sending several at once"). A client may keep several sends of one
// conversation on the wire. Once one of them is refused with a retryable code
// (`rate_limited`, `unavailable`), every later send of that conversation from
// that socket is refused with the same nack, without being stored, until the
// refused cid comes again: otherwise a later send could be stored past the
// gap (the send bucket refills continuously; the next transaction may
// succeed), and the conversation would hold them out of order.
import { RETRYABLE_NACK_CODES } from '../src/shared/protocol/index.ts';
import type { Refusal } from './store/types.ts';

export class SendOrder {
  /** conversation → the refused send that holds it, with its refusal. Allocated on the first refusal: idle sockets carry none. */
  #held: Map<string, { cid: string; refusal: Refusal }> | undefined;

  /**
   * Called for each send as it goes to the store, in the socket's order: the
   * refusal it gets without being stored, or null. The held cid itself lifts
   * the hold.
   */
  admit(conv: string, cid: string): Refusal | null {
    const held = this.#held?.get(conv);
    if (!held) return null;
    if (held.cid !== cid) return held.refusal;
    this.#held?.delete(conv);
    return null;
  }

  /** A send of `conv` was refused: a retryable refusal holds the conversation from here on. */
  refused(conv: string, cid: string, refusal: Refusal): void {
    if (!RETRYABLE_NACK_CODES.has(refusal.code)) return;
    this.#held ??= new Map();
    if (!this.#held.has(conv)) this.#held.set(conv, { cid, refusal });
  }
}
