// The order of the benchmark. Both servers run side by side (only one is
// loaded at a time) and their measurements are interleaved: setup, idle
// memory and the probe one after the other, then the max-rate ramps step by
// step in turn, then the latency phase in alternating slices. On a shared or
// virtual machine the CPU available changes from minute to minute; taking
// turns makes both servers face the same conditions, which is what makes
// their ratio meaningful.
import type { BenchOptions, TargetName } from './args.ts';
import type { LoadResult } from './ipc.ts';
import { machineBusyCores } from './processes.ts';
import { Ramp, type Step } from './ramp.ts';
import { BenchTarget, type TargetResult } from './target.ts';

const PROBE_SECONDS = 3;
const STEP_WARMUP_SECONDS = 0.5;
const SLICE_SECONDS = 2.5;
const SLICE_WARMUP_SECONDS = 0.5;
/**
 * Between measurements our own processes are idle, so the machine counts as
 * quiet when everything together uses less than this many cores.
 */
const QUIET_CORES = 0.15;
const QUIET_SAMPLE_MS = 500;
/** A step during which other processes used more than this many cores is measured again… */
const DISTURBED_CORES = 0.3;
/** …at most this many more times. */
const MAX_REMEASURES = 2;
/** The run waits for quiet at most this many times --quiet-wait in total. */
const QUIET_BUDGET_WAITS = 3;

export type Outcome = TargetResult | { error: string };
export type Log = (line: string) => void;

interface State {
  name: TargetName;
  target?: BenchTarget;
  error?: string;
  probe?: LoadResult;
  ramp?: Ramp;
  latency?: Step;
  metrics?: Record<string, number>;
}

export async function runBenchmark(options: BenchOptions, log: Log): Promise<Partial<Record<TargetName, Outcome>>> {
  const states: State[] = options.targets.map((name) => ({ name }));
  // Runs one action for one target; a failure takes that target out of the
  // rest of the run without stopping the other one.
  const attempt = async (state: State, action: (target: BenchTarget) => Promise<void>): Promise<void> => {
    if (state.error || !state.target) return;
    try {
      await action(state.target);
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
      log(`${state.name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : state.error}`);
      log(`${state.name}: last server output:\n${state.target.serverOutput()}`);
    }
  };
  const live = (): State[] => states.filter((state) => state.target && !state.error);

  // This benchmark often runs on a machine shared with builds and tests. Their
  // CPU would be charged to whichever server happened to be measured, so wait
  // for them to finish before each measurement: at most --quiet-wait seconds
  // each time, and at most QUIET_BUDGET_WAITS times that over the whole run,
  // after which the run measures whatever it gets (and says so).
  let quietBudgetMs = options.quietWait * 1000 * QUIET_BUDGET_WAITS;
  const quietWaitActive = (): boolean => quietBudgetMs > 0;
  const waitForQuiet = async (): Promise<void> => {
    if (!quietWaitActive()) return;
    const start = performance.now();
    const deadline = start + Math.min(options.quietWait * 1000, quietBudgetMs);
    let busy = await machineBusyCores(QUIET_SAMPLE_MS);
    if (busy >= QUIET_CORES) {
      log(`other processes use ${busy.toFixed(2)} cores; waiting up to ${options.quietWait} s for them to finish`);
      while (busy >= QUIET_CORES && performance.now() < deadline) busy = await machineBusyCores(QUIET_SAMPLE_MS);
    }
    quietBudgetMs -= performance.now() - start;
    if (busy < QUIET_CORES) return;
    log(
      quietWaitActive()
        ? `still ${busy.toFixed(2)} cores busy; measuring anyway (see "other" CPU in the results)`
        : `still ${busy.toFixed(2)} cores busy, and this run has waited long enough: no more waiting or re-measuring`,
    );
  };

  // One ramp step, measured again when other processes disturbed it.
  const measureStep = async (target: BenchTarget, sendsPerSecond: number): Promise<Step> => {
    for (let attempt = 0; ; attempt++) {
      await waitForQuiet();
      const step = await target.load(sendsPerSecond, STEP_WARMUP_SECONDS, options.stepSeconds, false);
      if (step.otherCpu <= DISTURBED_CORES || attempt >= MAX_REMEASURES || !quietWaitActive()) return step;
      log(`${target.name}: ${count(sendsPerSecond)} msg/s step disturbed (other processes used ${step.otherCpu.toFixed(2)} cores); measuring again`);
    }
  };

  try {
    for (const state of states) {
      try {
        state.target = await BenchTarget.start(state.name, options);
        log(`${state.name}: listening on ${state.target.url} (pid ${state.target.pids.join(', ')})`);
      } catch (error) {
        state.error = error instanceof Error ? error.message : String(error);
        log(`${state.name} FAILED to start: ${state.error}`);
      }
    }

    for (const state of live()) {
      await attempt(state, async (target) => {
        const setup = await target.setup();
        log(`${state.name}: ${options.clients} users in ${setup.groups} groups (register ${seconds(setup.registerMs)}, create groups ${seconds(setup.createMs)})`);
      });
    }
    for (const state of live()) {
      await attempt(state, async (target) => {
        await waitForQuiet();
        const idle = await target.connectAndMeasureIdle();
        log(`${state.name}: ${options.clients} clients connected in ${seconds(idle.connectMs)}; idle ${kb(idle.bytesPerConnection)} per connection`);
      });
    }
    for (const state of live()) {
      await attempt(state, async (target) => {
        await waitForQuiet();
        state.probe = await target.probe(Math.min(PROBE_SECONDS, options.stepSeconds));
        state.ramp = new Ramp(state.probe.acksPerSecond, options.maxSteps);
        log(`${state.name}: closed-loop probe ${count(state.probe.acksPerSecond)} msg/s, ${count(state.probe.deliveriesPerSecond)} deliveries/s`);
      });
    }

    // Max rate: the ramps advance one step each in turn until both are done.
    for (;;) {
      const pending = live().filter((state) => state.ramp?.next() !== undefined);
      if (pending.length === 0) break;
      for (const state of pending) {
        await attempt(state, async (target) => {
          const ramp = state.ramp as Ramp;
          const step = await measureStep(target, ramp.next() as number);
          ramp.record(step);
          log(`${state.name}: ${describeStep(step)}`);
        });
      }
    }

    // Latency at half the relay's maximum for both (the same load, so that
    // the baseline shows what the machine and transport alone cost at it).
    // A cluster is measured at half its own maximum: on one machine it
    // cannot reach a single relay's, and the goal is its latency at half load.
    const relayState = states.find((state) => state.name === 'relay');
    const latencyRate = (state: State): number => {
      if (options.latencyRate > 0) return options.latencyRate;
      const reference = state.name !== 'relay-cluster' && relayState?.ramp && !relayState.error ? relayState : state;
      const max = reference.ramp?.best()?.acksPerSecond ?? reference.probe?.acksPerSecond ?? 0;
      return Math.max(1, Math.round(max / 2));
    };
    const slices = Math.max(1, Math.round(options.seconds / SLICE_SECONDS));
    for (let slice = 0; slice < slices; slice++) {
      for (const state of live()) {
        await attempt(state, async (target) => {
          await waitForQuiet();
          state.latency = await target.load(latencyRate(state), SLICE_WARMUP_SECONDS, options.seconds / slices, slice > 0);
        });
      }
    }
    for (const state of live()) {
      const latency = state.latency as Step;
      log(
        `${state.name}: at ${count(latency.offeredSendsPerSecond)} msg/s, send→delivery p50 ${latency.delivery.p50.toFixed(2)} ms, ` +
          `p99 ${latency.delivery.p99.toFixed(2)} ms, max ${latency.delivery.max.toFixed(1)} ms; ` +
          `CPU stolen ${latency.stolenCpu.toFixed(2)}, other processes ${latency.otherCpu.toFixed(2)}`,
      );
      state.metrics = await state.target?.scrapeMetrics();
    }
  } finally {
    await Promise.all(states.map((state) => state.target?.stop()));
  }

  const outcomes: Partial<Record<TargetName, Outcome>> = {};
  for (const state of states) {
    if (state.error || !state.target || !state.probe || !state.ramp || !state.latency) {
      outcomes[state.name] = { error: state.error ?? 'incomplete' };
    } else {
      outcomes[state.name] = state.target.result(state.probe, state.ramp.steps, state.ramp.best(), state.latency, state.metrics);
    }
  }
  return outcomes;
}

function describeStep(step: Step): string {
  return (
    `${count(step.offeredSendsPerSecond)} msg/s offered → ${count(step.acksPerSecond)} stored/s, ` +
    `${count(step.deliveriesPerSecond)} delivered/s, p50 ${step.delivery.p50.toFixed(1)} p99 ${step.delivery.p99.toFixed(1)} ms; ` +
    `CPU server ${step.serverCpu.toFixed(2)} generator ${step.generatorCpu.toFixed(2)} stolen ${step.stolenCpu.toFixed(2)} ` +
    `other ${step.otherCpu.toFixed(2)}: ${step.verdict}`
  );
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
