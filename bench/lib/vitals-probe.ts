import type { Browser, CDPSession } from 'playwright-core';

/** A page's layout shifts and Largest Contentful Paint candidates, each naming its DOM node, shadow trees included. */
export interface Vitals {
  shifts: { ms: number; value: number; sources: { node: string; from: string; to: string }[] }[];
  lcp: { ms: number; size: number; node: string; url: string }[];
}

/** How Lighthouse emulated the device (its lhr.configSettings), so the probe sees the page as Lighthouse did. */
export interface Emulation {
  screenEmulation: { width: number; height: number; deviceScaleFactor: number; mobile: boolean };
  emulatedUserAgent: string | boolean;
}

interface Rect { x: number; y: number; width: number; height: number }
const rect = (r: Rect) => (r.width * r.height === 0 ? 'out of the viewport' : `${Math.round(r.width)}x${Math.round(r.height)} at (${Math.round(r.x)}, ${Math.round(r.y)})`);

/**
 * The node's path from the page's body, `>>` where it enters a shadow tree (the element's, or a `<video>`'s own),
 * with its text. Runs in the page, on the node (Runtime.callFunctionOn).
 */
const PATH = `function () {
  const name = (n) => n.nodeType !== 1 ? n.nodeName.toLowerCase()
    : n.localName + (typeof n.className === 'string' && n.className ? '.' + n.className.trim().split(/\\s+/).join('.') : '')
      + ['part', 'pseudo'].map((a) => n.getAttribute(a) ? '[' + a + '=' + n.getAttribute(a) + ']' : '').join('');
  let path = name(this);
  for (let n = this; ;) {
    const up = n.parentNode;
    if (!up || up.nodeName === 'BODY') break;
    if (up.nodeType === 11) { path = name(up.host) + ' >> ' + path; n = up.host; } else { path = name(up) + ' > ' + path; n = up; }
  }
  const text = (this.textContent || '').trim().replace(/\\s+/g, ' ');
  return path + (text ? ' ("' + text.slice(0, 50) + (text.length > 50 ? '…' : '') + '")' : '');
}`;

/** Chromium names no node for an LCP candidate in a shadow tree: it is said so. */
async function describe(cdp: CDPSession, backendNodeId: number | undefined): Promise<string> {
  if (backendNodeId === undefined) return '(a node Chromium does not name: in a shadow tree)';
  try {
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId });
    const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId!, functionDeclaration: PATH, returnByValue: true });
    return String(result.value);
  } catch {
    return '(removed)';
  }
}

/**
 * Visits `url` in a fresh context emulating Lighthouse's device and records, through the DevTools protocol's
 * PerformanceTimeline (which names nodes in closed and user-agent shadow trees too, where the page's own
 * PerformanceObserver sees none), every layout shift and LCP candidate until `afterLoadMs` after load.
 */
export async function observeVitals(browser: Browser, url: string, emulation: Emulation, afterLoadMs: number): Promise<Vitals> {
  const { width, height, deviceScaleFactor, mobile } = emulation.screenEmulation;
  const context = await browser.newContext({
    viewport: { width, height }, deviceScaleFactor, isMobile: mobile, hasTouch: mobile,
    ...(typeof emulation.emulatedUserAgent === 'string' ? { userAgent: emulation.emulatedUserAgent } : {}),
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('DOM.enable');
    const pending: Promise<void>[] = [];
    const seen: { time: number; add: (origin: number) => void }[] = [];
    const vitals: Vitals = { shifts: [], lcp: [] };
    cdp.on('PerformanceTimeline.timelineEventAdded', ({ event }) => {
      const shift = event.layoutShiftDetails;
      const lcp = event.lcpDetails;
      if (shift && !shift.hadRecentInput) {
        pending.push(Promise.all(shift.sources.map(async (source) => ({ node: await describe(cdp, source.nodeId), from: rect(source.previousRect), to: rect(source.currentRect) })))
          .then((sources) => {
            seen.push({ time: event.time, add: (origin) => vitals.shifts.push({ ms: event.time * 1000 - origin, value: shift.value, sources }) });
          }));
      } else if (lcp) {
        const time = lcp.renderTime || lcp.loadTime;
        pending.push(describe(cdp, lcp.nodeId).then((node) => {
          seen.push({ time, add: (origin) => vitals.lcp.push({ ms: time * 1000 - origin, size: lcp.size, node, url: lcp.url ?? '' }) });
        }));
      }
    });
    await cdp.send('PerformanceTimeline.enable', { eventTypes: ['layout-shift', 'largest-contentful-paint'] });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(afterLoadMs);
    await Promise.all(pending);
    const origin = (await page.evaluate('performance.timeOrigin')) as number;
    for (const event of seen.sort((a, b) => a.time - b.time)) event.add(origin);
    return vitals;
  } finally {
    await context.close();
  }
}
