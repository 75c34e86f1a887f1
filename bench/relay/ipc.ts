// The conversation between the benchmark (parent) and the load generator
// (child process): typed commands, typed results, and the parent-side handle
// that forks the generator and times out every request.
import { type ChildProcess, fork } from 'node:child_process';
import type { LatencySummary } from './stats.ts';
import { track } from './processes.ts';

export type TargetKind = 'relay' | 'baseline';

export interface SetupCommand {
  cmd: 'setup';
  target: TargetKind;
  /** The server's HTTP URLs (several for a cluster's nodes): setup uses the first, clients are spread over all. */
  urls: string[];
  /** Its processes, whose CPU and memory are summed. */
  serverPids: number[];
  clients: number;
  members: number;
  bodyBytes: number;
}

export interface SetupResult {
  groups: number;
  /** Deliveries each message should cause: the other members of its group. */
  meanFanout: number;
  registerMs: number;
  createMs: number;
}

export interface ConnectResult {
  connectMs: number;
}

/** Closed loop: every client keeps `window` sends in flight, for a first estimate of capacity. */
export interface ProbeCommand {
  cmd: 'probe';
  seconds: number;
  window: number;
}

/** Open loop: sends at a fixed total rate, spread evenly over the clients. */
export interface RateCommand {
  cmd: 'rate';
  sendsPerSecond: number;
  warmupSeconds: number;
  seconds: number;
  /**
   * Add this window to the previous one instead of starting afresh, so that
   * a phase can be measured in slices interleaved with another target's.
   */
  accumulate: boolean;
}

export type Command = SetupCommand | { cmd: 'connect' } | ProbeCommand | RateCommand | { cmd: 'disconnect' };

export interface LoadResult {
  mode: 'closed' | 'open';
  /** Offered sends per second (open loop); 0 in closed loop. */
  offeredSendsPerSecond: number;
  /** Length of the measured window(s) in seconds. */
  seconds: number;
  /** How many windows were added up (see RateCommand.accumulate). */
  windows: number;
  sent: number;
  acked: number;
  delivered: number;
  sendsPerSecond: number;
  /** Acks are sent only after durable storage: this is stored messages per second. */
  acksPerSecond: number;
  deliveriesPerSecond: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  nacks: number;
  errors: number;
  /** Sockets the server closed during the window. */
  closes: number;
  /** Sends the generator skipped because it fell behind its own schedule. */
  skipped: number;
  /** CPU used during the window, in cores (1.0 = one core busy). */
  serverCpu: number;
  generatorCpu: number;
  /** CPU the hypervisor took from this VM during the window, in cores (all CPUs). */
  stolenCpu: number;
  /** CPU used by every other process of the machine during the window, in cores. */
  otherCpu: number;
  /** Server RSS readings (bytes) taken during the window. */
  serverRss: number[];
  /** Whether every ack and every expected delivery arrived after the window. */
  drained: boolean;
  drainMs: number;
  /** Deliveries still missing after the drain (0 unless something was lost or stuck). */
  missingDeliveries: number;
  /** Why the window was cut short, if it was. */
  aborted?: string;
  /** A sample of unexpected answers (nack/error frames), for diagnosis. */
  firstProblem?: string;
}

export interface Request {
  id: number;
  command: Command;
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const GENERATOR_ENTRY = new URL('./loadgen.ts', import.meta.url);

/** The parent's handle on a load generator process. */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor() {
    this.child = fork(GENERATOR_ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(this.child);
    this.child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`load generator: ${reply.error}`));
    });
    this.child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`load generator exited (code ${code}, signal ${signal})`));
      }
      this.pending.clear();
    });
  }

  request<T>(command: Command, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load generator: "${command.cmd}" did not finish within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, command } satisfies Request);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    // The generator exits when its IPC channel closes; SIGKILL if it does not.
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
