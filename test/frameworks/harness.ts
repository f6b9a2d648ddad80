/**
 * What the framework suites run against: the demo built with vite.demo.config.ts and served by `vite
 * preview` on a random port, its /api/navtalk forwarded to a recording fake proxy (endpoint.ts) whose
 * finished videos are the NavTalk mock's sample, and a Chromium.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build, preview } from 'vite';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { startFakeEndpoint, type FakeEndpoint } from './endpoint.js';

const CONFIG = new URL('../../vite.demo.config.ts', import.meta.url).pathname;
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

export interface Demo {
  /** The demo's base URL, ending in `/`. */
  base: string;
  endpoint: FakeEndpoint;
  mock: MockNavTalk;
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
    const mock = await startMockNavTalk({ port: 0 });
    closers.push(() => mock.close());
    const endpoint = await startFakeEndpoint({ videoUrl: `${mock.url}/samples/avatar.mp4`, processingAfterMs: 300, doneAfterMs: 900 });
    closers.push(() => endpoint.close());
    // vite.demo.config.ts reads these when it loads.
    process.env.NAVTALK_ENDPOINT_TARGET = endpoint.origin;
    process.env.VITE_MOCK_URL = mock.url;
    const outDir = mkdtempSync(join(tmpdir(), 'navtalk-demo-'));
    closers.push(() => rmSync(outDir, { recursive: true, force: true }));
    await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir } });
    const server = await preview({ configFile: CONFIG, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
    closers.push(() => server.close());
    // Run as a program, it prints the path (or one line of instruction on stderr, and fails).
    const chromiumPath = execFileSync(process.execPath, ['scripts/find-chromium.mjs'], { encoding: 'utf8' }).trim();
    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    closers.push(() => browser.close());
    return { base: server.resolvedUrls!.local[0]!, endpoint, mock, browser, chromiumPath, close };
  } catch (error) {
    await close();
    throw error;
  }
}
