/**
 * The element inside the React and the Vue demo apps, in Chromium: the apps are built with the demo's Vite
 * config and served by `vite preview`, whose /api/navtalk forwards to a recording fake proxy (endpoint.ts).
 * Checks that app state reaches the element as properties, that a state change makes a new generation
 * (a new POST with the new body, and only one), and that the element's events reach the apps' handlers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { START } from '../../demo/lib/app-state.js';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { startFakeEndpoint, type FakeEndpoint } from './endpoint.js';

const CONFIG = new URL('../../vite.demo.config.ts', import.meta.url).pathname;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

let mock: MockNavTalk;
let endpoint: FakeEndpoint;
let server: PreviewServer;
let browser: Browser;
let outDir: string;
let base: string;

beforeAll(async () => {
  mock = await startMockNavTalk({ port: 0 });
  endpoint = await startFakeEndpoint({ videoUrl: `${mock.url}/samples/avatar.mp4`, processingAfterMs: 300, doneAfterMs: 900 });
  // vite.demo.config.ts reads these when it loads.
  process.env.NAVTALK_ENDPOINT_TARGET = endpoint.origin;
  process.env.VITE_MOCK_URL = mock.url;
  outDir = mkdtempSync(join(tmpdir(), 'navtalk-frameworks-'));
  await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir } });
  server = await preview({ configFile: CONFIG, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
  base = server.resolvedUrls!.local[0]!;
  // Run as a program, it prints the path (or one line of instruction on stderr, and fails).
  const executablePath = execFileSync(process.execPath, ['scripts/find-chromium.mjs'], { encoding: 'utf8' }).trim();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await endpoint?.close();
  await mock?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const posts = () => endpoint.proxy.calls.filter((c) => c.method === 'POST');

/** Waits for the nth POST (1-based) to have arrived with its body, and returns the body. */
async function nthPostBody(n: number): Promise<unknown> {
  await expect.poll(() => posts()[n - 1]?.body, { timeout: 10_000 }).toBeDefined();
  return posts()[n - 1]!.body;
}

/** The element's inputs as properties, read in the page. */
const elementInputs = (page: Page) => page.$eval('navtalk-avatar', (el) => {
  const { endpoint, character, voice, text, trigger, autoplay, taskId } = el as HTMLElementTagNameMap['navtalk-avatar'];
  return { endpoint, character, voice, text, trigger, autoplay, taskId };
});

const uiText = (page: Page, id: string) => page.getByTestId(id).textContent();
const waitForUiStatus = (page: Page, status: string) =>
  expect.poll(() => uiText(page, 'status'), { timeout: 10_000 }).toBe(status);

describe.each([
  ['React', 'react/'],
  ['Vue', 'vue/'],
])('the %s demo app', (_name, path) => {
  let page: Page;
  const errors: string[] = [];

  beforeEach(async () => {
    endpoint.proxy.calls.length = 0;
    errors.length = 0;
    page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(new URL(path, base).href);
  });
  afterEach(async () => {
    await page.close();
    expect(errors).toEqual([]);
  });

  it('passes its state to the element as properties, and the element sends it in one request', async () => {
    expect(await nthPostBody(1)).toEqual({ character_name: START.character, content: START.text, voice: START.voice });
    const inputs = await elementInputs(page);
    expect(inputs).toMatchObject({
      endpoint: '/api/navtalk', character: START.character, voice: START.voice, text: START.text, trigger: 'load', autoplay: true,
    });
    await waitForUiStatus(page, 'done');
    expect(posts()).toHaveLength(1);
  });

  it("delivers the element's status, ready and task id to the app's handlers", async () => {
    await waitForUiStatus(page, 'done');
    const { taskId } = await elementInputs(page);
    expect(taskId).toMatch(/^flow-\d+$/);
    expect(await uiText(page, 'task')).toBe(taskId);
    expect(await uiText(page, 'ready')).toBe(`${mock.url}/samples/avatar.mp4`);
    expect(await uiText(page, 'error')).toBe('–');
    const events = (await page.getByTestId('events').locator('li').allTextContents()).reverse();
    expect(events.at(-1)).toBe('navtalk-ready: video ready');
    // In lifecycle order; `processing` may fall between two polls, so it is not required.
    const statuses = events.slice(0, -1).map((e) => e.replace('navtalk-status: ', ''));
    expect(statuses).toEqual(['submitting', 'started', 'processing', 'done'].filter((s) => statuses.includes(s)));
    expect(statuses).toEqual(expect.arrayContaining(['submitting', 'started', 'done']));
  });

  it('starts a new generation with the new body when the character, voice or text changes', async () => {
    await waitForUiStatus(page, 'done');
    const firstTask = await uiText(page, 'task');

    await page.getByLabel('Character').selectOption('navtalk.Mia');
    expect(await nthPostBody(2)).toEqual({ character_name: 'navtalk.Mia', content: START.text, voice: START.voice });
    expect((await elementInputs(page)).character).toBe('navtalk.Mia');
    await waitForUiStatus(page, 'done');
    expect(await uiText(page, 'task')).not.toBe(firstTask);

    await page.getByLabel('Voice').selectOption('shimmer');
    expect(await nthPostBody(3)).toEqual({ character_name: 'navtalk.Mia', content: START.text, voice: 'shimmer' });
    await waitForUiStatus(page, 'done');

    await page.getByLabel('Text').fill('Something new to say.');
    await page.getByRole('button', { name: 'Say it' }).click();
    expect(await nthPostBody(4)).toEqual({ character_name: 'navtalk.Mia', content: 'Something new to say.', voice: 'shimmer' });
    await waitForUiStatus(page, 'done');
    expect((await elementInputs(page)).text).toBe('Something new to say.');
    expect(posts()).toHaveLength(4);
  });

  it("delivers navtalk-error to the app's handler, and an invalid input sends nothing", async () => {
    await waitForUiStatus(page, 'done');
    await page.getByLabel('Text').fill('   ');
    await page.getByRole('button', { name: 'Say it' }).click();
    await waitForUiStatus(page, 'failed');
    expect(await uiText(page, 'error')).toMatch(/^invalid_input: text must be text of 1 to 2000 characters/);
    expect(posts()).toHaveLength(1);
  });
});
