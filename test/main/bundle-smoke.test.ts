// Smoke test of the built bundles, to catch what the unit suites cannot:
// bundling mistakes. Main and preload are built with the project's
// electron.vite.config.ts, then:
// - out/main/index.js runs in a plain Node child process with `electron`
//   resolved to the test double (Electron's binary cannot run on these
//   machines): it must start, create its window with the secure options and
//   the CommonJS preload, serve both APIs, and quit cleanly (with
//   electron-updater loaded from node_modules as the packed app loads it, and
//   its updater built against the double);
// - out/preload/index.cjs must be CommonJS that requires nothing but
//   `electron` (a sandboxed preload can require nothing else) and exposes
//   `duplex` and `duplexDesktop` through contextBridge.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplexMethods } from '../../src/shared/api-methods.ts';
import type { DuplexApi } from '../../src/shared/api.ts';
import { desktopArgumentSchemas } from '../../src/main/ipc/desktop-argument-schemas.ts';
import * as double from './electron-double/electron.ts';

const BUILD_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 20_000;

// Inside node_modules so that the bundle's external packages (zod, ulid,
// reconnecting-websocket) resolve as they do from out/.
const buildRoot = resolve('node_modules/.tmp');
let outDir: string;

interface Run {
  code: number | null;
  calls: double.Call[];
  stdout: string;
  stderr: string;
}

let run: Run;

async function buildMainAndPreload(): Promise<void> {
  await mkdir(buildRoot, { recursive: true });
  outDir = join(mkdtempSync(join(buildRoot, 'bundle-smoke-')), 'out');
  const { config } = await resolveConfig({}, 'build', 'production');
  for (const target of ['main', 'preload'] as const) {
    const targetConfig = config?.[target];
    if (targetConfig === undefined) throw new Error(`electron.vite.config.ts has no ${target} build`);
    await build({
      ...targetConfig,
      logLevel: 'warn',
      build: { ...targetConfig.build, outDir: join(outDir, target), emptyOutDir: true },
    });
  }
}

function runMainBundle(): Promise<Run> {
  const userData = mkdtempSync(join(tmpdir(), 'duplex-smoke-'));
  // Production mode: the page comes from app://, not a dev server.
  const { ELECTRON_RENDERER_URL: _devServer, ...env } = process.env;
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', resolve('test/main/electron-double/register.ts'), join(outDir, 'main', 'index.js')],
      {
        env: { ...env, DUPLEX_USER_DATA_DIR: userData, XDG_CURRENT_DESKTOP: 'KDE' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: RUN_TIMEOUT_MS,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      rmSync(userData, { recursive: true, force: true });
      const calls = stdout
        .split('\n')
        .filter((line) => line.startsWith(double.CALL_LINE_PREFIX))
        .map((line) => JSON.parse(line.slice(double.CALL_LINE_PREFIX.length)) as double.Call);
      done({ code, calls, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await buildMainAndPreload();
  run = await runMainBundle();
}, BUILD_TIMEOUT_MS + RUN_TIMEOUT_MS);

afterAll(() => {
  if (outDir) rmSync(resolve(outDir, '..'), { recursive: true, force: true });
});

const callsTo = (api: string): double.Call[] => run.calls.filter((call) => call.api === api);

describe('the built main bundle', () => {
  it('starts and quits cleanly', () => {
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain('start-up failed');
    expect(run.code).toBe(0);
    expect(callsTo('app.quit').length).toBeGreaterThan(0);
    expect(callsTo('app.setAboutPanelOptions')[0]?.args).toEqual([{ applicationName: 'Duplex', applicationVersion: '1.2.3' }]);
  });

  it('creates one window with the secure options and the CommonJS preload', () => {
    const windows = callsTo('new BrowserWindow');
    expect(windows).toHaveLength(1);
    const [options] = windows[0]?.args as [{ webPreferences: Record<string, unknown> }];
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    const preload = options.webPreferences.preload as string;
    expect(preload.endsWith(join('out', 'preload', 'index.cjs'))).toBe(true);
    expect(preload).toBe(join(outDir, 'preload', 'index.cjs'));
    expect(existsSync(preload)).toBe(true);
  });

  it('loads the app page from app:// after registering the scheme', () => {
    expect(callsTo('BrowserWindow.loadURL').map((call) => call.args[0])).toEqual(['app://duplex/index.html']);
    const order = run.calls.map((call) => call.api);
    expect(order.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(order.indexOf('protocol.handle'));
  });

  it('serves both APIs, and sets the menu and the tray', () => {
    const channels = callsTo('ipcMain.handle').map((call) => call.args[0] as string);
    // One channel per method of each API's table.
    expect(channels.filter((channel) => channel.startsWith('duplex:'))).toHaveLength(Object.keys(duplexMethods).length);
    expect(channels.filter((channel) => channel.startsWith('duplex-desktop:'))).toHaveLength(
      Object.keys(desktopArgumentSchemas).length,
    );
    expect(callsTo('Menu.setApplicationMenu')).toHaveLength(1);
    expect(callsTo('new Tray')).toHaveLength(1);
  });
});

describe('the built preload', () => {
  it('is CommonJS that requires only electron, and exposes both APIs', async () => {
    const code = readFileSync(join(outDir, 'preload', 'index.cjs'), 'utf8');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);

    double.resetElectronDouble();
    const required: string[] = [];
    const sandboxedRequire = (id: string): unknown => {
      required.push(id);
      if (id === 'electron') return double;
      throw new Error(`a sandboxed preload cannot require ${id}`);
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', code)(sandboxedRequire, module, module.exports);

    expect(required).toEqual(['electron']);
    expect([...double.contextBridge.exposed.keys()]).toEqual(['duplex', 'duplexDesktop']);
    const duplex = double.contextBridge.exposed.get('duplex') as DuplexApi;
    await expect(duplex.markRead('c_1', 3)).resolves.toEqual({ channel: 'duplex:markRead', args: ['c_1', 3] });
  });
});
