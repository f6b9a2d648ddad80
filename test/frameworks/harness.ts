/**
 * What a framework test file runs against: the demo build (global-setup.ts) served by `vite preview` on a
 * random port, its /api/navtalk forwarded to this file's recording fake proxy (endpoint.ts) whose finished
 * videos are the NavTalk mock's sample, and a Chromium.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { preview } from 'vite';
import { inject } from 'vitest';
import { startFakeEndpoint, type FakeEndpoint } from './endpoint.js';
import { DEMO_CONFIG } from './global-setup.js';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

export interface Demo {
  /** The demo's base URL, ending in `/`. */
  base: string;
  endpoint: FakeEndpoint;
  /** The NavTalk mock, whose /samples/avatar.mp4 finished generations point at. */
  mockUrl: string;
  browser: Browser;
  /** For tests that need a Chromium with other flags (fake microphone, denied permissions). */
  chromiumPath: string;
  close(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const closers: Array<() => unknown> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn();
  };
  try {
    const mockUrl = inject('mockUrl');
    const endpoint = await startFakeEndpoint({ videoUrl: `${mockUrl}/samples/avatar.mp4`, processingAfterMs: 300, doneAfterMs: 900 });
    closers.push(() => endpoint.close());
    // vite.demo.config.ts reads these when it loads.
    process.env.NAVTALK_ENDPOINT_TARGET = endpoint.origin;
    process.env.VITE_MOCK_URL = mockUrl;
    const server = await preview({
      configFile: DEMO_CONFIG, logLevel: 'warn', build: { outDir: inject('demoOutDir') }, preview: { host: '127.0.0.1', port: 0 },
    });
    closers.push(() => server.close());
    // Run as a program, it prints the path (or one line of instruction on stderr, and fails).
    const chromiumPath = execFileSync(process.execPath, ['scripts/find-chromium.mjs'], { encoding: 'utf8' }).trim();
    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    closers.push(() => browser.close());
    return { base: server.resolvedUrls!.local[0]!, endpoint, mockUrl, browser, chromiumPath, close };
  } catch (error) {
    await close();
    throw error;
  }
}
