// Rate limiting, in memory: a token bucket per user for sends, and sliding
// windows per username or client address for failed logins and
// registrations. State is per process; behind a load balancer each process
// enforces its own share, which is good enough against abuse.
import type { Limits } from './limits.ts';

export type Clock = () => number;

/** Allows an action now or not; taking a token is the action. */
export interface BucketLimiter {
  take(key: string): boolean;
}

/** Counts events per key and tells how long until one more is allowed. */
export interface WindowLimiter {
  /** Milliseconds until the next event for `key` is allowed; 0 when it is now. */
  retryAfterMs(key: string): number;
  record(key: string): void;
}

export interface RateLimits {
  sends: BucketLimiter;
  failedLoginsByUsername: WindowLimiter;
  failedLoginsByAddress: WindowLimiter;
  registrationsByAddress: WindowLimiter;
}

export function createRateLimits(limits: Limits, enabled: boolean, clock: Clock = Date.now): RateLimits {
  if (!enabled) {
    return {
      sends: { take: () => true },
      failedLoginsByUsername: UNLIMITED_WINDOW,
      failedLoginsByAddress: UNLIMITED_WINDOW,
      registrationsByAddress: UNLIMITED_WINDOW,
    };
  }
  return {
    sends: new TokenBuckets(limits.sendBurst, limits.sendsPerSecond, clock),
    failedLoginsByUsername: new SlidingWindows(limits.failedLoginsPerUsername, limits.failedLoginWindowMs, clock),
    failedLoginsByAddress: new SlidingWindows(limits.failedLoginsPerAddress, limits.failedLoginWindowMs, clock),
    registrationsByAddress: new SlidingWindows(limits.registrationsPerAddress, limits.registrationWindowMs, clock),
  };
}

const UNLIMITED_WINDOW: WindowLimiter = { retryAfterMs: () => 0, record: () => {} };

/** Keys are dropped once they carry no state, checked when the map has doubled. */
const MIN_PRUNE_SIZE = 1024;

export class TokenBuckets implements BucketLimiter {
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #clock: Clock;
  #pruneAtSize = MIN_PRUNE_SIZE;

  constructor(capacity: number, refillPerSecond: number, clock: Clock = Date.now) {
    this.#capacity = capacity;
    this.#refillPerMs = refillPerSecond / 1000;
    this.#clock = clock;
  }

  take(key: string): boolean {
    const now = this.#clock();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, updatedAt: now };
    bucket.tokens = this.#refilled(bucket, now);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size >= this.#pruneAtSize) this.#prune(now);
    return allowed;
  }

  #refilled(bucket: { tokens: number; updatedAt: number }, now: number): number {
    return Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs);
  }

  // A full bucket is the same as no bucket.
  #prune(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now) >= this.#capacity) this.#buckets.delete(key);
    }
    this.#pruneAtSize = Math.max(MIN_PRUNE_SIZE, this.#buckets.size * 2);
  }
}

export class SlidingWindows implements WindowLimiter {
  /** Event times per key, oldest first. */
  readonly #events = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  #pruneAtSize = MIN_PRUNE_SIZE;

  constructor(limit: number, windowMs: number, clock: Clock = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  retryAfterMs(key: string): number {
    const now = this.#clock();
    const events = this.#current(key, now);
    if (events.length < this.#limit) return 0;
    // The window frees a slot when the event `limit` places from the end expires.
    const freeing = events[events.length - this.#limit] as number;
    return Math.max(1, freeing + this.#windowMs - now);
  }

  record(key: string): void {
    const now = this.#clock();
    const events = this.#current(key, now);
    events.push(now);
    // Older events than the last `limit` can never decide anything again.
    if (events.length > this.#limit) events.splice(0, events.length - this.#limit);
    this.#events.set(key, events);
    if (this.#events.size >= this.#pruneAtSize) this.#prune(now);
  }

  #current(key: string, now: number): number[] {
    const events = this.#events.get(key) ?? [];
    const firstLive = events.findIndex((time) => time > now - this.#windowMs);
    return firstLive < 0 ? [] : events.slice(firstLive);
  }

  #prune(now: number): void {
    for (const [key, events] of this.#events) {
      const newest = events[events.length - 1];
      if (newest === undefined || newest <= now - this.#windowMs) this.#events.delete(key);
    }
    this.#pruneAtSize = Math.max(MIN_PRUNE_SIZE, this.#events.size * 2);
  }
}
