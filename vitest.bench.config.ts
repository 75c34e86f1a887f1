// The benchmarks' smoke runs (test/bench): apart from the unit suites,
// because bench:ui serves the built web client, so `npm test` runs them
// after the build (`npm run test:bench`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/bench/**/*.test.ts'],
    // Each smoke test sets its own timeout from its benchmark's deadline.
    hookTimeout: 30_000,
  },
});
