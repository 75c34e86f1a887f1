// Every time constant of the engine in one place. Hosts use the defaults;
// tests shorten them (a half-open connection is detected in a second, not 35).
import { TYPING_EXPIRY_MS } from '../protocol/index.ts';
import type { BackoffPolicy } from './backoff.ts';

export interface EngineTiming {
  /** Reconnect backoff: full jitter from 0.5 s up to 30 s. */
  reconnectBackoff: BackoffPolicy;
  /** How long a socket may take to open before the attempt counts as failed. */
  connectTimeoutMs: number;
  /** App-level `ping` interval, and how long to wait for its `pong`. */
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** How long a request (create, history, users…) waits for its answer. */
  requestTimeoutMs: number;
  /** How long an HTTP call (sign-in, registration) may take. */
  httpTimeoutMs: number;
  /** Own typing: `on` is repeated at most this often while typing… */
  typingRefreshMs: number;
  /** …and `off` goes out after this long without a keystroke. */
  typingIdleMs: number;
  /** Someone else's typing state expires when not refreshed for this long. */
  remoteTypingExpiryMs: number;
  /** `delivered` receipts wait this long to cover a burst with one frame. */
  deliveredReceiptDelayMs: number;
  /** After a `rate_limited` or `unavailable` nack the outbox pauses: 1 s, doubling to 30 s. */
  sendRetryBackoff: BackoffPolicy;
  /** Bytes per tus PATCH: progress moves, and a broken upload loses, at most
   * this much (docs/files.md: each PATCH must finish within the relay's
   * request timeout, so not too much on a slow link). */
  uploadChunkBytes: number;
}

export const DEFAULT_TIMING: EngineTiming = {
  reconnectBackoff: { baseMs: 500, maxMs: 30_000 },
  connectTimeoutMs: 10_000,
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  httpTimeoutMs: 15_000,
  typingRefreshMs: 3_000,
  typingIdleMs: 5_000,
  remoteTypingExpiryMs: TYPING_EXPIRY_MS,
  deliveredReceiptDelayMs: 250,
  sendRetryBackoff: { baseMs: 1_000, maxMs: 30_000 },
  uploadChunkBytes: 1024 * 1024,
};
