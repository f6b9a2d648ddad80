/**
 * WebKit for web-test-runner: Debian's WebKitGTK (Safari's engine, "AppleWebKit/605.1.15") driven through its own
 * WebDriver, which this launcher starts under xvfb-run on a free loopback port and stops with the run.
 *
 * One page at a time (the runner's concurrency must be 1 for WebKit): the WebDriver launcher only sends real
 * pointer input (sendMouse, which the gesture tests need) to a page that is the window's top document.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestRunnerCoreConfig } from '@web/test-runner-core';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import { findWebKitDriver } from '../../../scripts/find-browser.mjs';
import { freePort, stopGroup, waitForHttp } from '../../../scripts/lib/stack.js';

/**
 * How long leaving a test file's page may take. WebKitGTK has now and then hung there for good (its page stuck in
 * GStreamer after the file's tests had all reported), and the runner then waits 120 s and fails every file after it.
 */
const LEAVE_PAGE_MS = 20_000;

/** The parts of WebdriverLauncher a restart resets (the next session then starts a new driver session). */
type Internals = { options: { port: number }; driver?: unknown; driverManager?: unknown; pendingHeartbeat?: ReturnType<typeof setInterval> };

class WebKitLauncher extends WebdriverLauncher {
  #driver?: ChildProcess;

  constructor() {
    // MiniBrowser is the browser WebKitWebDriver starts. Classic WebDriver: webdriverio 9 asks for BiDi by
    // default, which this driver does not offer, and then no capabilities match.
    super({ hostname: '127.0.0.1', port: 0, logLevel: 'error', capabilities: { browserName: 'MiniBrowser', 'wdio:enforceWebDriverClassic': true } });
  }

  override async initialize(config: TestRunnerCoreConfig) {
    if (config.concurrency !== 1) throw new Error('WebKit runs one page at a time: set concurrency to 1 for it.');
    await this.#startDriver();
    await super.initialize(config);
    this.name = 'WebKit';
  }

  /**
   * Leaves a test file's page (its results are in by now). If WebKitGTK hangs doing so, the browser is replaced by a
   * fresh one, and the run says so, so that the files after it still run.
   */
  override async stopSession(id: string) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(resolve, LEAVE_PAGE_MS, 'hung')));
    const result = await Promise.race([super.stopSession(id), hung]).finally(() => clearTimeout(timer));
    if (result !== 'hung') return result;
    console.warn(`WebKitGTK hung for ${LEAVE_PAGE_MS / 1000} s leaving a test page after its tests had reported: starting a fresh browser.`);
    const internals = this as unknown as Internals;
    clearInterval(internals.pendingHeartbeat);
    internals.driver = internals.driverManager = undefined;
    await this.#stopDriver();
    await this.#startDriver();
    return { testCoverage: undefined };
  }

  override async stop() {
    await super.stop();
    await this.#stopDriver();
  }

  /** WebKitWebDriver under xvfb-run on a free loopback port, which the next driver session connects to. */
  async #startDriver() {
    const driverPath = findWebKitDriver();
    const port = await freePort();
    let output = '';
    // Its own process group, so stopping it ends xvfb-run, Xvfb and the driver's browser processes together.
    const driver = spawn('xvfb-run', ['-a', driverPath, `--port=${port}`, '--host=local'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#driver = driver;
    for (const stream of [driver.stdout, driver.stderr]) stream.on('data', (chunk) => (output += chunk));
    await waitForHttp(`http://127.0.0.1:${port}/status`, driver, () => output, 30_000, 'WebKitWebDriver');
    (this as unknown as Internals).options.port = port;
  }

  async #stopDriver() {
    if (this.#driver) await stopGroup(this.#driver);
    this.#driver = undefined;
  }
}

export const webkitLauncher = () => new WebKitLauncher();
