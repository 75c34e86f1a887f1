// Who is online: the relay's `welcome` list, then `presence` frames. Kept in
// memory only. When the connection drops, nobody is known to be online any
// more (the relay can no longer say when they leave), so an "online" shown
// from before would be a claim the app cannot back: those entries turn to
// offline, keeping any lastSeen, until the next `welcome` says otherwise.
import type { DuplexEvent } from '../api.ts';
import type { Presence } from '../protocol/index.ts';

export class PresenceBook {
  private readonly emit: (event: DuplexEvent) => void;
  private readonly byUser = new Map<string, Presence>();

  constructor(emit: (event: DuplexEvent) => void) {
    this.emit = emit;
  }

  update(presence: Presence): void {
    const { user, online, lastSeen } = presence;
    const entry: Presence = lastSeen === undefined ? { user, online } : { user, online, lastSeen };
    this.byUser.set(user, entry);
    this.emit({ type: 'presence', presence: entry });
  }

  /** The connection is gone: forget who was online. */
  connectionLost(): void {
    for (const presence of this.byUser.values()) {
      if (presence.online) this.update({ ...presence, online: false });
    }
  }

  /** The known presence of each of these users (unknown ones are left out). */
  get(userIds: readonly string[]): Presence[] {
    return userIds.flatMap((id) => this.byUser.get(id) ?? []);
  }
}
