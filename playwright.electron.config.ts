// The desktop app end to end (test/electron): the built app in real Electron
// through Playwright's _electron, against a real relay per test. The Electron
// binary cannot be downloaded on the build machines; there the global setup
// prints "SKIPPED: Electron binary not installed" and every test is skipped.
// Where it is installed, the global setup builds the app first (set
// DUPLEX_SKIP_BUILD=1 to reuse out/). On Linux without a display, run it
// under xvfb-run.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/electron',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/electron/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One app, one relay at a time on two cores.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results/electron',
  reporter: [['list']],
  use: { screenshot: 'only-on-failure', trace: 'retain-on-failure' },
});
