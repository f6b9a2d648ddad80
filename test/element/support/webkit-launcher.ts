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

class WebKitLauncher extends WebdriverLauncher {
  #driver?: ChildProcess;

  constructor() {
    // MiniBrowser is the browser WebKitWebDriver starts. Classic WebDriver: webdriverio 9 asks for BiDi by
    // default, which this driver does not offer, and then no capabilities match.
    super({ hostname: '127.0.0.1', port: 0, logLevel: 'error', capabilities: { browserName: 'MiniBrowser', 'wdio:enforceWebDriverClassic': true } });
  }

  override async initialize(config: TestRunnerCoreConfig) {
    if (config.concurrency !== 1) throw new Error('WebKit runs one page at a time: set concurrency to 1 for it.');
    const driverPath = findWebKitDriver();
    const port = await freePort();
    let output = '';
    // Its own process group, so stop() ends xvfb-run, Xvfb and the driver's browser processes together.
    const driver = spawn('xvfb-run', ['-a', driverPath, `--port=${port}`, '--host=local'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#driver = driver;
    for (const stream of [driver.stdout, driver.stderr]) stream.on('data', (chunk) => (output += chunk));
    await waitForHttp(`http://127.0.0.1:${port}/status`, driver, () => output, 30_000, 'WebKitWebDriver');
    (this as unknown as { options: { port: number } }).options.port = port;
    await super.initialize(config);
    this.name = 'WebKit';
  }

  override async stop() {
    await super.stop();
    if (this.#driver) await stopGroup(this.#driver);
    this.#driver = undefined;
  }
}

export const webkitLauncher = () => new WebKitLauncher();
