// Turning results into the table printed at the end of a run and the JSON
// written to bench/results/, and judging them against the goals.
import { cpus, tmpdir } from 'node:os';
import { writeResults } from '../results.ts';
import { SMOKE_NOTE } from '../smoke.ts';
import type { BenchOptions } from './args.ts';
import { basicMachineInfo, type MachineInfo } from './machine.ts';
import type { TargetResult } from './target.ts';

/** Kept for other benchmarks (bench/client) that describe the machine the same way. */
export const machineInfo = basicMachineInfo;

/** The goals set for the relay on the 2-core reference machine. */
export const GOALS = {
  /** Relay deliveries/s at max, as a share of the baseline's (issue 10; stretch 1.0). */
  minDeliveryRatio: 0.8,
  /** p99 send-to-delivery at half the relay's maximum rate. */
  maxP99DeliveryMs: 10,
  /** RSS per idle connection (1 KB = 1000 bytes, the stricter reading). */
  maxIdleBytesPerConnection: 10_000,
} as const;

/** The goals of a cluster (--nodes; issue 9): the cost of clustering, against one node on SQLite. */
export const CLUSTER_GOALS = {
  /** The cluster's deliveries/s at max, as a share of one SQLite relay's. */
  minDeliveryRatio: 0.5,
  /** p99 send-to-delivery at the cluster's latency phase (half its own maximum). */
  maxP99DeliveryMs: 25,
} as const;

export interface GoalVerdict {
  goal: string;
  value: number | null;
  target: number;
  met: boolean | null;
}

export interface Report {
  version: 1;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  options: Omit<BenchOptions, 'help'>;
  relay: TargetResult | { error: string } | null;
  /** The same relay on PostgreSQL (--store postgres|both); absent when not run. */
  relayPostgres?: TargetResult | { error: string } | null;
  /** --nodes relays on PostgreSQL and Redis, measured together; absent when not run. */
  relayCluster?: TargetResult | { error: string } | null;
  baseline: TargetResult | { error: string } | null;
  goals: GoalVerdict[];
}

export function isResult(value: TargetResult | { error: string } | null): value is TargetResult {
  return value !== null && !('error' in value);
}

export function judgeGoals(relay: Report['relay'], baseline: Report['baseline']): GoalVerdict[] {
  const ours = isResult(relay) ? relay : null;
  const theirs = isResult(baseline) ? baseline : null;
  const ratio = ours?.max && theirs?.max ? ours.max.deliveriesPerSecond / theirs.max.deliveriesPerSecond : null;
  const p99 = ours ? ours.latency.delivery.p99 : null;
  const idle = ours ? ours.memory.idleBytesPerConnection : null;
  return [
    {
      goal: `delivery rate ≥ ${GOALS.minDeliveryRatio} × baseline`,
      value: ratio,
      target: GOALS.minDeliveryRatio,
      met: ratio === null ? null : ratio >= GOALS.minDeliveryRatio,
    },
    {
      goal: `p99 send→delivery < ${GOALS.maxP99DeliveryMs} ms at half max`,
      value: p99,
      target: GOALS.maxP99DeliveryMs,
      met: p99 === null ? null : p99 < GOALS.maxP99DeliveryMs,
    },
    {
      goal: `idle memory < ${GOALS.maxIdleBytesPerConnection / 1000} KB per connection`,
      value: idle,
      target: GOALS.maxIdleBytesPerConnection,
      met: idle === null ? null : idle < GOALS.maxIdleBytesPerConnection,
    },
  ];
}

/** The cluster's goals, against the SQLite relay of the same run. */
export function judgeClusterGoals(cluster: Report['relayCluster'], relay: Report['relay']): GoalVerdict[] {
  const nodes = isResult(cluster ?? null) ? (cluster as TargetResult) : null;
  const one = isResult(relay) ? relay : null;
  const ratio = nodes?.max && one?.max ? nodes.max.deliveriesPerSecond / one.max.deliveriesPerSecond : null;
  const p99 = nodes ? nodes.latency.delivery.p99 : null;
  return [
    {
      goal: `cluster delivery rate ≥ ${CLUSTER_GOALS.minDeliveryRatio} × one SQLite relay`,
      value: ratio,
      target: CLUSTER_GOALS.minDeliveryRatio,
      met: ratio === null ? null : ratio >= CLUSTER_GOALS.minDeliveryRatio,
    },
    {
      goal: `cluster p99 send→delivery < ${CLUSTER_GOALS.maxP99DeliveryMs} ms at half max`,
      value: p99,
      target: CLUSTER_GOALS.maxP99DeliveryMs,
      met: p99 === null ? null : p99 < CLUSTER_GOALS.maxP99DeliveryMs,
    },
  ];
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed =
  (digits: number) =>
  (value: number): string =>
    value.toFixed(digits);

type Row = [label: string, pick: (result: TargetResult) => number | null | undefined, format: (value: number) => string];

const ROWS: Row[] = [
  ['max sustained stored msg/s', (r) => r.max?.acksPerSecond, count],
  ['max sustained deliveries/s', (r) => r.max?.deliveriesPerSecond, count],
  ['  server CPU at max (cores)', (r) => r.max?.serverCpu, fixed(2)],
  ['  generator CPU at max (cores)', (r) => r.max?.generatorCpu, fixed(2)],
  ['  CPU stolen by host at max (cores)', (r) => r.max?.stolenCpu, fixed(2)],
  ['  CPU of other processes at max', (r) => r.max?.otherCpu, fixed(2)],
  ['  PostgreSQL CPU at max (cores)', (r) => r.max?.dependencyCpu?.postgres, fixed(2)],
  ['  Redis CPU at max (cores)', (r) => r.max?.dependencyCpu?.redis, fixed(2)],
  ['  relay CPU per delivery at max (µs)', (r) => r.max && (r.max.serverCpu / r.max.deliveriesPerSecond) * 1e6, fixed(1)],
  ['  PostgreSQL CPU per stored msg at max (µs)', (r) => r.max?.dependencyCpu && (r.max.dependencyCpu.postgres / r.max.acksPerSecond) * 1e6, fixed(1)],
  ['  Redis CPU per delivery at max (µs)', (r) => r.max?.dependencyCpu && (r.max.dependencyCpu.redis / r.max.deliveriesPerSecond) * 1e6, fixed(1)],
  ['latency phase rate (msg/s)', (r) => r.latency.offeredSendsPerSecond, count],
  ['  deliveries/s', (r) => r.latency.deliveriesPerSecond, count],
  ['  send→ack p50 (ms)', (r) => r.latency.ack.p50, fixed(2)],
  ['  send→ack p99 (ms)', (r) => r.latency.ack.p99, fixed(2)],
  ['  send→ack max (ms)', (r) => r.latency.ack.max, fixed(1)],
  ['  send→delivery p50 (ms)', (r) => r.latency.delivery.p50, fixed(2)],
  ['  send→delivery p99 (ms)', (r) => r.latency.delivery.p99, fixed(2)],
  ['  send→delivery max (ms)', (r) => r.latency.delivery.max, fixed(1)],
  ['  server CPU (cores)', (r) => r.latency.serverCpu, fixed(2)],
  ['  CPU stolen by host (cores)', (r) => r.latency.stolenCpu, fixed(2)],
  ['  CPU of other processes (cores)', (r) => r.latency.otherCpu, fixed(2)],
  ['memory per idle connection (KB)', (r) => r.memory.idleBytesPerConnection / 1000, fixed(1)],
  ['memory per busy connection (KB)', (r) => r.memory.busyBytesPerConnection / 1000, fixed(1)],
  ['RSS before connecting (MB)', (r) => r.memory.rssBeforeConnectBytes / 1e6, fixed(1)],
  ['peak RSS (MB)', (r) => r.memory.rssPeakBytes / 1e6, fixed(1)],
];

export function formatReport(report: Report): string {
  const ours = isResult(report.relay) ? report.relay : null;
  const theirs = isResult(report.baseline) ? report.baseline : null;
  const onPostgres = report.relayPostgres === undefined ? undefined : isResult(report.relayPostgres) ? report.relayPostgres : null;
  const cluster = report.relayCluster === undefined ? undefined : isResult(report.relayCluster) ? report.relayCluster : null;
  const { options, machine } = report;
  const lines: string[] = [];
  lines.push(
    `Duplex relay benchmark: ${options.clients} clients in groups of ${options.members}, ${options.bodyBytes}-byte bodies` +
      (options.smoke ? SMOKE_NOTE : ''),
    `${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node}, Linux ${machine.kernel}`,
    `fsync of 4 KiB in ${tmpdir()}: p50 ${machine.fsync.p50.toFixed(2)} ms, p99 ${machine.fsync.p99.toFixed(2)} ms, max ${machine.fsync.max.toFixed(1)} ms; ` +
      `other processes used ${machine.busyCoresBefore.toFixed(2)} cores before the run`,
    '',
  );

  // Columns: the relay (SQLite), the relay on PostgreSQL and the cluster when
  // they ran, the baseline; then the ratios.
  const value = (result: TargetResult | null, pick: Row[1]): number | null => (result ? (pick(result) ?? null) : null);
  const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '—' : (a / b).toFixed(2));
  const show = (format: Row[2], figure: number | null): string => (figure === null ? '—' : format(figure));
  const columns: Array<[title: string, result: TargetResult | null]> = [
    ['relay', ours],
    ...(onPostgres === undefined ? [] : [['relay-pg', onPostgres] as [string, TargetResult | null]]),
    ...(cluster === undefined ? [] : [[`cluster-${options.nodes}n`, cluster] as [string, TargetResult | null]]),
    ['baseline', theirs],
  ];
  const ratios: Array<[title: string, numerator: TargetResult | null, denominator: TargetResult | null]> = [
    ['relay÷base', ours, theirs],
    ...(onPostgres === undefined ? [] : [['pg÷sqlite', onPostgres, ours] as [string, TargetResult | null, TargetResult | null]]),
    ...(cluster === undefined ? [] : [['cluster÷sqlite', cluster, ours] as [string, TargetResult | null, TargetResult | null]]),
  ];
  const cells = ROWS.map(([label, pick, format]) => [
    label,
    ...columns.map(([, result]) => show(format, value(result, pick))),
    ...ratios.map(([, a, b]) => ratio(value(a, pick), value(b, pick))),
  ]);
  const header = ['', ...columns.map(([title]) => title), ...ratios.map(([title]) => title)];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  lines.push(line(header), ...cells.map(line), '');

  const targets = [
    ['relay', report.relay],
    ['relay-postgres', report.relayPostgres ?? null],
    ['relay-cluster', report.relayCluster ?? null],
    ['baseline', report.baseline],
  ] as const;
  for (const [name, result] of targets) {
    if (result && 'error' in result) lines.push(`${name} FAILED: ${result.error.split('\n')[0]}`);
    if (isResult(result)) lines.push(...warnings(name, result));
  }

  lines.push('Goals:');
  for (const verdict of report.goals) {
    const mark = verdict.met === null ? 'n/a ' : verdict.met ? 'MET ' : 'MISS';
    lines.push(`  ${mark} ${verdict.goal}: ${describeGoalValue(verdict)}`);
  }
  return lines.join('\n');
}

function warnings(name: string, result: TargetResult): string[] {
  const notes: string[] = [];
  if (!result.max) notes.push(`${name}: no step was sustained; see the steps in the JSON`);
  // With two cores, a generator near a full core means the server may not
  // have been the limit: the figure is then a lower bound.
  if (result.max && result.max.generatorCpu > 0.9) {
    notes.push(
      `${name}: the load generator used ${result.max.generatorCpu.toFixed(2)} cores at max (the server ${result.max.serverCpu.toFixed(2)}), ` +
        'so the generator may have been the limit: this maximum is a lower bound',
    );
  }
  const metrics = result.serverMetrics;
  const commits = metrics?.duplex_group_commit_sends_count;
  if (metrics && commits) {
    const sends = metrics.duplex_group_commit_sends_sum ?? 0;
    notes.push(`${name}: ${Math.round(commits).toLocaleString('en-US')} group commits of ${(sends / commits).toFixed(1)} sends on average (its /metrics)`);
  }
  const disturbed = Math.max(result.max?.otherCpu ?? 0, result.latency.otherCpu);
  if (disturbed > 0.3) notes.push(`${name}: other processes used up to ${disturbed.toFixed(2)} cores during the measures; the figures are pessimistic`);
  if (!result.latency.sustained) notes.push(`${name}: latency phase not sustained: ${result.latency.verdict}`);
  // Steal is CPU time the hypervisor gave to other guests while ours wanted
  // it: it caps throughput and adds latency spikes that are not the server's.
  const steal = Math.max(result.max?.stolenCpu ?? 0, result.latency.stolenCpu);
  if (steal > 0.1) notes.push(`${name}: the host stole up to ${steal.toFixed(2)} of the ${cpus().length} CPUs during the measures; expect noisy tails`);
  return notes;
}

function describeGoalValue(verdict: GoalVerdict): string {
  if (verdict.value === null) return 'not measured';
  if (verdict.goal.includes('memory')) return `${(verdict.value / 1000).toFixed(1)} KB`;
  if (verdict.goal.includes('ms')) return `${verdict.value.toFixed(2)} ms`;
  return verdict.value.toFixed(2);
}

export function writeReport(report: Report, outDir: string): Promise<string> {
  return writeResults(outDir, 'relay', report.startedAt, report);
}
