// The Electron fuses of the packed app: which values the afterPack hook
// requests, that it finds the executable electron-builder packed on each
// platform and flips its wire, and that electron-builder.config.ts runs it.
//
// The real Electron binary cannot be downloaded here, so the hook runs on a
// fake packed folder holding a stand-in with Electron's fuse wire
// (fake-electron.ts). On macOS arm64 the hook also re-signs ad hoc with
// codesign, which only macOS has: there flipFuses is checked for the
// request, not run.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as electronFuses from '@electron/fuses';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Arch, type AfterPackContext } from 'electron-builder';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import config from '../../electron-builder.config.ts';
import afterPack, { ELECTRON_FUSES, packedElectron } from '../../scripts/electron-fuses.ts';
import { fakeElectronBinary, FUSE_COUNT } from './fake-electron.ts';

const fuses = vi.hoisted(() => ({ skipFlip: false }));
vi.mock('@electron/fuses', async (importOriginal) => {
  const original = await importOriginal<typeof electronFuses>();
  return {
    ...original,
    flipFuses: vi.fn((...args: Parameters<typeof original.flipFuses>) =>
      fuses.skipFlip ? Promise.resolve(1) : original.flipFuses(...args),
    ),
  };
});
const { flipFuses } = electronFuses;

let appOutDir: string;

beforeEach(async () => {
  appOutDir = await mkdtemp(join(tmpdir(), 'duplex-fuses-'));
  fuses.skipFlip = false;
  vi.mocked(flipFuses).mockClear();
});

afterEach(() => rm(appOutDir, { recursive: true, force: true }));

function context(electronPlatformName: string, arch = Arch.x64): AfterPackContext {
  return {
    appOutDir,
    outDir: join(appOutDir, '..'),
    electronPlatformName,
    arch,
    targets: [],
    packager: { appInfo: { productFilename: 'Duplex' }, executableName: 'duplex' },
  } as unknown as AfterPackContext;
}

async function placeFakeElectron(relativePath: string): Promise<string> {
  const file = join(appOutDir, relativePath);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, fakeElectronBinary());
  return file;
}

describe('the fuses requested', () => {
  it('turn off ELECTRON_RUN_AS_NODE, NODE_OPTIONS and --inspect, and turn on cookie encryption and asar integrity', () => {
    expect(ELECTRON_FUSES).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
      [FuseV1Options.WasmTrapHandlers]: true,
    });
  });

  it('decide every fuse @electron/fuses knows, and fail the build on one they do not', () => {
    const known = Object.values(FuseV1Options).filter((value) => typeof value === 'number');
    expect(known).toHaveLength(FUSE_COUNT);
    for (const fuse of known) expect(typeof ELECTRON_FUSES[fuse], FuseV1Options[fuse]).toBe('boolean');
    expect(ELECTRON_FUSES.strictlyRequireAllFuses).toBe(true);
  });
});

describe('the afterPack hook', () => {
  it.each([
    ['linux', 'duplex', 'duplex'],
    ['win32', 'Duplex.exe', 'Duplex.exe'],
    ['darwin', 'Duplex.app', 'Duplex.app/Contents/Frameworks/Electron Framework.framework/Electron Framework'],
  ])('flips the wire of the %s executable', async (platform, executable, fuseFile) => {
    const file = await placeFakeElectron(fuseFile);
    expect(packedElectron(context(platform))).toBe(join(appOutDir, executable));
    const before = await getCurrentFuseWire(file);
    expect(before[FuseV1Options.RunAsNode]).toBe(FuseState.ENABLE);

    await afterPack(context(platform));

    const after = await getCurrentFuseWire(file);
    for (const [fuse, enabled] of Object.entries(ELECTRON_FUSES)) {
      if (typeof enabled !== 'boolean' || Number.isNaN(Number(fuse))) continue;
      expect(after[Number(fuse) as FuseV1Options], FuseV1Options[Number(fuse)]).toBe(
        enabled ? FuseState.ENABLE : FuseState.DISABLE,
      );
    }
  });

  it('fails when there is no Electron wire to flip', async () => {
    await writeFile(join(appOutDir, 'duplex'), 'no sentinel here');
    await expect(afterPack(context('linux'))).rejects.toThrow('Could not find sentinel');
  });

  it.each([
    ['darwin', Arch.arm64, true],
    ['darwin', Arch.universal, true],
    ['darwin', Arch.x64, false],
    ['linux', Arch.arm64, false],
    ['win32', Arch.arm64, false],
  ])('on %s %s re-signs ad hoc: %s', async (platform, arch, resign) => {
    fuses.skipFlip = true;
    await afterPack(context(platform, arch));
    expect(flipFuses).toHaveBeenCalledWith(expect.any(String), { ...ELECTRON_FUSES, resetAdHocDarwinSignature: resign });
  });
});

describe('electron-builder.config.ts', () => {
  it('runs this script as its afterPack hook', async () => {
    expect(config.afterPack).toBe('./scripts/electron-fuses.ts');
    // electron-builder takes a hook file's `afterPack` export, else its default.
    const hook = (await import(resolve(config.afterPack as string))) as Record<string, unknown>;
    expect(hook.afterPack ?? hook.default).toBe(afterPack);
  });

  it('leaves electron-builder’s own fuse flipping off, so that the fuses are flipped once, by the hook', () => {
    expect(config.electronFuses).toBeUndefined();
  });
});
