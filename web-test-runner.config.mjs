// Browser tests of <navtalk-avatar> in Chromium and Firefox ESR (npm run test:element), one browser after the
// other, and in WebKitGTK (npm run test:element:webkit, one page at a time). ELEMENT_BROWSERS=firefox (or
// chromium, or webkit) runs one of them. Runs under tsx (see the npm script), so
// middleware can be TypeScript: the scriptable test proxy today; the real proxy handler can be mounted the
// same way with webMiddleware.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import { junitReporter } from '@web/test-runner-junit-reporter';
import { findChromium, findFirefox } from './scripts/find-browser.mjs';
import { createTestProxy } from './test/element/support/test-proxy.ts';
import { staticFiles, webMiddleware } from './test/element/support/web-middleware.ts';
import { REAL_PROXY_PATH, createRealProxy } from './test/element/support/real-proxy.ts';
import { webkitLauncher } from './test/element/support/webkit-launcher.ts';

// The real proxy handler with the NavTalk mock behind it, for the suite that runs through both.
const realProxy = await createRealProxy();

// No --autoplay-policy flag: Chromium's default policy refuses unmuted autoplay, which the tests rely on.
const chromiumArgs = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

// Firefox gets a fresh temporary profile (puppeteer's, which already turns off updates, Shield, safe browsing
// lists, health reports and extension updates) plus these prefs. No network beyond loopback: every request to
// another host goes to a proxy on 127.0.0.1:9 that refuses it (loopback itself never uses a proxy in Firefox).
const firefoxPrefs = {
  // Like Chromium's default policy, which the tests rely on: refuse audible autoplay without a user
  // gesture, allow muted autoplay (0 allow, 1 block audible, 5 block all).
  'media.autoplay.default': 1,
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': '',
  'network.proxy.allow_hijacking_localhost': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'app.update.auto': false,
  'app.update.enabled': false,
  'app.update.staging.enabled': false,
  'app.normandy.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'toolkit.telemetry.updatePing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.safebrowsing.update.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.getAddons.showPane': false,
  'geo.provider.network.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'security.OCSP.enabled': 0,
  'services.sync.enabled': false,
  'identity.fxaccounts.enabled': false,
};

// A context (and so a window) per page: tabs sharing a window are hidden, and hidden pages pause polling.
const LAUNCHERS = {
  chromium: () => Object.assign(chromeLauncher({
    launchOptions: { executablePath: findChromium(), headless: true, args: chromiumArgs },
    createPage: async ({ browser }) => (await browser.createBrowserContext()).newPage(),
  }), { name: 'Chromium' }),
  // puppeteer-core drives Firefox over WebDriver BiDi; the launcher names it "Firefox".
  firefox: () => chromeLauncher({
    puppeteer: puppeteerCore,
    launchOptions: { browser: 'firefox', executablePath: findFirefox(), headless: true, extraPrefsFirefox: firefoxPrefs },
    createPage: async ({ browser }) => (await browser.createBrowserContext()).newPage({ type: 'window' }),
  }),
  // WebKitGTK's MiniBrowser: like Safari, it refuses audible autoplay without a gesture and allows muted autoplay.
  webkit: webkitLauncher,
};
// REAL_PROXY_STORES=redis (npm run test:element:redis) runs the real-proxy suite against the Node server on Redis.
const VARIANT = process.env.REAL_PROXY_STORES === 'redis' ? '-redis' : '';
const REPORTS = {
  chromium: `reports/element${VARIANT}.xml`, firefox: `reports/element-firefox${VARIANT}.xml`, webkit: `reports/element-webkit${VARIANT}.xml`,
};

const chosen = (process.env.ELEMENT_BROWSERS ?? 'chromium,firefox').split(',').map((name) => name.trim()).filter(Boolean);
for (const name of chosen) if (!(name in LAUNCHERS)) throw new Error(`ELEMENT_BROWSERS: unknown browser "${name}" (${Object.keys(LAUNCHERS).join(', ')})`);
const browsers = chosen.map((name) => LAUNCHERS[name]());

/** One JUnit file per browser, each test case named after its browser ("[Firefox] suite test"). */
function browserJunitReporter(browser, outputPath) {
  const inner = junitReporter({ outputPath });
  const tagSuite = (suite) => ({ ...suite, tests: suite.tests.map((test) => ({ ...test, name: `[${browser.name}${VARIANT ? ', Node server on Redis' : ''}] ${test.name}` })),
    suites: (suite.suites ?? []).map(tagSuite) });
  return {
    onTestRunFinished: ({ sessions, ...rest }) => inner.onTestRunFinished({
      ...rest,
      sessions: sessions.filter((session) => session.browser === browser)
        .map((session) => (session.testResults ? { ...session, testResults: tagSuite(session.testResults) } : session)),
    }),
  };
}

export default {
  files: ['test/element/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  // WebKit's WebDriver sends pointer input only to a top-level page, so it gets one page at a time.
  concurrency: chosen.includes('webkit') ? 1 : 2,
  // One browser at a time: the machine has 2 cores and the tests time real polling.
  concurrentBrowsers: 1,
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    // The mocks' servers must close for the runner to exit.
    { name: 'navtalk-mock', serverStop: () => realProxy.close() },
  ],
  browsers,
  middleware: [
    staticFiles('/test/fixtures/'),
    webMiddleware(createTestProxy(), (path) => path.startsWith('/proxy/') || path.startsWith('/__proxy/')),
    webMiddleware(realProxy.handler, (path) => path.startsWith(REAL_PROXY_PATH)),
  ],
  testFramework: { config: { timeout: 15000 } },
  reporters: [defaultReporter(), ...chosen.map((name, i) => browserJunitReporter(browsers[i], REPORTS[name]))],
};
