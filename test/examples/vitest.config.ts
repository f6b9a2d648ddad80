import { defineConfig } from 'vitest/config';

// The framework examples (examples/): built and typechecked once (setup.ts), then each served and driven in Chromium.
export default defineConfig({
  test: {
    include: ['test/examples/**/*.test.ts'],
    globalSetup: ['test/examples/setup.ts'],
    reporters: ['default', 'junit'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
