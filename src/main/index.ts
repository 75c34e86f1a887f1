// Entry of the Electron main process, built to out/main/index.js (ESM). It
// reads the process's facts once and hands them to the app, so that nothing
// below reads process.platform or the environment on its own.
import { createDesktopEngine } from './desktop-engine.ts';
import { startDesktopApp } from './desktop-app.ts';
import { currentPlatform } from './platform.ts';

startDesktopApp({
  platform: currentPlatform(),
  env: process.env,
  bundleDir: import.meta.dirname,
  log: console,
  createEngine: createDesktopEngine,
});
