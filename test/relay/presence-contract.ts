// The Presence contract: what every presence implementation (in process now,
// shared through Redis later) must do, as a suite to run against a factory
// given a real store and fan-out. Announcements go through the fan-out to the
// user's contacts, so the suite listens there.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Fanout, type FanoutEvent, InProcessFanout } from '../../relay/fanout.ts';
import type { Presence } from '../../relay/presence.ts';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import type { RelayStore } from '../../relay/store/types.ts';
import type { PresenceFrame, User } from '../../src/shared/protocol/index.ts';

/** The grace after a user's last session before they count as offline. */
export const GRACE_MS = 150;
const T0 = 1_700_000_000_000;

export function runPresenceContract(
  name: string,
  create: (store: RelayStore, fanout: Fanout, graceMs: number) => Presence,
): void {
  describe(`Presence contract: ${name}`, () => {
    let store: RelayStore;
    let fanout: Fanout;
    let presence: Presence;
    let alice: User;
    let bob: User;
    /** What Alice's sockets would receive about Bob. */
    let heard: PresenceFrame[];

    beforeEach(async () => {
      store = openSqliteStore(':memory:');
      fanout = new InProcessFanout();
      presence = create(store, fanout, GRACE_MS);
      alice = (await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'x' }, T0))!;
      bob = (await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'x' }, T0))!;
      await store.openDirect(alice.id, bob.id, T0);
      heard = [];
      await fanout.subscribe(alice.id, (event: FanoutEvent) => {
        if (event.kind === 'frame') heard.push(JSON.parse(event.text) as PresenceFrame);
      });
    });
    afterEach(async () => {
      await presence.stop();
      await fanout.close();
      await store.close();
    });

    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    test('announces a user online to their contacts on connecting, once', async () => {
      presence.userConnected(bob.id);
      presence.userConnected(bob.id);
      await wait(20);
      expect(heard).toEqual([{ t: 'presence', user: bob.id, online: true }]);
      expect(await presence.describe([bob.id])).toEqual([{ user: bob.id, online: true }]);
    });

    test('announces nothing for a reconnect within the grace', async () => {
      presence.userConnected(bob.id);
      presence.userDisconnected(bob.id);
      await wait(0);
      presence.userConnected(bob.id);
      await wait(GRACE_MS * 2);
      expect(heard.map((frame) => frame.online)).toEqual([true]);
    });

    test('announces offline with lastSeen after the grace, and remembers lastSeen', async () => {
      presence.userConnected(bob.id);
      const before = Date.now();
      presence.userDisconnected(bob.id);
      await wait(GRACE_MS * 3);
      expect(heard.map((frame) => frame.online)).toEqual([true, false]);
      const lastSeen = heard[1]?.lastSeen ?? 0;
      expect(lastSeen).toBeGreaterThanOrEqual(before);
      expect(await presence.describe([bob.id, alice.id])).toEqual([
        { user: bob.id, online: false, lastSeen },
        { user: alice.id, online: false },
      ]);
    });

    test('records lastSeen for everyone still online when stopped', async () => {
      presence.userConnected(bob.id);
      const before = Date.now();
      await presence.stop();
      expect((await store.lastSeen([bob.id])).get(bob.id)).toBeGreaterThanOrEqual(before);
    });
  });
}
