// electron-builder.config.ts as electron-builder itself sees it, short of
// building (which needs downloads): read by electron-builder's own loader,
// checked against its JSON schema (app-builder-lib/scheme.json) by its own
// validator, its icons resolved by its own icon lookup. app-builder-lib is
// electron-builder's implementation, pinned by it to the same version.
// pack-linux.test.ts then packs the app with this configuration.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { getCollectorByPackageManager, PM } from 'app-builder-lib/out/node-module-collector/index.js';
import type { NodeModuleInfo } from 'app-builder-lib/out/node-module-collector/types.js';
import { convertIcon } from 'app-builder-lib/out/util/iconConverter.js';
import { TmpDir } from 'temp-file';
import type { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import config from '../../electron-builder.config.ts';
import { APP_USER_MODEL_ID } from '../../src/main/desktop-app.ts';
import { TRAY_ICON_DIR } from '../../src/main/tray/tray-icon-files.ts';
import {
  APP_ICON_SET_DIR,
  APP_ICON_SIZES,
  appIconSetFile,
  MAC_ICON,
  WINDOWS_ICON,
} from '../../scripts/icons/icon-files.ts';

// desktop-app.ts imports Electron, whose binary cannot run here.
vi.mock('electron', () => import('../main/electron-double/electron.ts'));

const repository = resolve(import.meta.dirname, '../..');
const quietLogger = { isEnabled: false, add: () => undefined } as unknown as DebugLogger;

describe('electron-builder', () => {
  it('loads electron-builder.config.ts and finds it valid', async () => {
    const loaded = await getConfig(repository, 'electron-builder.config.ts', null);
    expect(loaded.appId).toBe(config.appId);
    await expect(validateConfiguration(loaded, quietLogger)).resolves.toBeUndefined();
  });

  it('does reject a configuration that is not valid (so the check above checks)', async () => {
    const misspelt = { ...config, linux: { ...config.linux, categroy: 'Network;' } } as Configuration;
    await expect(validateConfiguration(misspelt, quietLogger)).rejects.toThrow(
      /does not match the API schema[\s\S]*configuration\.linux/,
    );
  });
});

describe('the packed app', () => {
  it('is an asar archive', () => {
    expect(config.asar).toBe(true);
  });

  it('holds the desktop bundles from out/ and the tray icons, and no sources', () => {
    // pack-linux.test.ts checks what actually lands in app.asar.
    expect(config.files).toEqual(['out/main/**', 'out/preload/**', 'out/renderer/**', `${TRAY_ICON_DIR}/**`]);
  });

  it('uses the appId as its Windows AppUserModelID, the one src/main sets', () => {
    expect(config.appId).toBe(APP_USER_MODEL_ID);
  });
});

describe('the targets', () => {
  it('are an AppImage and a .deb on Linux, in Network;InstantMessaging;', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Network;InstantMessaging;');
  });

  it('are an NSIS installer on Windows', () => {
    expect(config.win?.target).toBe('nsis');
  });

  it('are a dmg on macOS, and the zip electron-updater updates from', () => {
    expect(config.mac?.target).toEqual(['dmg', 'zip']);
  });
});

describe('the update feed', () => {
  it("is a generic provider, so that electron-builder writes latest*.yml and blockmaps for the relay's feed", () => {
    expect(config.publish).toEqual({ provider: 'generic', url: expect.stringMatching(/^https:\/\/.+\/updates\/$/) });
  });

  it("packs electron-updater with every dependency it needs (electron-builder's own collector, this checkout)", async () => {
    const { nodeModules } = await getCollectorByPackageManager(PM.NPM, repository, new TmpDir()).getNodeModules({
      packageName: 'duplex',
    });
    const names = new Set<string>();
    const visit = (modules: NodeModuleInfo[] | undefined): void => {
      for (const module of modules ?? []) {
        names.add(module.name);
        visit(module.dependencies);
      }
    };
    visit(nodeModules);
    const updater = JSON.parse(readFileSync(resolve(repository, 'node_modules/electron-updater/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of ['electron-updater', ...Object.keys(updater.dependencies)]) expect(names, name).toContain(name);
    // It does leave development packages out, so the check above means something.
    expect(names).not.toContain('vitest');
  }, 60_000);

  it('names the Windows installer without spaces, as latest.yml names it', () => {
    expect(config.nsis?.artifactName).toBe('${productName}-Setup-${version}.${ext}');
    expect(config.nsis?.artifactName).not.toContain(' ');
  });
});

describe('the icons', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'duplex-icons-'));
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  // electron-builder converts an icon it cannot use as it is with a tool it
  // downloads; each of these must be taken as it is.
  async function resolveIcon(source: unknown, format: 'ico' | 'icns' | 'set') {
    expect(typeof source).toBe('string');
    const result = await convertIcon({
      sources: [source as string],
      fallbackSources: [],
      roots: [join(repository, 'build'), repository],
      format,
      outDir,
    });
    expect(result.isFallback).toBe(false);
    return result.icons.map(({ file, size }) => ({ file: file.slice(repository.length + 1), size }));
  }

  it('are the generated .ico on Windows, up to 256 px', async () => {
    expect(await resolveIcon(config.win?.icon, 'ico')).toEqual([{ file: WINDOWS_ICON, size: 256 }]);
  });

  it('are the generated .icns on macOS', async () => {
    expect(await resolveIcon(config.mac?.icon, 'icns')).toEqual([{ file: MAC_ICON, size: 0 }]);
  });

  it('are the generated PNG set on Linux, every size', async () => {
    expect(await resolveIcon(config.linux?.icon, 'set')).toEqual(
      APP_ICON_SIZES.map((size) => ({ file: join(APP_ICON_SET_DIR, appIconSetFile(size)), size })),
    );
  });
});
