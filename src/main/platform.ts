// The operating system the app runs on, read once at start-up and passed to
// every module that branches on it, so that tests can run each branch on any
// machine.
import type { DesktopPlatform } from '../shared/desktop-api.ts';

export function currentPlatform(): DesktopPlatform {
  const { platform } = process;
  if (platform === 'darwin' || platform === 'win32' || platform === 'linux') return platform;
  // The BSDs behave like Linux as far as Electron's shell integration goes.
  return 'linux';
}
