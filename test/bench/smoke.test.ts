// Every benchmark in its smoke mode (`--smoke`: tiny sizes, a few seconds),
// so that none can rot unnoticed: each must finish, print its table and
// write finite figures to its JSON. Speed is never judged here; that is what
// the real runs are for (docs/benchmarks.md, "Smoke runs"). A benchmark that
// hangs fails by its deadline, with its last output.
//
// Run by `npm run test:bench` (part of `npm test`, after the build, since
// bench:ui serves out/web). A new benchmark adds one line to SMOKE_RUNS.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

interface SmokeRun {
  /** The npm script. */
  script: string;
  /** Its entry point, run as `node ENTRY --smoke --out TEMP_DIR [ARGS]`. */
  entry: string;
  /** Options of a mode of the benchmark that its plain smoke run does not cover. */
  args?: string[];
  /** Something only its printed table has. */
  table: RegExp;
  /** The JSON file it writes (the -latest one) … */
  json: string;
  /** … and dotted paths in it that must hold finite numbers: its headline figures. */
  figures: string[];
  /** How long it may take before it counts as hung: several times what it
   * takes on a busy 2-core machine, since this judges only that it ends. */
  deadlineMs: number;
}

const SMOKE_RUNS: SmokeRun[] = [
  { script: 'bench:relay', entry: 'bench/relay/run.ts', table: /relay÷base/, json: 'relay-latest.json', figures: ['relay.latency.delivery.p99', 'baseline.latency.delivery.p99', 'relay.memory.idleBytesPerConnection', 'baseline.probe.acksPerSecond'], deadlineMs: 90_000 },
  { script: 'bench:relay --store postgres', entry: 'bench/relay/run.ts', args: ['--store', 'postgres', '--targets', 'relay'], table: /pg÷sqlite/, json: 'relay-latest.json', figures: ['relayPostgres.latency.delivery.p99', 'relayPostgres.probe.acksPerSecond', 'relayPostgres.memory.idleBytesPerConnection'], deadlineMs: 90_000 },
  { script: 'bench:relay --nodes 3', entry: 'bench/relay/run.ts', args: ['--nodes', '3', '--targets', 'relay'], table: /cluster÷sqlite/, json: 'relay-latest.json', figures: ['relayCluster.latency.delivery.p99', 'relayCluster.probe.acksPerSecond', 'relayCluster.latency.dependencyCpu.postgres', 'relayCluster.latency.dependencyCpu.redis'], deadlineMs: 120_000 },
  { script: 'bench:client', entry: 'bench/client/run.ts', table: /^ {2}newest page of 50 \(ms\) +\d/m, json: 'client-latest.json', figures: ['localEchoMs.p50', 'flush.0.flushedPerSecond', 'flush.1.flushedPerSecond', 'rawSendBaseline.sentPerSecond', 'rawSendBaselineAfter.sentPerSecond', 'flushOneToBaseline', 'memory.catchUpSeconds', 'memory.heapGrowthMB', 'search.queries.0.indexMs.p50', 'search.queries.0.scanMs.p50', 'search.queries.1.speedup'], deadlineMs: 90_000 },
  { script: 'soak', entry: 'bench/soak/run.ts', table: /^t \(s\) +RSS MiB/m, json: 'soak-latest.json', figures: ['windows.0.rssMiB', 'windows.0.ack.p50', 'windows.0.delivery.p99', 'probe.received'], deadlineMs: 90_000 },
  { script: 'bench:files', entry: 'bench/files/run.ts', table: /^\d+ MiB upload +\d/m, json: 'files-latest.json', figures: ['relay.bigUploadMiBps', 'baseline.bigUploadMiBps', 'baselineFsync.bigUploadMiBps', 'relay.smallUploadFilesPerSecond', 'relay.smallDownloadFilesPerSecond', 'relay.bigUploadRssGrowth'], deadlineMs: 90_000 },
  { script: 'bench:fanout', entry: 'bench/fanout/run.ts', table: /redis÷inproc/, json: 'fanout-latest.json', figures: ['inProcess.deliveriesPerSecond', 'redis.deliveriesPerSecond', 'redis.latency.p99', 'ratios.deliveriesPerSecond'], deadlineMs: 90_000 },
  { script: 'bench:ui', entry: 'bench/ui/run.ts', table: /^open: click → first row \(median ms\)/m, json: 'ui-latest.json', figures: ['setup.catchUpSeconds', 'rich.open.newestVisibleMs.p50', 'text.open.newestVisibleMs.p50', 'rich.scroll.frameMs.p50', 'rich.scroll.longTasks', 'text.scroll.longestTaskMs', 'rich.send.sentMs.p50'], deadlineMs: 120_000 },
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** After SIGTERM (which lets a benchmark close its browser and relay), how long before SIGKILL. */
const KILL_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 3_000;

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  hung: boolean;
}

/** Runs the benchmark in a process group of its own, so that a hung one is
 * stopped with every process it started. */
function runSmoke(run: SmokeRun, outDir: string): Promise<Finished> {
  const child: ChildProcess = spawn(process.execPath, [run.entry, '--smoke', '--out', outDir, ...(run.args ?? [])], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let hung = false;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const deadline = setTimeout(() => {
    hung = true;
    signalGroup('SIGTERM');
    setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS).unref();
  }, run.deadlineMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, output, hung });
    });
  });
}

function at(report: unknown, dotted: string): unknown {
  let value = report;
  for (const key of dotted.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.concurrent('every benchmark runs in its smoke mode', () => {
  it('stops a benchmark that hangs by its deadline, with every process it started', { timeout: 15_000 }, async () => {
    const hanging: SmokeRun = { script: 'hanging', entry: 'test/bench/fixtures/hanging-bench.ts', table: /never/, json: '', figures: [], deadlineMs: 1_000 };
    const finished = await runSmoke(hanging, tmpdir());
    expect(finished.hung).toBe(true);
    const [, parent, child] = /pid (\d+), child (\d+)/.exec(finished.output) ?? [];
    expect(child, finished.output).toBeDefined();
    // The group got SIGTERM (SIGKILL follows for a process that ignores it).
    await vi.waitFor(
      () => {
        for (const pid of [parent, child]) expect(isAlive(Number(pid)), `pid ${pid} still runs`).toBe(false);
      },
      { timeout: KILL_GRACE_MS + 2_000, interval: 100 },
    );
  });


  for (const run of SMOKE_RUNS) {
    it(`${run.script} --smoke completes, prints its table and writes finite figures`, { timeout: run.deadlineMs + 2 * KILL_GRACE_MS }, async () => {
      const outDir = mkdtempSync(path.join(tmpdir(), 'duplex-bench-smoke-'));
      outDirs.push(outDir);
      const finished = await runSmoke(run, outDir);
      const tail = `\n--- last output of ${run.entry} ---\n${finished.output.slice(-OUTPUT_TAIL_CHARS)}`;

      if (finished.hung) throw new Error(`${run.script} --smoke did not finish within ${run.deadlineMs / 1000} s: it hangs or has become far too slow${tail}`);
      expect(finished.code, `${run.script} --smoke exited with ${finished.code ?? finished.signal}${tail}`).toBe(0);
      expect(finished.output, `no table printed${tail}`).toMatch(run.table);
      expect(finished.output, `the run does not say it is a smoke run${tail}`).toMatch(/SMOKE RUN/);

      const report: unknown = JSON.parse(readFileSync(path.join(outDir, run.json), 'utf8'));
      for (const figure of run.figures) {
        const value = at(report, figure);
        expect(typeof value === 'number' && Number.isFinite(value), `${run.json}: ${figure} is ${JSON.stringify(value)}, not a finite number`).toBe(true);
      }
    });
  }
});
