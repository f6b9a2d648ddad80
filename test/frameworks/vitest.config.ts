import { defineConfig } from 'vitest/config';

// The framework suite: builds the demo once (global-setup.ts), serves it with `vite preview` and drives the
// pages and the React and Vue apps in Chromium, so its hooks take longer than the Node suites' defaults.
export default defineConfig({
  test: {
    include: ['test/frameworks/**/*.test.ts'],
    globalSetup: ['test/frameworks/global-setup.ts'],
    reporters: ['default', 'junit'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
