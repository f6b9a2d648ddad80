// The element under a strict Content-Security-Policy (the one docs/element.md gives): a page on its own origin, the
// built CDN bundle, the real proxy handler on a second origin with the NavTalk mock behind it on a third. A character
// avatar waits on its poster (the proxy's preview), another generates and plays; the page must see no violation. The
// mock (NavTalk) is named in media-src only, for the first viewers' video; never in img-src or connect-src.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { puppeteerCore } from '@web/test-runner-chrome';
import type { Browser, Page } from 'puppeteer-core';
import { findChromium, findFirefox } from '../../scripts/find-browser.mjs';
import { CHROMIUM_ARGS, serveSite, startBuildProxy, type BuildProxy, type StaticSite } from './support.js';

/** The policy, exactly as docs/element.md lists it for a proxy on another origin. */
function strictPolicy(proxyOrigin: string, videoOrigin: string): string {
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", `connect-src 'self' ${proxyOrigin}`,
    `media-src 'self' ${proxyOrigin} ${videoOrigin}`, `img-src 'self' ${proxyOrigin}`,
  ].join('; ');
}

// Loaded first, as a classic script: every violation the page sees from then on, for the test to read.
const WATCH = `window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
});`;
// The documented rule that reserves the box, from a stylesheet of the site's own (an inline <style> is refused).
const CSS = 'navtalk-avatar { width: 240px; } navtalk-avatar:not(:defined) { display: block; aspect-ratio: 1; }';
const page = (tags: string) => `<!doctype html><html lang="en"><head><title>strict CSP</title>
<script src="/watch.js"></script><link rel="stylesheet" href="/site.css">
<script type="module" src="/navtalk-avatar.js"></script></head><body>${tags}</body></html>`;

/** Debian's browsers, each with a fresh profile; Firefox through WebDriver BiDi, as the element suite drives it. */
const LAUNCH: Record<string, () => Promise<Browser>> = {
  chromium: () => puppeteerCore.launch({ executablePath: findChromium() as string, headless: true, args: CHROMIUM_ARGS }),
  firefox: () => puppeteerCore.launch({ browser: 'firefox', executablePath: findFirefox() as string, headless: true }),
};
const BROWSERS = (process.env.CSP_BROWSERS ?? 'chromium,firefox').split(',').map((name) => name.trim());

let site: StaticSite;
let proxy: BuildProxy;
// Filled once the proxy is up: the site's policy names its origin, and the proxy allows the site's.
const headers: Record<string, string> = {};
const files: Record<string, string> = { '/watch.js': WATCH, '/site.css': CSS };

beforeAll(async () => {
  site = await serveSite(files, undefined, headers);
  proxy = await startBuildProxy([site.origin]);
  headers['content-security-policy'] = strictPolicy(proxy.origin, proxy.mock.url);
  const avatar = (id: string, more: string) =>
    `<navtalk-avatar id="${id}" endpoint="${proxy.endpoint}" character="navtalk.Leo" voice="echo" ${more}></navtalk-avatar>`;
  files['/index.html'] = page(avatar('waiting', 'text="I wait on my poster." trigger="click"')
    + avatar('playing', 'text="Hello under a strict policy." trigger="load" autoplay muted'));
  // What the element did before previews came through the proxy: NavTalk's own URL as the poster.
  files['/navtalk-poster.html'] = page(avatar('old', `text="Old poster." trigger="click" poster="${proxy.mock.url}/uploadFiles/navtalk.Leo.png"`));
});
afterAll(async () => {
  await site?.close();
  await proxy?.close();
});

/** Opens a page of the site, collecting console lines about the policy (Chromium's; Firefox keeps them in its browser console). */
async function open(browser: Browser, path: string): Promise<{ tab: Page; consoleErrors: string[] }> {
  const tab = await browser.newPage();
  const consoleErrors: string[] = [];
  tab.on('console', (message) => {
    if (/content.security.policy/i.test(message.text())) consoleErrors.push(message.text());
  });
  tab.on('pageerror', (error) => consoleErrors.push(String(error)));
  await tab.goto(`${site.origin}${path}`);
  return { tab, consoleErrors };
}

const violations = (tab: Page) => tab.evaluate(() => (window as unknown as { cspViolations: { directive: string; blocked: string }[] }).cspViolations);

describe.each(BROWSERS)('a strict Content-Security-Policy in %s', (name) => {
  let browser: Browser;
  beforeAll(async () => {
    const launch = LAUNCH[name];
    if (!launch) throw new Error(`CSP_BROWSERS: unknown browser "${name}" (chromium, firefox)`);
    browser = await launch();
  });
  afterAll(() => browser?.close());

  it('the avatar plays, its poster is the proxy\'s preview, and the page sees zero violations', async () => {
    const { tab, consoleErrors } = await open(browser, '/index.html');
    try {
      await tab.waitForFunction(() => {
        const video = document.querySelector('#playing')?.shadowRoot?.querySelector('video');
        return !!video && video.currentTime > 0.3;
      }, { timeout: 30_000, polling: 100 });
      // Settled: loaded, or dropped after an error (what a blocked image comes to).
      const poster = await tab.waitForFunction(() => {
        const img = document.querySelector('#waiting')!.shadowRoot!.querySelector<HTMLImageElement>('[part="poster"]');
        if (!img) return { src: null, width: 0 };
        return img.complete && img.naturalWidth > 0 && { src: img.currentSrc, width: img.naturalWidth };
      }, { timeout: 10_000, polling: 100 });
      expect(await violations(tab)).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(await poster.jsonValue()).toEqual({ src: `${proxy.endpoint}?preview=navtalk.Leo`, width: 512 });
      expect(await tab.$eval('#playing', (el) => (el as HTMLElementTagNameMap['navtalk-avatar']).status)).toBe('done');
      // The box was reserved by the site's stylesheet, and the element's own styles applied (constructable sheets).
      expect(await tab.$eval('#waiting', (el) => el.getBoundingClientRect().height)).toBe(240);

      expect(proxy.requests).toContain('GET /api/navtalk?preview=navtalk.Leo');
      // Fetched from NavTalk once for the whole run (both avatars, every browser): the proxy keeps it.
      expect(proxy.mock.calls.filter((c) => c.path.startsWith('/uploadFiles/')).map((c) => c.path)).toEqual(['/uploadFiles/navtalk.Leo.png']);
      const images = await tab.evaluate(() => performance.getEntriesByType('resource')
        .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === 'img').map((entry) => entry.name));
      expect(images.length).toBeGreaterThan(0);
      expect(images.filter((url) => !url.startsWith(`${proxy.endpoint}?preview=`))).toEqual([]);
      expect(await violations(tab)).toEqual([]); // none later either
    } finally {
      await tab.close();
    }
  }, 60_000);

  it('the page would catch it: a poster on NavTalk\'s host is blocked by img-src and reported', async () => {
    const { tab } = await open(browser, '/navtalk-poster.html');
    try {
      await tab.waitForFunction(() => (window as unknown as { cspViolations: unknown[] }).cspViolations.length > 0, { timeout: 10_000, polling: 50 });
      expect(await violations(tab)).toEqual([{ directive: 'img-src', blocked: `${proxy.mock.url}/uploadFiles/navtalk.Leo.png` }]);
    } finally {
      await tab.close();
    }
  });
});
