// The rate limiters (relay/rate-limit.ts) on a fake clock.
import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS } from '../../relay/limits.ts';
import { createRateLimits, SlidingWindows, TokenBuckets } from '../../relay/rate-limit.ts';
import { runRateLimitsContract } from './rate-limits-contract.ts';

runRateLimitsContract('in-process', (limits, clock) => createRateLimits(limits, true, clock));

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBuckets', () => {
  test('allows a burst, then refills at the given rate, per key', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(30, 10, clock.now);
    for (let i = 0; i < 30; i++) expect(buckets.take('alice')).toBe(true);
    expect(buckets.take('alice')).toBe(false);
    expect(buckets.take('bob')).toBe(true);
    clock.advance(100);
    expect(buckets.take('alice')).toBe(true);
    expect(buckets.take('alice')).toBe(false);
    clock.advance(60_000);
    for (let i = 0; i < 30; i++) expect(buckets.take('alice')).toBe(true);
    expect(buckets.take('alice')).toBe(false);
  });

  test('pruning many keys keeps the state of buckets that are not full', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(2, 1, clock.now);
    buckets.take('hot');
    buckets.take('hot');
    for (let i = 0; i < 5000; i++) buckets.take(`user-${i}`);
    expect(buckets.take('hot')).toBe(false);
    clock.advance(1_000);
    expect(buckets.take('hot')).toBe(true);
    expect(buckets.take('hot')).toBe(false);
  });
});

describe('SlidingWindows', () => {
  test('allows `limit` events per window and says how long until the next one', () => {
    const clock = fakeClock();
    const windows = new SlidingWindows(3, 60_000, clock.now);
    for (let i = 0; i < 3; i++) {
      expect(windows.retryAfterMs('key')).toBe(0);
      windows.record('key');
      clock.advance(1_000);
    }
    expect(windows.retryAfterMs('key')).toBe(57_000);
    expect(windows.retryAfterMs('other')).toBe(0);
    clock.advance(57_000);
    expect(windows.retryAfterMs('key')).toBe(0);
    windows.record('key');
    expect(windows.retryAfterMs('key')).toBe(1_000);
  });
});

describe('createRateLimits', () => {
  test('applies the configured limits', async () => {
    const clock = fakeClock();
    const limits = createRateLimits({ ...DEFAULT_LIMITS, sendBurst: 1, failedLoginsPerAddress: 1 }, true, clock.now);
    expect(await limits.sends.take('u')).toBe(true);
    expect(await limits.sends.take('u')).toBe(false);
    await limits.failedLoginsByAddress.attempt('127.0.0.1');
    expect((await limits.failedLoginsByAddress.attempt('127.0.0.1')).retryAfterMs).toBe(300_000);
  });

  test('when turned off, allows everything', async () => {
    const limits = createRateLimits({ ...DEFAULT_LIMITS, sendBurst: 1 }, false);
    for (let i = 0; i < 100; i++) {
      expect(await limits.sends.take('u')).toBe(true);
      expect(await limits.conversationChanges.take('u')).toBe(true);
      expect((await limits.failedLoginsByUsername.attempt('u')).retryAfterMs).toBe(0);
      expect((await limits.registrationsByAddress.attempt('a')).retryAfterMs).toBe(0);
    }
  });

  test('the socket cap holds even when rate limits are off', async () => {
    const limits = createRateLimits({ ...DEFAULT_LIMITS, socketsPerUser: 1 }, false);
    expect(await limits.sockets.acquire('u')).toBe(true);
    expect(await limits.sockets.acquire('u')).toBe(false);
  });
});
