// Presence: who is online, announced to every connected user who shares a
// conversation with them. A user goes online with their first session and
// offline a short grace after their last one closes, so that a quick
// reconnect (a page reload, a network blip) announces nothing. lastSeen is
// persisted when a user goes offline and for everyone online at shutdown.
//
// `Presence` is the seam; InProcessPresence keeps the online state in this
// process. Several relay processes share it through Redis
// (cluster/redis-presence.ts), and every implementation passes
// test/relay/presence-contract.ts.
import type { Presence as PresenceObject, PresenceFrame } from '../src/shared/protocol/index.ts';
import type { Fanout } from './fanout.ts';
import type { Logger } from './log.ts';
import type { RelayStore } from './store/types.ts';

export interface Presence {
  /** A session of the user started (the user's first one here, per the
   * session registry). */
  userConnected(userId: string): void;
  /** The user's last session here ended. */
  userDisconnected(userId: string): void;
  /** The presence of each of `userIds`, as the welcome and `conv` frames carry it. */
  describe(userIds: readonly string[]): Promise<PresenceObject[]>;
  /** Stops announcing and records lastSeen for everyone still online (shutdown). */
  stop(): Promise<void>;
}

export class InProcessPresence implements Presence {
  readonly #store: RelayStore;
  /** Users announced online, including those within the grace after their last session. */
  readonly #here: UsersHere;
  readonly #announcer: PresenceAnnouncer;

  constructor(store: RelayStore, fanout: Fanout, graceMs: number, log: Logger) {
    this.#store = store;
    this.#here = new UsersHere(graceMs);
    this.#announcer = new PresenceAnnouncer(store, fanout, log);
  }

  userConnected(userId: string): void {
    if (this.#here.connected(userId)) this.#announcer.announce({ t: 'presence', user: userId, online: true });
  }

  userDisconnected(userId: string): void {
    this.#here.disconnected(userId, () =>
      this.#announcer.announce({ t: 'presence', user: userId, online: false, lastSeen: Date.now() }),
    );
  }

  describe(userIds: readonly string[]): Promise<PresenceObject[]> {
    return describePresence(this.#store, userIds, this.#here.users);
  }

  async stop(): Promise<void> {
    const stillOnline = this.#here.clear();
    await this.#announcer.idle();
    if (stillOnline.length > 0) await this.#store.setLastSeen(stillOnline, Date.now());
  }
}

/**
 * The users with a session on this process, or within the grace after their
 * last one, so that a quick reconnect (a page reload, a network blip)
 * announces nothing. Each presence implementation keeps one.
 */
export class UsersHere {
  readonly users = new Set<string>();
  readonly #graceMs: number;
  readonly #goingAway = new Map<string, NodeJS.Timeout>();

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  /** A session started; true when the user was not here (nor within the grace): they came. */
  connected(userId: string): boolean {
    const timer = this.#goingAway.get(userId);
    if (timer) {
      // Back within the grace: contacts never saw the user leave.
      clearTimeout(timer);
      this.#goingAway.delete(userId);
      return false;
    }
    if (this.users.has(userId)) return false;
    this.users.add(userId);
    return true;
  }

  /** The user's last session here ended: `gone` runs after the grace, unless they are back by then. */
  disconnected(userId: string, gone: () => void): void {
    if (!this.users.has(userId) || this.#goingAway.has(userId)) return;
    const timer = setTimeout(() => {
      this.#goingAway.delete(userId);
      this.users.delete(userId);
      gone();
    }, this.#graceMs);
    this.#goingAway.set(userId, timer);
  }

  /** Forgets everyone (shutdown), without running a grace's end; returns who was here. */
  clear(): string[] {
    for (const timer of this.#goingAway.values()) clearTimeout(timer);
    this.#goingAway.clear();
    const users = [...this.users];
    this.users.clear();
    return users;
  }
}

/** The presence of each of `userIds`: online for those in `online`, else offline with the lastSeen the store has. */
export async function describePresence(
  store: RelayStore,
  userIds: readonly string[],
  online: ReadonlySet<string>,
): Promise<PresenceObject[]> {
  const lastSeen = await store.lastSeen(userIds.filter((userId) => !online.has(userId)));
  return userIds.map((userId) => {
    if (online.has(userId)) return { user: userId, online: true };
    const seen = lastSeen.get(userId);
    return seen === undefined ? { user: userId, online: false } : { user: userId, online: false, lastSeen: seen };
  });
}

/**
 * Tells a user's contacts that the user came or went (recording lastSeen for
 * a departure). Announcements go out one after another so that a user's
 * online and offline cannot overtake each other.
 */
export class PresenceAnnouncer {
  readonly #store: RelayStore;
  readonly #fanout: Fanout;
  readonly #log: Logger;
  #announcing: Promise<void> = Promise.resolve();

  constructor(store: RelayStore, fanout: Fanout, log: Logger) {
    this.#store = store;
    this.#fanout = fanout;
    this.#log = log;
  }

  announce(frame: PresenceFrame): void {
    this.#announcing = this.#announcing
      .then(async () => {
        if (frame.lastSeen !== undefined) await this.#store.setLastSeen([frame.user], frame.lastSeen);
        const contacts = await this.#store.contactsOf(frame.user);
        this.#fanout.publish(contacts, { kind: 'frame', text: JSON.stringify(frame) });
      })
      .catch((error: unknown) => this.#log.error({ err: error, user: frame.user }, 'presence announcement failed'));
  }

  /** Resolves once every announcement made so far went out. */
  idle(): Promise<void> {
    return this.#announcing;
  }
}
