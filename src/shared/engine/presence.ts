// Who is online: the relay's `welcome` list, then `presence` frames. Kept in
// memory only; it is stale the moment the connection drops anyway.
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

  /** The known presence of each of these users (unknown ones are left out). */
  get(userIds: readonly string[]): Presence[] {
    return userIds.flatMap((id) => this.byUser.get(id) ?? []);
  }
}
