// Sign-ins expire when left unused (limit sessionIdleMs, 90 days by
// default), as a stolen laptop's or a forgotten browser's session should.
// "Used" is cheap to keep: a token's last-used time is written when a session
// starts with it and, for sessions that stay open, by the periodic token
// sweep (revoked-tokens.ts), each time only if the stored time is older than
// the granularity below, so a busy token costs one small write an hour, not
// one per frame. An expired token is refused like a revoked one (401 over
// HTTP, close 4001 on hello) with the reason `session expired`, and deleted.

const HOUR_MS = 60 * 60_000;

export const SESSION_EXPIRED = 'session expired';

export class TokenExpiry {
  readonly #idleMs: number;
  /** How stale a stored last-used time may get before it is written again. */
  readonly #granularityMs: number;

  constructor(idleMs: number) {
    this.#idleMs = idleMs;
    // A tenth of the idle time when that is short (tests), so that touching
    // never lags behind expiring.
    this.#granularityMs = Math.min(HOUR_MS, Math.floor(idleMs / 10));
  }

  isExpired(lastUsedAt: number, now: number): boolean {
    return lastUsedAt <= now - this.#idleMs;
  }

  /** The `usedBefore` argument of RelayStore.touchTokens at `now`. */
  touchIfUsedBefore(now: number): number {
    return now - this.#granularityMs;
  }

  /**
   * Whether a use at `now` is worth a write. Asked before touching at all:
   * even an UPDATE that changes no row takes SQLite's write lock.
   */
  needsTouch(lastUsedAt: number, now: number): boolean {
    return lastUsedAt < this.touchIfUsedBefore(now);
  }
}
