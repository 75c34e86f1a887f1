// A stand-in for the Electron executable, for packing and fuse flipping
// where the real binary cannot be downloaded: a few bytes holding the fuse
// wire as Electron lays it out (sentinel, version 1, length, one byte per
// fuse), which is all that @electron/fuses reads and writes.
import { FuseState, FuseV1Options } from '@electron/fuses';

/** Electron's fixed marker before the wire (docs/tutorial/fuses.md in
 * Electron; @electron/fuses declares but does not export it). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** Electron's own defaults, as shipped, so that a test can see each fuse
 * the hook flips actually change. */
const SHIPPED_WIRE: Record<FuseV1Options, FuseState> = {
  [FuseV1Options.RunAsNode]: FuseState.ENABLE,
  [FuseV1Options.EnableCookieEncryption]: FuseState.DISABLE,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: FuseState.ENABLE,
  [FuseV1Options.EnableNodeCliInspectArguments]: FuseState.ENABLE,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: FuseState.DISABLE,
  [FuseV1Options.OnlyLoadAppFromAsar]: FuseState.DISABLE,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: FuseState.DISABLE,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: FuseState.ENABLE,
  [FuseV1Options.WasmTrapHandlers]: FuseState.ENABLE,
};

export const FUSE_COUNT = Object.keys(SHIPPED_WIRE).length;

export function fakeElectronBinary(): Buffer {
  const wire = Object.values(SHIPPED_WIRE);
  return Buffer.concat([
    Buffer.from('\x7fELF not really: a test stand-in for Electron\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, wire.length, ...wire]),
    Buffer.from('\nthe rest of the binary\n'),
  ]);
}
