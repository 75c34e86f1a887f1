// `npm run bench:relay`: benchmarks the relay and a bare `ws` baseline with
// the same load in the same run, prints them side by side and writes JSON to
// bench/results/. See docs/benchmarks.md for what each figure means.
// `--smoke` runs every phase with tiny sizes (npm test does, to show the
// benchmark still works; see args.ts).
//
// Processes (the machine has two cores, so who burns CPU matters):
//   this one        coordinates; reads server memory from /proc; idle otherwise
//   relay           relay/main.ts, with a fresh data directory (with --store
//                   postgres|both, also or instead on a fresh PostgreSQL database;
//                   with --nodes N, also N of them on one more database and a
//                   private redis-server)
//   baseline        bench/relay/baseline-server.ts
//   load generators bench/relay/loadgen.ts, one per server
import { type BenchOptions, parseBenchArgs, USAGE } from './args.ts';
import { runBenchmark } from './bench.ts';
import { runBenchmarkMain } from './processes.ts';
import { describeMachine } from './machine.ts';
import { formatReport, judgeClusterGoals, judgeGoals, type Report, writeReport } from './report.ts';

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const startedAt = new Date().toISOString();
  const log = (line: string): void => console.log(`[${Math.floor(performance.now() / 1000).toString().padStart(3)} s] ${line}`);
  const machine = await describeMachine();
  log(
    `fsync p50 ${machine.fsync.p50.toFixed(2)} ms, p99 ${machine.fsync.p99.toFixed(2)} ms; ` +
      `other processes use ${machine.busyCoresBefore.toFixed(2)} cores`,
  );
  const outcomes = await runBenchmark(options, log);

  const { help: _help, ...recordedOptions } = options;
  const relay = outcomes.relay ?? null;
  const baseline = outcomes.baseline ?? null;
  const relayPostgres = outcomes['relay-postgres'];
  const relayCluster = outcomes['relay-cluster'];
  const report: Report = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    options: recordedOptions,
    relay,
    ...(relayPostgres && { relayPostgres }),
    ...(relayCluster && { relayCluster }),
    baseline,
    goals: [...judgeGoals(relay, baseline), ...(relayCluster ? judgeClusterGoals(relayCluster, relay) : [])],
  };
  console.log(`\n${formatReport(report)}\n`);
  const file = await writeReport(report, options.outDir);
  console.log(`Results: ${file} (and relay-latest.json in the same directory)`);
  const all = [relay, relayPostgres ?? null, relayCluster ?? null, baseline];
  for (const outcome of all) {
    if (outcome && 'profileDir' in outcome && outcome.profileDir) console.log(`CPU profile of the ${outcome.target}: ${outcome.profileDir}`);
  }
  return all.some((outcome) => outcome !== null && 'error' in outcome) ? 1 : 0;
}

runBenchmarkMain(main);
