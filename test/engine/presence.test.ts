// The presence book on its own: what the UI is told when the connection to
// the relay drops (nothing can vouch for "online" any more).
import { describe, expect, it } from 'vitest';
import type { DuplexEvent } from '../../src/shared/api.ts';
import { PresenceBook } from '../../src/shared/engine/presence.ts';

describe('PresenceBook', () => {
  it('turns every online user offline when the connection is lost, keeping lastSeen', () => {
    const events: DuplexEvent[] = [];
    const book = new PresenceBook((event) => events.push(event));
    book.update({ user: 'u_bob', online: true });
    book.update({ user: 'u_carol', online: false, lastSeen: 1_000 });
    events.length = 0;

    book.connectionLost();

    expect(events).toEqual([{ type: 'presence', presence: { user: 'u_bob', online: false } }]);
    expect(book.get(['u_bob', 'u_carol'])).toEqual([
      { user: 'u_bob', online: false },
      { user: 'u_carol', online: false, lastSeen: 1_000 },
    ]);
  });

  it('takes the relay word again after reconnecting', () => {
    const book = new PresenceBook(() => {});
    book.update({ user: 'u_bob', online: true });
    book.connectionLost();
    book.update({ user: 'u_bob', online: true });
    expect(book.get(['u_bob'])).toEqual([{ user: 'u_bob', online: true }]);
  });
});
