// The RateLimits contract (relay/rate-limit.ts): what every implementation of
// the relay's rate limits and socket cap must do, in-process now and shared
// (cluster/redis-rate-limits.ts), as a suite to run against a factory. Time comes from the
// clock the factory is given, so the suite never waits.
import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../../relay/limits.ts';
import type { Clock, RateLimits } from '../../relay/rate-limit.ts';

export type RateLimitsFactory = (limits: Limits, clock: Clock) => RateLimits | Promise<RateLimits>;

/** Long enough for what a shared limiter does in the background (give back, undo, release). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

export function runRateLimitsContract(name: string, create: RateLimitsFactory): void {
  describe(`RateLimits contract: ${name}`, () => {
    test('sends: a bucket of sendBurst per user, refilled at sendsPerSecond', async () => {
      const clock = fakeClock();
      const limits = await create({ ...DEFAULT_LIMITS, sendBurst: 3, sendsPerSecond: 2 }, clock.now);
      for (let i = 0; i < 3; i++) expect(await limits.sends.take('alice')).toBe(true);
      expect(await limits.sends.take('alice')).toBe(false);
      expect(await limits.sends.take('bob')).toBe(true);
      clock.advance(500);
      expect(await limits.sends.take('alice')).toBe(true);
      expect(await limits.sends.take('alice')).toBe(false);
    });

    test('sends: a token given back (a send that was not stored) can be taken again, never beyond the burst', async () => {
      const clock = fakeClock();
      const limits = await create({ ...DEFAULT_LIMITS, sendBurst: 2, sendsPerSecond: 1 }, clock.now);
      expect(await limits.sends.take('alice')).toBe(true);
      expect(await limits.sends.take('alice')).toBe(true);
      expect(await limits.sends.take('alice')).toBe(false);
      limits.sends.giveBack('alice');
      // Giving back answers nothing: a shared limiter does it in the background.
      await settle();
      expect(await limits.sends.take('alice')).toBe(true);
      expect(await limits.sends.take('alice')).toBe(false);
      // A full bucket stays full.
      limits.sends.giveBack('bob');
      limits.sends.giveBack('bob');
      await settle();
      expect([await limits.sends.take('bob'), await limits.sends.take('bob'), await limits.sends.take('bob')]).toEqual([true, true, false]);
    });

    test('conversation changes: their own bucket, refilled per minute, apart from sends', async () => {
      const clock = fakeClock();
      const limits = await create(
        { ...DEFAULT_LIMITS, conversationChangeBurst: 2, conversationChangesPerMinute: 6, sendBurst: 1 },
        clock.now,
      );
      expect(await limits.sends.take('alice')).toBe(true);
      expect(await limits.conversationChanges.take('alice')).toBe(true);
      expect(await limits.conversationChanges.take('alice')).toBe(true);
      expect(await limits.conversationChanges.take('alice')).toBe(false);
      clock.advance(9_000);
      expect(await limits.conversationChanges.take('alice')).toBe(false);
      clock.advance(1_000);
      expect(await limits.conversationChanges.take('alice')).toBe(true);
    });

    test('failed logins and registrations: sliding windows per key', async () => {
      const clock = fakeClock();
      const limits = await create(
        { ...DEFAULT_LIMITS, failedLoginsPerUsername: 2, failedLoginWindowMs: 10_000, registrationsPerAddress: 1 },
        clock.now,
      );
      const logins = limits.failedLoginsByUsername;
      expect((await logins.attempt('alice')).retryAfterMs).toBe(0);
      clock.advance(1_000);
      expect((await logins.attempt('alice')).retryAfterMs).toBe(0);
      expect((await logins.attempt('alice')).retryAfterMs).toBe(9_000);
      expect((await logins.attempt('bob')).retryAfterMs).toBe(0);
      // A refused attempt counts nothing: the window frees on time.
      clock.advance(9_000);
      expect((await logins.attempt('alice')).retryAfterMs).toBe(0);
      expect((await limits.registrationsByAddress.attempt('10.0.0.1')).retryAfterMs).toBe(0);
      expect((await limits.registrationsByAddress.attempt('10.0.0.1')).retryAfterMs).toBeGreaterThan(0);
      expect((await limits.failedLoginsByAddress.attempt('10.0.0.1')).retryAfterMs).toBe(0);
    });

    test('failed logins: an attempt taken back (a right password) no longer counts', async () => {
      const clock = fakeClock();
      const limits = await create({ ...DEFAULT_LIMITS, failedLoginsPerUsername: 1 }, clock.now);
      const first = await limits.failedLoginsByUsername.attempt('alice');
      first.undo();
      await settle();
      expect((await limits.failedLoginsByUsername.attempt('alice')).retryAfterMs).toBe(0);
      expect((await limits.failedLoginsByUsername.attempt('alice')).retryAfterMs).toBeGreaterThan(0);
    });

    test('sockets: socketsPerUser slots per user, freed by release', async () => {
      const limits = await create({ ...DEFAULT_LIMITS, socketsPerUser: 2 }, fakeClock().now);
      expect(await limits.sockets.acquire('alice')).toBe(true);
      expect(await limits.sockets.acquire('alice')).toBe(true);
      expect(await limits.sockets.acquire('alice')).toBe(false);
      expect(await limits.sockets.acquire('bob')).toBe(true);
      limits.sockets.release('alice');
      await settle();
      expect(await limits.sockets.acquire('alice')).toBe(true);
      expect(await limits.sockets.acquire('alice')).toBe(false);
      // Releasing more than was acquired never grants more than the cap.
      for (let i = 0; i < 5; i++) limits.sockets.release('bob');
      await settle();
      expect(await limits.sockets.acquire('bob')).toBe(true);
      expect(await limits.sockets.acquire('bob')).toBe(true);
      expect(await limits.sockets.acquire('bob')).toBe(false);
    });
  });
}
