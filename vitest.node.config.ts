import { defineConfig } from 'vitest/config';

// Node-side suites (protocol, mock, portable proxy, CLI). Each npm script picks its folder and report file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/element/**', 'test/worker/**', 'test/e2e/**', 'node_modules/**'],
    reporters: ['default', 'junit'],
    testTimeout: 20_000,
  },
});
