// Small helpers shared by the main-process suites.
import type { Log } from '../../src/main/log.ts';

/** A Log that keeps what it is told, for assertions. */
export function recordingLog(): Log & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    info: () => {},
    warn: (...args: unknown[]) => warnings.push(args.join(' ')),
    error: (...args: unknown[]) => errors.push(args.join(' ')),
  };
}
