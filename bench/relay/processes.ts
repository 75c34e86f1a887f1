// Launching the servers under test as child processes, reading their memory
// and CPU from /proc, and making sure no child outlives the benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { sum } from './stats.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const LISTENING_LINE = /listening on (http:\/\/[^\s]+)/;
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const KEPT_OUTPUT_LINES = 40;

// Every child we start, so that any way out of the benchmark kills them all.
const liveChildren = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

// Scratch directories (relay data, profiles) to remove if we leave abruptly.
const scratchDirs = new Set<string>();

export function trackScratchDir(dir: string): void {
  scratchDirs.add(dir);
}

export function untrackScratchDir(dir: string): void {
  scratchDirs.delete(dir);
}

/**
 * Runs a benchmark's main function: its result is the exit code; a crash is
 * printed, cleaned up after and exits with 1. Children must not outlive the
 * benchmark, however it ends (exit or a signal).
 */
export function runBenchmarkMain(main: () => Promise<number>): void {
  cleanUpOnExit();
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      emergencyCleanup();
      process.exitCode = 1;
    },
  );
}

function cleanUpOnExit(): void {
  process.on('exit', emergencyCleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      emergencyCleanup();
      process.exit(130);
    });
  }
}

/**
 * Kills every child still running and removes the scratch directories left;
 * synchronous so that it also works in an 'exit' handler.
 */
export function emergencyCleanup(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  liveChildren.clear();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** The last lines the server wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export async function launchServer(
  name: string,
  nodeArgs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, nodeArgs, { stdio: ['pipe', 'pipe', 'pipe'], env });
  track(child);
  const lines: string[] = [];
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > KEPT_OUTPUT_LINES) lines.shift();
  };
  const output = (): string => lines.join('\n');

  const url = await new Promise<string>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not print its listening line within ${STARTUP_TIMEOUT_MS} ms\n${output()}`));
    }, STARTUP_TIMEOUT_MS);
    // Both streams are read for the whole life of the child: a full pipe would
    // block a server that logs, and stall the benchmark in a misleading way.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        keep(line);
        const match = LISTENING_LINE.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.length > 0) keep(line);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during startup (code ${code}, signal ${signal})\n${output()}`));
    });
  });

  return {
    url,
    pid: child.pid ?? 0,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // SIGTERM first so that a server can shut down cleanly (and write a CPU
      // profile when asked to); SIGKILL if it does not within the grace period.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in bytes, from /proc/PID/status. */
export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** A few readings of the RSS of `pids` together, spread over `spanMs` (their median smooths GC noise). */
export async function sampleRss(pids: readonly number[], count: number, spanMs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(spanMs / (count - 1));
    samples.push(sum(pids.map(readRss)));
  }
  return samples;
}

// Linux reports CPU time in clock ticks; 100 per second on every platform
// Node supports (USER_HZ is fixed in the kernel ABI).
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process (all its threads) has used so far. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

export interface MachineCpu {
  /** CPU seconds spent running anything (all CPUs, user + system + interrupts). */
  busy: number;
  /**
   * CPU seconds the hypervisor gave to other guests while this VM wanted to
   * run. On a shared host this can be a large share of the machine under
   * load, and it shows up as throughput loss and latency spikes that no
   * server can avoid, so the report puts it next to the figures it distorts.
   */
  stolen: number;
}

export function readMachineCpu(): MachineCpu {
  const stat = readFileSync('/proc/stat', 'utf8');
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
  const fields = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).map(Number);
  const at = (index: number): number => fields[index] ?? 0;
  return {
    busy: (at(1) + at(2) + at(3) + at(6) + at(7)) / TICKS_PER_SECOND,
    stolen: at(8) / TICKS_PER_SECOND,
  };
}

/** Cores busy machine-wide (every process) over the next `ms` milliseconds. */
export async function machineBusyCores(ms: number): Promise<number> {
  const before = readMachineCpu().busy;
  await sleep(ms);
  return (readMachineCpu().busy - before) / (ms / 1000);
}
