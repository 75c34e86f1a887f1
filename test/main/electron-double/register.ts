// Preloaded with `node --import` by the bundle smoke test, so that the built
// main bundle runs in plain Node: `electron` resolves to the test double,
// every call the app makes to it is printed as one JSON line, and once the
// window has loaded this plays Electron's part (ready-to-show, then quit) so
// that the run ends by itself.
import { mkdtempSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ElectronDouble from './electron.ts';

const doubleUrl = new URL('./electron.ts', import.meta.url).href;

registerHooks({
  resolve: (specifier, context, nextResolve) =>
    specifier === 'electron' ? { url: doubleUrl, shortCircuit: true } : nextResolve(specifier, context),
});

const double = (await import(doubleUrl)) as typeof ElectronDouble;

// Electron's own addition to `process`, where electron-updater looks for the
// installer type (resources/package-type) when it builds its updater.
Object.assign(process, { resourcesPath: mkdtempSync(join(tmpdir(), 'electron-double-resources-')) });

double.onCall((call) => {
  process.stdout.write(`${double.CALL_LINE_PREFIX}${JSON.stringify(call)}\n`);
  if (call.api === 'app.exit') process.exit(call.args[0] as number | undefined);
  if (call.api === 'BrowserWindow.loadURL') {
    // Let the rest of the start-up run first.
    setTimeout(() => {
      double.BrowserWindow.instances[0]?.emit('ready-to-show');
      double.app.quit();
    }, 100);
  }
});
double.app.on('quit', () => process.exit(0));
