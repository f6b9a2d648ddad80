/**
 * The element inside the React (with the @lit/react wrapper, and as the plain tag with React 19's own
 * custom element support) and the Vue demo apps, in Chromium (harness.ts has what serves them).
 * Checks that app state reaches the element as properties, that a state change makes a new generation
 * (a new POST with the new body, and only one), and that the element's events reach the apps' handlers.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { START } from '../../demo/lib/app-state.js';
import { startDemo, type Demo } from './harness.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(() => demo?.close());

const posts = () => demo.endpoint.proxy.calls.filter((c) => c.method === 'POST');

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
  ['React app with the wrapper', 'react/'],
  ['React app with the plain tag (React 19)', 'react/raw.html'],
  ['Vue app', 'vue/'],
])('the %s', (_name, path) => {
  let page: Page;
  const errors: string[] = [];

  beforeEach(async () => {
    demo.endpoint.proxy.calls.length = 0;
    errors.length = 0;
    page = await demo.browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(new URL(path, demo.base).href);
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
    expect(await uiText(page, 'ready')).toBe(`${demo.mockUrl}/samples/avatar.mp4`);
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
