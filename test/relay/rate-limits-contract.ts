// The RateLimits contract (relay/rate-limit.ts): what every implementation of
// the relay's rate limits and socket cap must do, in-process now and shared
// (Redis) later, as a suite to run against a factory. Time comes from the
// clock the factory is given, so the suite never waits.
import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../../relay/limits.ts';
import type { Clock, RateLimits } from '../../relay/rate-limit.ts';

export type RateLimitsFactory = (limits: Limits, clock: Clock) => RateLimits | Promise<RateLimits>;

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

export function runRateLimitsContract(name: string, create: RateLimitsFactory): void {
  describe(`RateLimits contract: ${name}`, () => {
    test('sends: a bucket of sendBurst per user, refilled at sendsPerSecond', async () => {
      const clock = fakeClock();
      const limits = await create({ ...DEFAULT_LIMITS, sendBurst: 3, sendsPerSecond: 2 }, clock.now);
      for (let i = 0; i < 3; i++) expect(limits.sends.take('alice')).toBe(true);
      expect(limits.sends.take('alice')).toBe(false);
      expect(limits.sends.take('bob')).toBe(true);
      clock.advance(500);
      expect(limits.sends.take('alice')).toBe(true);
      expect(limits.sends.take('alice')).toBe(false);
    });

    test('sends: a token given back (a send that was not stored) can be taken again, never beyond the burst', async () => {
      const clock = fakeClock();
      const limits = await create({ ...DEFAULT_LIMITS, sendBurst: 2, sendsPerSecond: 1 }, clock.now);
      expect(limits.sends.take('alice')).toBe(true);
      expect(limits.sends.take('alice')).toBe(true);
      expect(limits.sends.take('alice')).toBe(false);
      limits.sends.giveBack('alice');
      expect(limits.sends.take('alice')).toBe(true);
      expect(limits.sends.take('alice')).toBe(false);
      // A full bucket stays full.
      limits.sends.giveBack('bob');
      limits.sends.giveBack('bob');
      expect([1, 2, 3].map(() => limits.sends.take('bob'))).toEqual([true, true, false]);
    });

    test('conversation changes: their own bucket, refilled per minute, apart from sends', async () => {
      const clock = fakeClock();
      const limits = await create(
        { ...DEFAULT_LIMITS, conversationChangeBurst: 2, conversationChangesPerMinute: 6, sendBurst: 1 },
        clock.now,
      );
      expect(limits.sends.take('alice')).toBe(true);
      expect(limits.conversationChanges.take('alice')).toBe(true);
      expect(limits.conversationChanges.take('alice')).toBe(true);
      expect(limits.conversationChanges.take('alice')).toBe(false);
      clock.advance(9_000);
      expect(limits.conversationChanges.take('alice')).toBe(false);
      clock.advance(1_000);
      expect(limits.conversationChanges.take('alice')).toBe(true);
    });

    test('failed logins and registrations: sliding windows per key', async () => {
      const clock = fakeClock();
      const limits = await create(
        { ...DEFAULT_LIMITS, failedLoginsPerUsername: 2, failedLoginWindowMs: 10_000, registrationsPerAddress: 1 },
        clock.now,
      );
      limits.failedLoginsByUsername.record('alice');
      clock.advance(1_000);
      limits.failedLoginsByUsername.record('alice');
      expect(limits.failedLoginsByUsername.retryAfterMs('alice')).toBe(9_000);
      expect(limits.failedLoginsByUsername.retryAfterMs('bob')).toBe(0);
      clock.advance(9_000);
      expect(limits.failedLoginsByUsername.retryAfterMs('alice')).toBe(0);
      limits.registrationsByAddress.record('10.0.0.1');
      expect(limits.registrationsByAddress.retryAfterMs('10.0.0.1')).toBeGreaterThan(0);
      expect(limits.failedLoginsByAddress.retryAfterMs('10.0.0.1')).toBe(0);
    });

    test('sockets: socketsPerUser slots per user, freed by release', async () => {
      const limits = await create({ ...DEFAULT_LIMITS, socketsPerUser: 2 }, fakeClock().now);
      expect(limits.sockets.acquire('alice')).toBe(true);
      expect(limits.sockets.acquire('alice')).toBe(true);
      expect(limits.sockets.acquire('alice')).toBe(false);
      expect(limits.sockets.acquire('bob')).toBe(true);
      limits.sockets.release('alice');
      expect(limits.sockets.acquire('alice')).toBe(true);
      expect(limits.sockets.acquire('alice')).toBe(false);
      // Releasing more than was acquired never grants more than the cap.
      for (let i = 0; i < 5; i++) limits.sockets.release('bob');
      expect(limits.sockets.acquire('bob')).toBe(true);
      expect(limits.sockets.acquire('bob')).toBe(true);
      expect(limits.sockets.acquire('bob')).toBe(false);
    });
  });
}
