// Rate limiting and caps: token buckets per user for sends, conversation
// changes and uploads, sliding windows per username or client address for
// failed logins and registrations, and counted slots per user for sockets.
// RateLimits is the seam: these in-memory limiters hold per process; with
// --redis-url the relay counts them cluster-wide in Redis
// (cluster/redis-rate-limits.ts). The interface is asynchronous for that
// implementation's sake; the in-memory one answers in the same turn. Every
// implementation passes test/relay/rate-limits-contract.ts. The numbers come
// from the limits table (limits.ts).
import type { Limits } from './limits.ts';

export type Clock = () => number;

/** Allows an action now or not; taking a token is the action. */
export interface BucketLimiter {
  take(key: string): Promise<boolean>;
  /** Returns a token taken for an action that then did not happen (a send that was not stored). */
  giveBack(key: string): void;
}

/** The outcome of one attempt on a sliding window. */
export interface WindowAttempt {
  /** 0 when the attempt was allowed (and counted); else milliseconds until one is, and nothing was counted. */
  retryAfterMs: number;
  /** Takes the counted attempt back (a login that turned out right); nothing for a refused one. */
  undo(): void;
}

/** Counts attempts per key within a sliding window, up to a limit. */
export interface WindowLimiter {
  /** Checks and counts in one step, so that parallel attempts cannot all pass the check first. */
  attempt(key: string): Promise<WindowAttempt>;
}

/** Holds up to a maximum of slots per key; a slot is held until released. */
export interface SlotLimiter {
  /** False when `key` already holds the maximum. */
  acquire(key: string): Promise<boolean>;
  release(key: string): void;
}

export interface RateLimits {
  sends: BucketLimiter;
  /** `create`, `add`, `rename`, `leave`: each is multiplied to every member. */
  conversationChanges: BucketLimiter;
  failedLoginsByUsername: WindowLimiter;
  failedLoginsByAddress: WindowLimiter;
  registrationsByAddress: WindowLimiter;
  /** Uploads created (tus POST) per user. */
  uploads: BucketLimiter;
  /** Open sessions per user. A cap rather than a rate: it holds even when rate limits are off. */
  sockets: SlotLimiter;
}

/** The in-memory limits of one process. */
export function createRateLimits(limits: Limits, enabled: boolean, clock: Clock = Date.now): RateLimits {
  const sockets = slotLimiter(new CountedSlots(limits.socketsPerUser));
  if (!enabled) return unlimitedRates(sockets);
  return {
    sends: bucketLimiter(new TokenBuckets(limits.sendBurst, limits.sendsPerSecond, clock)),
    conversationChanges: bucketLimiter(
      new TokenBuckets(limits.conversationChangeBurst, limits.conversationChangesPerMinute / 60, clock),
    ),
    failedLoginsByUsername: windowLimiter(new SlidingWindows(limits.failedLoginsPerUsername, limits.failedLoginWindowMs, clock)),
    failedLoginsByAddress: windowLimiter(new SlidingWindows(limits.failedLoginsPerAddress, limits.failedLoginWindowMs, clock)),
    registrationsByAddress: windowLimiter(new SlidingWindows(limits.registrationsPerAddress, limits.registrationWindowMs, clock)),
    uploads: bucketLimiter(new TokenBuckets(limits.uploadBurst, limits.uploadsPerMinute / 60, clock)),
    sockets,
  };
}

/** Rate limits turned off (load tests): everything allowed, the socket cap kept. */
export function unlimitedRates(sockets: SlotLimiter): RateLimits {
  return {
    sends: UNLIMITED_BUCKET,
    conversationChanges: UNLIMITED_BUCKET,
    failedLoginsByUsername: UNLIMITED_WINDOW,
    failedLoginsByAddress: UNLIMITED_WINDOW,
    registrationsByAddress: UNLIMITED_WINDOW,
    uploads: UNLIMITED_BUCKET,
    sockets,
  };
}

// The in-memory limiters behind the asynchronous interface: each answer is
// decided in the same turn as the call, so checking and counting stay atomic.
export function bucketLimiter(buckets: TokenBuckets): BucketLimiter {
  return { take: async (key) => buckets.take(key), giveBack: (key) => buckets.giveBack(key) };
}

export function windowLimiter(windows: SlidingWindows): WindowLimiter {
  return {
    async attempt(key) {
      const retryAfterMs = windows.retryAfterMs(key);
      return retryAfterMs > 0 ? { retryAfterMs, undo: () => {} } : { retryAfterMs: 0, undo: windows.record(key) };
    },
  };
}

export function slotLimiter(slots: CountedSlots): SlotLimiter {
  return { acquire: async (key) => slots.acquire(key), release: (key) => slots.release(key) };
}

const UNLIMITED_BUCKET: BucketLimiter = { take: async () => true, giveBack: () => {} };
const UNLIMITED_WINDOW: WindowLimiter = { attempt: async () => ({ retryAfterMs: 0, undo: () => {} }) };

/** Keys are dropped once they carry no state, checked when the map has doubled. */
const MIN_PRUNE_SIZE = 1024;

export class TokenBuckets {
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

  giveBack(key: string): void {
    const bucket = this.#buckets.get(key);
    // No bucket is a full one.
    if (bucket) bucket.tokens = Math.min(this.#capacity, bucket.tokens + 1);
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

export class SlidingWindows {
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

  record(key: string): () => void {
    const now = this.#clock();
    const events = this.#current(key, now);
    events.push(now);
    // Older events than the last `limit` can never decide anything again.
    if (events.length > this.#limit) events.splice(0, events.length - this.#limit);
    this.#events.set(key, events);
    if (this.#events.size >= this.#pruneAtSize) this.#prune(now);
    return () => this.#forget(key, now);
  }

  /** Drops one event recorded at `time`, if the key still has it. */
  #forget(key: string, time: number): void {
    const events = this.#events.get(key);
    const index = events?.lastIndexOf(time) ?? -1;
    if (index >= 0) events?.splice(index, 1);
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

export class CountedSlots {
  readonly #held = new Map<string, number>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  acquire(key: string): boolean {
    const held = this.#held.get(key) ?? 0;
    if (held >= this.#max) return false;
    this.#held.set(key, held + 1);
    return true;
  }

  release(key: string): void {
    const held = this.#held.get(key) ?? 0;
    if (held <= 1) this.#held.delete(key);
    else this.#held.set(key, held - 1);
  }

  /** Slots `key` holds. */
  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }
}
