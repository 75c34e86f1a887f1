// The authenticated sessions of this process, by user. It holds the one fan-out
// subscription per connected user (routing that user's events to each of
// their sessions), enforces the per-user socket cap (through the rate limits'
// socket slots), and reports a user's first and last session so that presence
// can follow.
import type { Fanout } from './fanout.ts';
import type { SlotLimiter } from './rate-limit.ts';
import type { Session } from './session.ts';

export interface SessionRegistryHooks {
  firstSession(userId: string): void;
  lastSession(userId: string): void;
}

interface UserEntry {
  sessions: Set<Session>;
  unsubscribe: () => void;
}

export class SessionRegistry {
  readonly #byUser = new Map<string, UserEntry>();
  readonly #fanout: Fanout;
  readonly #slots: SlotLimiter;
  readonly #hooks: SessionRegistryHooks;

  constructor(fanout: Fanout, slots: SlotLimiter, hooks: SessionRegistryHooks) {
    this.#fanout = fanout;
    this.#slots = slots;
    this.#hooks = hooks;
  }

  /**
   * Registers an authenticated session. False when its user already has the
   * maximum number of sessions here: the newcomer is refused and the existing
   * ones are left alone.
   */
  add(session: Session): boolean {
    const userId = session.user.id;
    if (!this.#slots.acquire(userId)) return false;
    let entry = this.#byUser.get(userId);
    if (!entry) {
      const sessions = new Set<Session>();
      const unsubscribe = this.#fanout.subscribe(userId, (event) => {
        for (const each of sessions) each.deliver(event);
      });
      entry = { sessions, unsubscribe };
      this.#byUser.set(userId, entry);
      this.#hooks.firstSession(userId);
    }
    entry.sessions.add(session);
    return true;
  }

  /** False when the session was not registered (never authenticated, or refused by the cap). */
  remove(session: Session): boolean {
    const userId = session.userId;
    const entry = userId === undefined ? undefined : this.#byUser.get(userId);
    if (!userId || !entry?.sessions.delete(session)) return false;
    this.#slots.release(userId);
    if (entry.sessions.size > 0) return true;
    entry.unsubscribe();
    this.#byUser.delete(userId);
    this.#hooks.lastSession(userId);
    return true;
  }
}
