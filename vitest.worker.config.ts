/// <reference path="./test/worker/provided.d.ts" />
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_ENV } from './test/proxy/cases.js';

// The Worker in workerd (vitest-pool-workers) against the mock NavTalk that the global setup starts in Node.
// The test files share that mock, so they run one at a time; each file gets fresh Durable Object storage.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: { ...TEST_ENV, NAVTALK_BASE_URL: inject('mockUrl'), NAVTALK_API_KEY: inject('mockLicense') },
      },
    })),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    globalSetup: ['./test/worker/global-setup.ts'],
    reporters: ['default', 'junit'],
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
