import { defineConfig } from 'vitest/config';

// Suites that start the whole stack (wrangler dev, the mock, Chromium, the Node servers on Redis): one file at a time on 2 cores.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts', 'test/conformance/**/*.test.ts'],
    reporters: ['default', 'junit'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
