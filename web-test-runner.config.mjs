// Browser tests of <navtalk-avatar> in Chromium (npm run test:element). Runs under tsx (see the npm script),
// so middleware can be TypeScript: the scriptable test proxy today; the real proxy handler can be mounted
// the same way with webMiddleware.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { junitReporter } from '@web/test-runner-junit-reporter';
import { findChromium } from './scripts/find-chromium.mjs';
import { createTestProxy } from './test/element/support/test-proxy.ts';
import { webMiddleware } from './test/element/support/web-middleware.ts';
import { REAL_PROXY_PATH, createRealProxy } from './test/element/support/real-proxy.ts';

// The real proxy handler with the NavTalk mock behind it, for the suite that runs through both.
const realProxy = await createRealProxy();

// No --autoplay-policy flag: Chromium's default policy refuses unmuted autoplay, which the tests rely on.
const args = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export default {
  files: ['test/element/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 2,
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    // The mock's server must close for the runner to exit.
    { name: 'navtalk-mock', serverStop: () => realProxy.mock.close() },
  ],
  browsers: [chromeLauncher({
    launchOptions: { executablePath: findChromium(), headless: true, args },
    // A context (and so a window) per page: tabs sharing a window are hidden, and hidden pages pause polling.
    createPage: async ({ browser }) => (await browser.createBrowserContext()).newPage(),
  })],
  middleware: [
    webMiddleware(createTestProxy(), (path) => path.startsWith('/proxy/') || path.startsWith('/__proxy/')),
    webMiddleware(realProxy.handler, (path) => path.startsWith(REAL_PROXY_PATH)),
  ],
  testFramework: { config: { timeout: 15000 } },
  reporters: [defaultReporter(), junitReporter({ outputPath: 'reports/element.xml' })],
};
