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
  /** The user's fan-out subscription, live once it resolves. */
  subscription: Promise<() => void>;
}

export class SessionRegistry {
  readonly #byUser = new Map<string, UserEntry>();
  /** Sessions whose add() completed: the ones remove() reports. */
  readonly #registered = new WeakSet<Session>();
  readonly #fanout: Fanout;
  readonly #slots: SlotLimiter;
  readonly #hooks: SessionRegistryHooks;

  constructor(fanout: Fanout, slots: SlotLimiter, hooks: SessionRegistryHooks) {
    this.#fanout = fanout;
    this.#slots = slots;
    this.#hooks = hooks;
  }

  /**
   * Registers an authenticated session and resolves once the user's fan-out
   * subscription is live, so the session start that follows can read the
   * backlog without missing what is published meanwhile. False when its user
   * already has the maximum number of sessions here: the newcomer is refused
   * and the existing ones are left alone; false too when the session was
   * removed (its socket closed) while the subscription was being made.
   * Rejects, with the session unregistered again, when the subscription
   * fails.
   */
  async add(session: Session): Promise<boolean> {
    const userId = session.user.id;
    if (!(await this.#slots.acquire(userId))) return false;
    if (session.isClosed) {
      // Closed while the slot was being counted (cluster-wide, in Redis): remove() found nothing to release.
      this.#slots.release(userId);
      return false;
    }
    let entry = this.#byUser.get(userId);
    if (!entry) {
      const sessions = new Set<Session>();
      const subscription = this.#fanout.subscribe(userId, (event) => {
        for (const each of sessions) each.deliver(event);
      });
      entry = { sessions, subscription };
      this.#byUser.set(userId, entry);
      this.#hooks.firstSession(userId);
    }
    entry.sessions.add(session);
    try {
      await entry.subscription;
    } catch (error) {
      this.remove(session);
      throw error;
    }
    if (!entry.sessions.has(session)) return false;
    this.#registered.add(session);
    return true;
  }

  /** False when the session was not registered (never authenticated,
   * refused by the cap, or closed before its add() completed). */
  remove(session: Session): boolean {
    const userId = session.userId;
    const entry = userId === undefined ? undefined : this.#byUser.get(userId);
    if (!userId || !entry?.sessions.delete(session)) return false;
    this.#slots.release(userId);
    const registered = this.#registered.delete(session);
    if (entry.sessions.size > 0) return registered;
    // A subscription that failed has nothing to undo.
    entry.subscription.then((unsubscribe) => unsubscribe(), () => {});
    this.#byUser.delete(userId);
    this.#hooks.lastSession(userId);
    return registered;
  }
}
