import type { Browser, BrowserContext, Page } from 'playwright-core';
import { until } from './stats.js';

/** A fresh context (empty cache, no CORS preflight cache) and a page on `url` with window.bench ready. */
export async function freshPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction('window.benchReady === true', undefined, { timeout: 10_000 });
  return { context, page };
}

/** Calls window.bench[name](arg) in the page (a string expression: nothing compiled by tsx runs in the page). */
export function probe<T>(page: Page, name: string, arg: unknown): Promise<T> {
  return page.evaluate(`window.bench.${name}(${JSON.stringify(arg)})`) as Promise<T>;
}

/** The page's JS heap after two full garbage collections (CDP). */
export async function heapAfterGc(page: Page): Promise<{ used: number; total: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  await cdp.detach();
  return { used: metric('JSHeapUsedSize'), total: metric('JSHeapTotalSize'), nodes: metric('Nodes') };
}

export { until };
