// Entry of the Electron main process, built to out/main/index.js (ESM). It
// reads the process's facts once and hands them to the app, so that nothing
// below reads process.platform or the environment on its own.
// electron-updater is CommonJS whose exports Node cannot list for an ES
// import by name: take the module object, and its autoUpdater (built on
// first access, for this platform) only once Electron is ready.
import electronUpdater from 'electron-updater';
import { createDesktopEngine } from './desktop-engine.ts';
import { startDesktopApp } from './desktop-app.ts';
import { currentPlatform } from './platform.ts';

startDesktopApp({
  platform: currentPlatform(),
  env: process.env,
  bundleDir: import.meta.dirname,
  log: console,
  createEngine: createDesktopEngine,
  createUpdater: () => electronUpdater.autoUpdater,
});
