// CPU used by what a relay on PostgreSQL (and Redis) needs beside itself, for
// the cost per message that docs/scaling.md projects from: the PostgreSQL
// server processes serving the run's own database (found by their process
// title, `postgres: … USER DATABASE …`) and the run's private redis-server.
// PostgreSQL's shared background processes (WAL writer, checkpointer) serve
// every database of the server and are left out, so the PostgreSQL figure is
// a lower bound.
import { readdirSync, readFileSync } from 'node:fs';
import { readCpuSeconds } from './processes.ts';
import { sum } from './stats.ts';

export interface DependencyCpu {
  /** Cores used by the database's server processes over the window. */
  postgres: number;
  /** Cores used by the redis-server over the window; 0 without one. */
  redis: number;
}

/** CPU seconds so far of each process found, by pid. */
type Reading = { at: number; postgres: Map<number, number>; redis: number };

export class DependencyCpuMeter {
  readonly #database: string;
  readonly #redisPid: number | undefined;

  constructor(database: string, redisPid: number | undefined) {
    this.#database = database;
    this.#redisPid = redisPid;
  }

  read(): Reading {
    const postgres = new Map<number, number>();
    for (const pid of backendsOf(this.#database)) {
      const seconds = cpuSecondsOrNull(pid);
      if (seconds !== null) postgres.set(pid, seconds);
    }
    return { at: performance.now(), postgres, redis: this.#redisPid === undefined ? 0 : (cpuSecondsOrNull(this.#redisPid) ?? 0) };
  }

  /** Cores used between two readings. A server process that ended in between is missed; one that began counts whole. */
  static between(before: Reading, after: Reading): DependencyCpu {
    const seconds = (after.at - before.at) / 1000;
    const postgres = sum([...after.postgres].map(([pid, cpu]) => cpu - (before.postgres.get(pid) ?? 0)));
    return { postgres: postgres / seconds, redis: (after.redis - before.redis) / seconds };
  }
}

/** PostgreSQL server processes connected to `database` (their title names it). */
function backendsOf(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (title.startsWith('postgres: ') && title.split(' ').includes(database)) pids.push(Number(entry));
  }
  return pids;
}

function cpuSecondsOrNull(pid: number): number | null {
  try {
    return readCpuSeconds(pid);
  } catch {
    return null;
  }
}
