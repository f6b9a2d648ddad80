// End to end over the real stack: the built CDN bundle on a plain page, the Worker under wrangler dev,
// and the NavTalk mock. The page and the Worker are on different origins, as on a real site.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../scripts/lib/stack.js';
import { launchChromium, pageWith, serveSite, waitForPlayback, type StaticSite } from './support.js';

let site: StaticSite;
let stack: Stack;
let browser: Browser;
const pages: Record<string, string> = {};

beforeAll(async () => {
  site = await serveSite(pages);
  stack = await startStack({ origins: [site.origin], vars: { UPSTREAM_POLL_INTERVAL_MS: '200' } });
  stack.mock!.configure({ timing: { processingAfterMs: 300, doneAfterMs: 1200 } });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await site?.close();
});

const generateBodies = () => stack.mock!.calls.filter((c) => c.path === '/generate').map((c) => c.body);

describe('the real stack', () => {
  it('text method: the video plays and NavTalk received the exact body with the license added', async () => {
    pages['/text.html'] = pageWith(
      `<navtalk-avatar id="a" endpoint="${stack.workerUrl}" character="navtalk.Leo" text="Welcome to the end-to-end test!" voice="echo" bbox-shift="2" trigger="load" autoplay muted></navtalk-avatar>`,
    );
    const page = await browser.newPage();
    await page.goto(`${site.origin}/text.html`);
    const seen = await waitForPlayback(page, '#a');
    expect(seen.status).toBe('done');
    expect(seen.resultUrl).toMatch(new RegExp(`^${stack.mock!.url}/videos/.+\\.mp4$`));
    expect(generateBodies()).toContainEqual({
      license: stack.mock!.license, character_name: 'navtalk.Leo', content: 'Welcome to the end-to-end test!', voice: 'echo', bbox_shift: 2,
    });
    await page.close();
  });

  it('audio method: an image and an audio file from the mock become a playing video', async () => {
    const before = generateBodies().length;
    const image = `${stack.mock!.url}/samples/face.png`;
    const audio = `${stack.mock!.url}/samples/voice.mp3`;
    pages['/audio.html'] = pageWith(
      `<navtalk-avatar id="b" endpoint="${stack.workerUrl}" image-url="${image}" audio-url="${audio}" trigger="load" autoplay muted></navtalk-avatar>`,
    );
    const page = await browser.newPage();
    await page.goto(`${site.origin}/audio.html`);
    const seen = await waitForPlayback(page, '#b');
    expect(seen.status).toBe('done');
    expect(generateBodies().slice(before)).toEqual([{ license: stack.mock!.license, image_url: image, audio_url: audio }]);
    await page.close();
  });

  it('a second page with the same script is served from the cache: no new generation', async () => {
    const before = generateBodies().length;
    const page = await browser.newPage();
    await page.goto(`${site.origin}/text.html`);
    const seen = await waitForPlayback(page, '#a');
    expect(seen.status).toBe('done');
    expect(generateBodies().length).toBe(before);
    await page.close();
  });
});
