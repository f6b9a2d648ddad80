/**
 * The demo pages in Chromium, light and dark: they settle (their examples reach the states they show),
 * raise no script errors and have no axe-core violations (WCAG 2.1 A and AA, best practices); the
 * landing page's examples send a valid request for each of NavTalk's nine methods, and its pre-rendered
 * avatar plays its result-url with no request to the proxy.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_LABEL, VISUAL_LABEL, methodOf } from '../../demo/lib/methods.js';
import { LIVE_TEXT, PRERENDERED_TEXT } from '../../demo/lib/prerendered.js';
import { AUDIO_FIELDS, VISUAL_FIELDS, methodNumber, validateGenerateRequest } from '../../src/protocol/index.js';
import { startDemo, type Demo } from './harness.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** How many of a page's elements must be in each status once its examples have reached what they show. */
const PAGES: Array<{ name: string; path: string; settled: Record<string, number> }> = [
  // The hero, the live and the pre-rendered pair, and the nine methods.
  { name: 'landing page', path: '', settled: { done: 12 } },
  { name: 'playground', path: 'playground.html', settled: { done: 1 } },
  // Every example but the idle one has started, and the five that finish at once are done.
  { name: 'state gallery', path: 'gallery.html', settled: { idle: 1, done: 5 } },
  { name: 'recorder', path: 'record.html', settled: { idle: 1 } },
  { name: 'React app', path: 'react/', settled: { done: 1 } },
  { name: 'React app without the wrapper', path: 'react/raw.html', settled: { done: 1 } },
  { name: 'Vue app', path: 'vue/', settled: { done: 1 } },
];

const hasSettled = (counts: Record<string, number>) => {
  const statuses = [...document.querySelectorAll('navtalk-avatar')].map((el) => el.getAttribute('status') ?? 'idle');
  return Object.entries(counts).every(([status, n]) => statuses.filter((s) => s === status).length === n);
};

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(() => demo?.close());

describe.each(['light', 'dark'] as const)('the demo pages, %s', (colorScheme) => {
  it.each(PAGES)('$name settles with no script errors and no accessibility violations', async ({ path, settled }) => {
    // Tall enough that every trigger="visible" example is near the viewport.
    const page = await demo.browser.newPage({ colorScheme, viewport: { width: 1280, height: 6000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(new URL(path, demo.base).href);
      await page.waitForFunction(hasSettled, settled, { timeout: 15_000 });
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
        const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

const postedMethods = () => demo.endpoint.proxy.calls.filter((c) => c.method === 'POST').map((c) => {
  const checked = validateGenerateRequest(c.body);
  if (!checked.ok) throw new Error(checked.message);
  return methodNumber(checked.value);
});

it("the landing page's examples send a valid request for each of the nine methods", async () => {
  demo.endpoint.proxy.calls.length = 0;
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 6000 } });
  try {
    await page.goto(demo.base);
    await page.waitForFunction(hasSettled, PAGES[0]!.settled, { timeout: 15_000 });
  } finally {
    await page.close();
  }
  // The hero and the live avatar of the pair are method 6 (image + text) too; the pre-rendered one sends nothing.
  expect(postedMethods().sort()).toEqual([1, 2, 3, 4, 5, 6, 6, 6, 7, 8, 9]);
});

it("the landing page's pre-rendered avatar plays its result-url with no request to the proxy, beside the live one", async () => {
  demo.endpoint.proxy.calls.length = 0;
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 6000 } });
  // Every request the page makes to the proxy, with the text it asks for.
  const proxyRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/navtalk')) proxyRequests.push(`${request.method()} ${request.postData() ?? request.url()}`);
  });
  try {
    await page.goto(demo.base);
    await page.waitForFunction(hasSettled, PAGES[0]!.settled, { timeout: 15_000 });
    const pair = (id: string) => page.$eval(`#${id}`, async (el) => {
      const avatar = el as HTMLElementTagNameMap['navtalk-avatar'];
      const video = avatar.shadowRoot!.querySelector('video')!;
      // The video really loads (a broken one would have made the element generate instead).
      await new Promise<void>((resolve) => (video.readyState >= 1 ? resolve() : video.addEventListener('loadedmetadata', () => resolve(), { once: true })));
      return { status: avatar.status, taskId: avatar.taskId, resultUrl: avatar.resultUrl, src: video.getAttribute('src'), wait: el.parentElement!.querySelector('.stage-card__bar .muted')!.textContent };
    });
    const sample = `${demo.mockUrl}/samples/avatar.mp4`;
    expect(await pair('pair-prerendered')).toEqual({
      status: 'done', taskId: null, resultUrl: sample, src: sample, wait: 'ready at once: no request to the proxy',
    });
    expect(await pair('pair-live')).toMatchObject({ status: 'done', taskId: expect.stringMatching(/^flow-\d+$/), wait: expect.stringMatching(/^ready after \d+\.\d s of generating$/) });
    const posts = demo.endpoint.proxy.calls.filter((c) => c.method === 'POST').map((c) => (c.body as { content?: string }).content);
    expect(posts.filter((text) => text === LIVE_TEXT)).toHaveLength(1);
    expect(posts).not.toContain(PRERENDERED_TEXT);
    expect(proxyRequests.filter((r) => r.includes(PRERENDERED_TEXT))).toEqual([]);
    expect(proxyRequests.filter((r) => r.includes(LIVE_TEXT))).toHaveLength(1);
  } finally {
    await page.close();
  }
});

it('the playground applies each of the nine methods from its form, and the element makes it', async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 1200 } });
  try {
    await page.goto(new URL('playground.html', demo.base).href);
    await page.waitForFunction(hasSettled, { done: 1 });
    demo.endpoint.proxy.calls.length = 0;
    for (const visual of VISUAL_FIELDS) {
      for (const audio of AUDIO_FIELDS) {
        await page.getByRole('radio', { name: VISUAL_LABEL[visual], exact: true }).check();
        await page.getByRole('radio', { name: AUDIO_LABEL[audio], exact: true }).check();
        const sample = page.getByRole('button', { name: 'Use the sample voice' });
        if (audio === 'audio_base64' && !(await page.getByText('voice.wav,').isVisible())) {
          await sample.click();
          await page.getByText('voice.wav,').waitFor();
        }
        await page.getByRole('button', { name: 'Apply' }).click();
        await expect.poll(postedMethods, { timeout: 10_000 }).toContain(methodOf(visual, audio));
        await page.waitForFunction(hasSettled, { done: 1 });
      }
    }
    expect(postedMethods()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  } finally {
    await page.close();
  }
});
