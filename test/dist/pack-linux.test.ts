// Packs the Linux app for real with electron-builder and this project's
// configuration, as `npm run dist:linux` does up to the installers: its
// `dir` target (linux-unpacked) is everything that needs no download, given
// an Electron stand-in (fake-electron.ts) as electronDist. Then checks what
// came out: app.asar's contents and package.json, the flipped fuses, and
// the desktop entry the AppImage and .deb would carry against the window
// identity Electron will report.
//
// The project is copied to a temporary folder (its node_modules linked), so
// the build neither needs nor touches the checkout's out/ and dist/.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { extractFile, listPackage } from '@electron/asar';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../electron-builder.config.ts';
import { ELECTRON_FUSES } from '../../scripts/electron-fuses.ts';
import { badgeIconFile, SCALE_FACTORS, TRAY_ICON_DIR, TRAY_THEMES, trayIconFile } from '../../src/main/tray/tray-icon-files.ts';
import { UNREAD_LABELS } from '../../src/main/tray/unread-count.ts';
import { fakeElectronBinary } from './fake-electron.ts';

const repository = resolve(import.meta.dirname, '../..');
const PACK_TIMEOUT_MS = 180_000;

/** What the build reads: the configuration and what it imports, its hook,
 * the builder resources and the app's resources. */
const PROJECT_FILES = ['package.json', 'package-lock.json', 'electron-builder.config.ts', 'scripts', 'build', 'resources', 'src/main/tray'];

let work: string;
let project: string;
let unpacked: string;
let asar: string;
let desktopEntry: Map<string, string>;

async function buildBundles(): Promise<void> {
  const { config: viteConfigs } = await resolveConfig({}, 'build', 'production');
  for (const target of ['main', 'preload', 'renderer'] as const) {
    const targetConfig = viteConfigs?.[target];
    if (targetConfig === undefined) throw new Error(`electron.vite.config.ts has no ${target} build`);
    await build({
      ...targetConfig,
      logLevel: 'warn',
      build: { ...targetConfig.build, outDir: join(project, 'out', target), emptyOutDir: true },
    });
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'duplex-pack-'));
  project = join(work, 'project');
  for (const path of PROJECT_FILES) await cp(join(repository, path), join(project, path), { recursive: true });
  await symlink(join(repository, 'node_modules'), join(project, 'node_modules'), 'dir');
  await cp(join(repository, 'test/dist/desktop-entry-hook.ts'), join(project, 'desktop-entry-hook.ts'));
  await buildBundles();
  // The web client's build, which must stay out of the desktop app.
  await mkdir(join(project, 'out/web'), { recursive: true });
  await writeFile(join(project, 'out/web/index.html'), '<!doctype html>');

  const electronDist = join(work, 'electron');
  await mkdir(electronDist);
  await writeFile(join(electronDist, 'electron'), fakeElectronBinary());
  await chmod(join(electronDist, 'electron'), 0o755);

  const entryFile = join(work, 'duplex.desktop');
  await promisify(execFile)(
    process.execPath,
    [
      join(repository, 'node_modules/electron-builder/cli.js'),
      '--config',
      'electron-builder.config.ts',
      '--linux',
      'dir',
      '--publish',
      'never',
      `-c.electronDist=${electronDist}`,
      '-c.afterExtract=./desktop-entry-hook.ts',
    ],
    { cwd: project, env: { ...process.env, DUPLEX_DESKTOP_ENTRY_FILE: entryFile }, timeout: PACK_TIMEOUT_MS },
  );
  unpacked = join(project, 'dist/linux-unpacked');
  asar = join(unpacked, 'resources/app.asar');
  const entryLines = (await readFile(entryFile, 'utf8')).split('\n').filter((line) => line.includes('='));
  desktopEntry = new Map(entryLines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}, PACK_TIMEOUT_MS);

afterAll(() => rm(work, { recursive: true, force: true }));

/** package.json as packed, which Electron reads at start. */
function packedPackageJson(): { name: string; productName?: string; desktopName?: string; main: string } & Record<string, unknown> {
  return JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as ReturnType<typeof packedPackageJson>;
}

describe('app.asar', () => {
  it('holds the desktop bundles, the tray icons and package.json, beside node_modules', () => {
    const files = new Set(listPackage(asar, { isPack: false }).map((path) => path.replaceAll('\\', '/')));
    for (const file of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html']) {
      expect(files, file).toContain(file);
    }
    for (const scale of SCALE_FACTORS) {
      for (const label of UNREAD_LABELS) {
        for (const theme of TRAY_THEMES) expect(files).toContain(`/${TRAY_ICON_DIR}/${trayIconFile(label, theme, scale)}`);
        if (label !== null) expect(files).toContain(`/${TRAY_ICON_DIR}/${badgeIconFile(label, scale)}`);
      }
    }
    // Nothing else: no sources, scripts, tests, builder resources, source
    // image or web client.
    const appFolders = new Set(
      [...files].filter((path) => !path.startsWith('/node_modules/')).map((path) => path.split('/').slice(0, 3).join('/')),
    );
    expect([...appFolders].sort()).toEqual(
      ['/node_modules', '/out', '/out/main', '/out/preload', '/out/renderer', '/package.json', '/resources', '/resources/tray'].sort(),
    );
  });

  it('holds electron-updater, which the main process loads from node_modules', () => {
    // Its own dependencies: builder-config.test.ts (this project's
    // node_modules is a symlink, which hides them from npm's tree here).
    const files = new Set(listPackage(asar, { isPack: false }).map((path) => path.replaceAll('\\', '/')));
    expect(files).toContain('/node_modules/electron-updater/out/main.js');
  });

  it('has the update feed electron-builder writes for electron-updater (the app overrides it with the relay)', async () => {
    const feed = await readFile(join(unpacked, 'resources/app-update.yml'), 'utf8');
    expect(feed).toContain('provider: generic');
    expect(feed).toMatch(/url: https:\/\/.+\/updates\//);
  });

  it('has the package.json Electron needs and nothing of the build', () => {
    const packed = packedPackageJson();
    expect(packed).toMatchObject({ name: 'duplex', productName: 'Duplex', desktopName: 'duplex.desktop', main: 'out/main/index.js' });
    expect(packed).not.toHaveProperty('devDependencies');
    expect(packed).not.toHaveProperty('scripts');
  });
});

describe('the packed executable', () => {
  it('is named duplex and has its fuses flipped by the afterPack hook', async () => {
    const wire = await getCurrentFuseWire(join(unpacked, 'duplex'));
    for (const fuse of Object.values(FuseV1Options).filter((value) => typeof value === 'number')) {
      expect(wire[fuse], FuseV1Options[fuse]).toBe(ELECTRON_FUSES[fuse] ? FuseState.ENABLE : FuseState.DISABLE);
    }
  });
});

describe('the desktop entry of the AppImage and the .deb', () => {
  it('starts the app, with its name, icon and categories', () => {
    expect(Object.fromEntries(desktopEntry)).toMatchObject({
      Name: 'Duplex',
      Exec: '/opt/Duplex/duplex %U',
      Icon: 'duplex',
      Type: 'Application',
      Categories: 'Network;InstantMessaging;',
      GenericName: 'Chat',
    });
  });

  it('matches the windows Electron will open, so docks and notifications show the app and its icon', () => {
    // Electron (lib/browser/init.ts): app.name is productName, else name;
    // the desktop name is desktopName, else `${app.name}.desktop`.
    // shell/browser/native_window_views.cc: on X11, WM_CLASS is
    // (lower-cased app.name, app.name); on Wayland the app_id is the
    // desktop name without ".desktop".
    const packed = packedPackageJson();
    const appName = packed.productName ?? packed.name;
    const desktopName = packed.desktopName ?? `${appName}.desktop`;
    const x11WmClass = [appName.toLowerCase(), appName];
    const waylandAppId = desktopName.replace(/\.desktop$/, '');

    const startupWmClass = desktopEntry.get('StartupWMClass');
    expect(x11WmClass).toContain(startupWmClass);
    expect(startupWmClass).toBe(waylandAppId);
    // The entry is installed as <executableName>.desktop: the desktop name
    // Electron announces (notifications, app_id) must be that file.
    expect(`${config.linux?.executableName}.desktop`).toBe(desktopName);
  });
});
