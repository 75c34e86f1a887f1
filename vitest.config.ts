// Unit and integration suites. End-to-end suites (test/e2e, test/electron)
// belong to Playwright; the benchmarks' smoke runs (test/bench) to
// vitest.bench.config.ts, after the build. UI tests opt into jsdom per file with a
// `// @vitest-environment jsdom` comment; everything else runs in Node.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['test/e2e/**', 'test/electron/**', 'test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration suites start relays and databases, so a
    // bounded pool keeps them from starving each other into timeouts.
    maxWorkers: 2,
  },
});
