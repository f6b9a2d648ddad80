/**
 * `npm run screenshots`: the README's pictures of each state, taken from the demo's state gallery on the
 * local stack (mock, Worker, demo) in headless Chromium. Writes docs/screenshots/*.png.
 */
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../test/e2e/support.js';
import { startStack } from './lib/stack.js';

const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
/** Gallery card title -> file name. */
const SHOTS: Record<string, string> = {
  'Idle': 'idle',
  'Processing': 'loading',
  'Done, with controls': 'done',
  'Failed': 'failed',
  'Rate-limited': 'rate-limited',
  'Invalid input': 'invalid-input',
};

mkdirSync(OUT, { recursive: true });
const stack = await startStack({ demo: true, demoPort: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light' });
  await page.goto(new URL('gallery.html', stack.demoUrl).href);
  for (const [title, name] of Object.entries(SHOTS)) {
    const card = page.locator('article.state', { has: page.locator('h3', { hasText: new RegExp(`^${title}$`) }) });
    const avatar = card.locator('navtalk-avatar');
    // Settled: done shows its first frame, loading its progress, the rest their final state. (No inner
    // functions here: tsx would wrap them in a helper the page does not have.)
    await page.waitForFunction(({ el, name }) => {
      const avatar = el as HTMLElement & { status: string };
      const video = avatar.shadowRoot?.querySelector('video');
      if (name === 'done') return avatar.status === 'done' && !!video && video.readyState >= 2;
      if (name === 'loading') return avatar.status === 'processing' && !!avatar.shadowRoot?.querySelector('[part~="progress"]');
      return name === 'idle' ? avatar.status === 'idle' : avatar.status === 'failed';
    }, { el: await avatar.elementHandle(), name }, { timeout: 20_000, polling: 100 });
    await card.screenshot({ path: `${OUT}${name}.png`, animations: 'disabled' });
    console.log(`docs/screenshots/${name}.png`);
  }
  const landing = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await landing.goto(stack.demoUrl!);
  await landing.waitForFunction(() => (document.querySelector('#hero-avatar') as HTMLElement & { status?: string })?.status === 'done', undefined, { timeout: 30_000 });
  await landing.screenshot({ path: `${OUT}landing.png` });
  console.log('docs/screenshots/landing.png');
} finally {
  await browser.close();
  await stack.stop();
}
