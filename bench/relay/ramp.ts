// Finding the highest rate a server sustains, one open-loop step at a time.
// The ramp is a small state machine (rather than a loop that runs the steps
// itself) so that the coordinator can interleave two servers' ramps step by
// step, and both face the same machine conditions over the same minutes.
import type { LoadResult } from './ipc.ts';

/** A step is sustained when at least this share of the offered load got through… */
const SUSTAINED_SHARE = 0.95;
/**
 * …and its median send-to-delivery stayed below this. A server that falls
 * behind builds a queue that grows for the whole step, which lifts the median
 * within a second or two (5% over capacity for 3 s puts it near 75 ms). The
 * median rather than p99, because on a virtual machine a single pause of the
 * host (CPU steal) lifts the p99 of an otherwise healthy step.
 */
const SUSTAINED_P50_MS = 50;
/** More skipped sends than this share means the generator, not the server, was the limit. */
const MAX_SKIPPED_SHARE = 0.01;
/** First step, as a share of the closed-loop probe's rate. */
const START_SHARE = 0.7;
const CLIMB = 1.25;
const DESCEND = 0.6;
/** Refining stops once the best sustained and the lowest failed rate are this close. */
const RESOLUTION = 1.08;

export interface Step extends LoadResult {
  sustained: boolean;
  /** "sustained", or why the step was not. */
  verdict: string;
}

/**
 * Start a little below the closed-loop probe, climb by 25% while steps are
 * sustained (or descend while they are not), then bisect between the best
 * sustained and the lowest failed rate. At most `maxSteps` steps.
 */
export class Ramp {
  readonly steps: Step[] = [];
  private sustained: number | undefined;
  private failed: number | undefined;
  private upcoming: number | undefined;
  private readonly maxSteps: number;

  constructor(probeSendsPerSecond: number, maxSteps: number) {
    this.maxSteps = maxSteps;
    this.upcoming = Math.max(10, Math.round(probeSendsPerSecond * START_SHARE));
  }

  /** The next rate to try, or undefined when the ramp is done. */
  next(): number | undefined {
    return this.upcoming;
  }

  record(step: Step): void {
    this.steps.push(step);
    const offered = step.offeredSendsPerSecond;
    if (step.sustained) this.sustained = Math.max(this.sustained ?? 0, offered);
    else this.failed = Math.min(this.failed ?? Number.POSITIVE_INFINITY, offered);

    let upcoming: number | undefined;
    if (this.failed === undefined) upcoming = offered * CLIMB;
    else if (this.sustained === undefined) upcoming = offered * DESCEND;
    else if (this.failed / this.sustained >= RESOLUTION) upcoming = (this.sustained + this.failed) / 2;
    this.upcoming = upcoming !== undefined && upcoming >= 1 && this.steps.length < this.maxSteps ? Math.round(upcoming) : undefined;
  }

  /** The sustained step with the highest delivery rate, or null. */
  best(): Step | null {
    const sustained = this.steps.filter((step) => step.sustained);
    return sustained.sort((a, b) => b.deliveriesPerSecond - a.deliveriesPerSecond)[0] ?? null;
  }
}

/** Decides whether a window kept up with its offered load. */
export function judge(result: LoadResult, fanout: number): Step {
  const offered = result.offeredSendsPerSecond;
  const reasons: string[] = [];
  if (result.aborted) reasons.push(result.aborted);
  if (result.acksPerSecond < offered * SUSTAINED_SHARE) reasons.push(`stored only ${percent(result.acksPerSecond / offered)} of offered`);
  if (result.deliveriesPerSecond < offered * fanout * SUSTAINED_SHARE) {
    reasons.push(`delivered only ${percent(result.deliveriesPerSecond / (offered * fanout))} of expected`);
  }
  if (result.delivery.p50 > SUSTAINED_P50_MS) reasons.push(`p50 ${result.delivery.p50.toFixed(0)} ms > ${SUSTAINED_P50_MS} ms`);
  if (!result.drained) reasons.push('did not drain');
  if (result.nacks > 0 || result.errors > 0) reasons.push(`${result.nacks} nacks, ${result.errors} errors`);
  if (result.skipped > offered * result.seconds * MAX_SKIPPED_SHARE) reasons.push(`generator fell behind (${result.skipped} sends skipped)`);
  return { ...result, sustained: reasons.length === 0, verdict: reasons.length === 0 ? 'sustained' : reasons.join('; ') };
}

const percent = (value: number): string => `${Math.round(value * 100)}%`;
