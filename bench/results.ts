// Where every benchmark writes its JSON, and how: `<name>-<start time>.json`
// plus `<name>-latest.json` beside it. A smoke run (`--smoke`, see
// docs/benchmarks.md) writes to a folder of its own, so that it can never
// overwrite the figures of a real run.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('results/', import.meta.url));
export const SMOKE_RESULTS_DIR = path.join(RESULTS_DIR, 'smoke');

/** The folder a run writes to unless told otherwise. */
export function defaultResultsDir(smoke: boolean): string {
  return smoke ? SMOKE_RESULTS_DIR : RESULTS_DIR;
}

/** Writes the report; returns the path of the timestamped file. */
export async function writeResults(outDir: string, name: string, startedAt: string, report: unknown): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `${name}-${startedAt.replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(file, text);
  await writeFile(path.join(outDir, `${name}-latest.json`), text);
  return file;
}
