// What the machine was like during the run: hardware and software, how fast
// it makes a write durable, and how busy it already was. A relay with durable
// storage waits for fsync on every commit, and on a shared or virtual machine
// that wait varies by orders of magnitude, so the report records it next to
// the figures it explains.
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { machineBusyCores } from './processes.ts';
import { LatencyRecorder, type LatencySummary } from './stats.ts';

const FSYNC_SAMPLES = 200;
const FSYNC_BUDGET_MS = 5_000;
const BLOCK = Buffer.alloc(4096, 0x61);

export interface BasicMachineInfo {
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  node: string;
  kernel: string;
}

export interface MachineInfo extends BasicMachineInfo {
  /** Write-4-KiB-then-fsync latency in the temp directory (where the relay's data goes), ms. */
  fsync: LatencySummary;
  /** Cores busy with other processes just before the run. */
  busyCoresBefore: number;
}

/** Hardware and software only; instant. */
export function basicMachineInfo(): BasicMachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpus: list.length,
    memoryBytes: totalmem(),
    node: process.version,
    kernel: release(),
  };
}

/** Everything in MachineInfo; takes a second or two. */
export async function describeMachine(): Promise<MachineInfo> {
  const busyCoresBefore = await machineBusyCores(1_000);
  return { ...basicMachineInfo(), fsync: measureFsync(), busyCoresBefore };
}

/** Appends 4 KiB blocks to a file and fsyncs each, as a WAL commit does. Bounded in count and time. */
function measureFsync(): LatencySummary {
  const file = join(tmpdir(), `duplex-bench-fsync-${process.pid}`);
  const recorder = new LatencyRecorder(FSYNC_SAMPLES);
  const fd = openSync(file, 'w');
  try {
    const deadline = performance.now() + FSYNC_BUDGET_MS;
    for (let i = 0; i < FSYNC_SAMPLES && performance.now() < deadline; i++) {
      writeSync(fd, BLOCK);
      const start = performance.now();
      fsyncSync(fd);
      recorder.record(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return recorder.summary();
}
