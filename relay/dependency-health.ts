// Whether a service the relay depends on over the network (its PostgreSQL
// database) answers, for /healthz: a probe runs every interval (one at a time:
// a probe that hangs is not stacked), and the dependency counts as down once
// no probe has succeeded for `unhealthyAfterMs`, so that a load balancer
// drains a node cut off from it (docs/scaling.md). It counts as up again at
// the first probe that succeeds: nothing to restart.
import type { Logger } from './log.ts';

export class DependencyHealth {
  readonly name: string;
  readonly #probe: () => Promise<void>;
  readonly #unhealthyAfterMs: number;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  #lastSuccess = Date.now();
  #probing = false;
  #reportedDown = false;

  constructor(name: string, probe: () => Promise<void>, intervalMs: number, unhealthyAfterMs: number, log: Logger) {
    this.name = name;
    this.#probe = probe;
    this.#unhealthyAfterMs = unhealthyAfterMs;
    this.#log = log;
    this.#timer = setInterval(() => this.#check(), intervalMs);
    this.#timer.unref();
  }

  /** Milliseconds since the last answer once that is beyond unhealthyAfterMs; undefined while healthy. */
  downForMs(now = Date.now()): number | undefined {
    const since = now - this.#lastSuccess;
    return since >= this.#unhealthyAfterMs ? since : undefined;
  }

  /** What /healthz says while it is down; undefined while healthy. */
  unavailableReason(): string | undefined {
    const downFor = this.downForMs();
    return downFor === undefined ? undefined : `the ${this.name} has not answered for ${Math.round(downFor / 1000)} s`;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    if (this.#probing) {
      this.#noteIfDown();
      return;
    }
    this.#probing = true;
    this.#probe().then(
      () => {
        this.#probing = false;
        this.#lastSuccess = Date.now();
        if (this.#reportedDown) this.#log.info({ dependency: this.name }, 'dependency answers again');
        this.#reportedDown = false;
      },
      (error: unknown) => {
        this.#probing = false;
        this.#noteIfDown(error);
      },
    );
  }

  #noteIfDown(error?: unknown): void {
    const downFor = this.downForMs();
    if (downFor === undefined || this.#reportedDown) return;
    this.#reportedDown = true;
    this.#log.error({ dependency: this.name, downForMs: downFor, err: error }, 'dependency unreachable; /healthz answers 503');
  }
}
