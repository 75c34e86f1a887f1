// Closing the sockets of tokens revoked outside this process. A sign-out
// through the HTTP API reaches the sockets of its token at once, through the
// fan-out; the operator's commands (`duplex-relay sessions revoke`,
// `user reset-password`) only delete tokens in the database and reach no
// fan-out. So the relay sweeps: every `tokenRecheckIntervalMs` it asks the
// store which tokens of its authenticated sockets still exist, and closes the
// others with 4001, as a sign-out would. The same sweep marks the tokens of
// open sessions used (token-expiry.ts), so that a session kept open for
// months never expires under its user.
import { CLOSE_CODES } from '../src/shared/protocol/index.ts';
import type { Logger } from './log.ts';
import type { Session } from './session.ts';
import type { RelayStore } from './store/types.ts';
import type { TokenExpiry } from './token-expiry.ts';

export class RevokedTokenSweep {
  readonly #store: RelayStore;
  readonly #expiry: TokenExpiry;
  readonly #sessions: () => Iterable<Session>;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  /** The sweep in progress; a tick that finds one running skips. */
  #running: Promise<void> | undefined;
  /** When open sessions' tokens were last marked used. */
  #touchedAt = 0;

  constructor(store: RelayStore, expiry: TokenExpiry, sessions: () => Iterable<Session>, intervalMs: number, log: Logger) {
    this.#store = store;
    this.#expiry = expiry;
    this.#sessions = sessions;
    this.#log = log;
    this.#timer = setInterval(() => {
      this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    }, intervalMs);
  }

  /** Stops sweeping; resolves once a sweep in progress is over, so the store can close. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async #sweep(): Promise<void> {
    const authenticated = [...this.#sessions()].filter((session) => session.tokenHash !== undefined && !session.isClosed);
    if (authenticated.length === 0) return;
    let valid: Set<string>;
    const tokenHashes = [...new Set(authenticated.map((session) => session.tokenHash as string))];
    try {
      valid = await this.#store.existingTokens(tokenHashes);
    } catch (error) {
      this.#log.error({ err: error }, 'checking the tokens of open sessions failed');
      return;
    }
    for (const session of authenticated) {
      if (valid.has(session.tokenHash as string)) continue;
      this.#log.info({ session: session.id, user: session.userId }, 'token revoked by an operator, closing');
      session.close(CLOSE_CODES.unauthorized, 'token revoked');
    }
    const now = Date.now();
    // At most once per granularity: a touch takes the write lock even when it changes nothing.
    if (!this.#expiry.needsTouch(this.#touchedAt, now)) return;
    this.#touchedAt = now;
    try {
      await this.#store.touchTokens([...valid], now, this.#expiry.touchIfUsedBefore(now));
    } catch (error) {
      // A database that cannot be written now (locked, disk full): the next sweep records the use.
      this.#log.warn({ err: error }, 'recording the use of open sessions\' tokens failed');
    }
  }
}
