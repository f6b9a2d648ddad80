/**
 * The demo pages in Chromium, light and dark: they settle (their examples reach the states they show),
 * raise no script errors and have no axe-core violations (WCAG 2.1 A and AA, best practices); and the
 * landing page's examples send a valid request for each of NavTalk's nine methods.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_LABEL, VISUAL_LABEL, methodOf } from '../../demo/lib/methods.js';
import { AUDIO_FIELDS, VISUAL_FIELDS, methodNumber, validateGenerateRequest } from '../../src/protocol/index.js';
import { startDemo, type Demo } from './harness.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** How many of a page's elements must be in each status once its examples have reached what they show. */
const PAGES: Array<{ name: string; path: string; settled: Record<string, number> }> = [
  { name: 'landing page', path: '', settled: { done: 10 } },
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
  // The hero is method 6 (image + text) too.
  expect(postedMethods().sort()).toEqual([1, 2, 3, 4, 5, 6, 6, 7, 8, 9]);
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
