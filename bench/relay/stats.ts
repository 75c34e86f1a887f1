// Latency samples and their summaries. The recorder keeps every sample up to a
// fixed cap (exact percentiles for any run the defaults produce) and falls back
// to reservoir sampling beyond it, so a long or fast run cannot exhaust the
// load generator's memory; the maximum and the count stay exact either way.

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export const EMPTY_SUMMARY: LatencySummary = { count: 0, p50: 0, p99: 0, max: 0, mean: 0 };

const DEFAULT_CAPACITY = 1 << 22; // 4 Mi samples, 32 MiB of float64

export class LatencyRecorder {
  private samples: Float64Array;
  private stored = 0;
  private seen = 0;
  private sum = 0;
  private maximum = 0;
  private readonly capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = capacity;
    // Start small and double: most phases record far fewer samples than the cap.
    this.samples = new Float64Array(Math.min(capacity, 1 << 14));
  }

  record(ms: number): void {
    this.seen++;
    this.sum += ms;
    if (ms > this.maximum) this.maximum = ms;
    if (this.stored < this.capacity) {
      if (this.stored === this.samples.length) this.grow();
      this.samples[this.stored++] = ms;
      return;
    }
    // Algorithm R: the n-th sample replaces a random slot with probability cap/n,
    // which keeps the stored set a uniform sample of everything seen.
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = ms;
  }

  reset(): void {
    this.stored = 0;
    this.seen = 0;
    this.sum = 0;
    this.maximum = 0;
  }

  summary(): LatencySummary {
    if (this.seen === 0) return { ...EMPTY_SUMMARY };
    const sorted = this.samples.slice(0, this.stored).sort();
    return {
      count: this.seen,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: this.maximum,
      mean: this.sum / this.seen,
    };
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
    next.set(this.samples);
    this.samples = next;
  }
}

/** Nearest-rank percentile of an ascending array (0 for an empty one). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? 0;
}

/** Median of a few readings (e.g. RSS samples), robust to one outlier. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
