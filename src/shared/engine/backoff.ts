// Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
// Architecture Blog): attempt n waits a uniformly random time below
// min(max, base * 2^(n-1)). Randomising the whole delay, not a slice of it,
// is what spreads thousands of clients that lost the relay at the same
// instant over the whole window instead of bunching them at its start.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The upper bound of the delay before attempt `attempt` (1-based). */
export function backoffCap(attempt: number, policy: BackoffPolicy): number {
  // Capping the exponent keeps 2 ** n finite however long the relay is away.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
}

/** A uniformly random delay in [0, backoffCap(attempt)). */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCap(attempt, policy));
}
