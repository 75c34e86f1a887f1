// What every benchmark's smoke mode (`--smoke`, docs/benchmarks.md "Smoke
// runs") shares: option presets that give way to options given explicitly,
// and the note its printed table carries.

/** Appended to the table's title line of a smoke run. */
export const SMOKE_NOTE = ' (SMOKE RUN: it only shows that the benchmark runs; the figures mean nothing)';

/** Reads an option's raw value: as given, else the smoke preset (in a smoke
 * run), else the default. */
export function presetReader<Name extends string>(
  given: Partial<Record<NoInfer<Name>, string>>,
  smoke: boolean,
  defaults: Record<Name, string>,
  smokeDefaults: Partial<Record<Name, string>>,
): (name: Name) => string {
  return (name) => given[name] ?? (smoke ? smokeDefaults[name] : undefined) ?? defaults[name];
}
