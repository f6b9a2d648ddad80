import type { Page } from 'playwright-core';
import { serveSite, startBuildProxy } from '../../test/e2e/support.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { median, ms } from '../lib/stats.js';

/**
 * Each state whose view comes from the lazy chunk, on a page of its own: the avatar, and a probe that resolves with
 * when the state started and when its view was first on screen (a frame after it is in the shadow DOM), both on the
 * page's clock. The page is plain JavaScript (evaluated as a string), as bench/lib/pages.ts explains.
 */
const PAGE = `<!doctype html><html lang="en"><title>chunk wait</title>
<script type="module" src="/navtalk-avatar.js"></script>
<body><script type="module">
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  /** When \`test\` first holds of the avatar's shadow DOM, a frame after the change that made it so. */
  const seen = (el, test) => new Promise((resolve) => {
    const check = async () => {
      if (!el.shadowRoot || !test(el.shadowRoot)) return;
      observer.disconnect();
      const at = performance.now();
      await frame();
      resolve(at);
    };
    const observer = new MutationObserver(check);
    customElements.whenDefined('navtalk-avatar').then(() => {
      observer.observe(el.shadowRoot, { childList: true, subtree: true, characterData: true, attributes: true });
      check();
    });
  });
  const avatar = (attrs) => {
    const el = document.createElement('navtalk-avatar');
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    el.style.width = '240px';
    return el;
  };
  window.bench = {
    /** A first video's error, so that the browser's media stack is up before any measurement (cold or warm). */
    warmMedia: () => new Promise((resolve) => {
      const video = document.createElement('video');
      video.addEventListener('error', resolve, { once: true });
      video.src = '/warm-up.mp4';
    }),
    /** The loading panel: due 400 ms after the request goes out (submitting), seen when its progress bar is. */
    async panel(attrs) {
      const el = avatar(attrs);
      const start = new Promise((r) => el.addEventListener('navtalk-status', (e) => e.detail.status === 'submitting' && r(performance.now() + 400)));
      const view = seen(el, (root) => root.querySelector('[part="progress"]'));
      document.body.append(el);
      const result = { start: await start, view: await view };
      el.remove();
      return result;
    },
    /**
     * An error view, from when the avatar is put on the page (it fails as soon as it checks its inputs or its video)
     * or, with \`from: 'failed'\`, from its navtalk-status 'failed' (a failure NavTalk reports).
     */
    async error(attrs, from = 'append') {
      const el = avatar(attrs);
      const view = seen(el, (root) => root.querySelector('[part="error"]'));
      const failed = new Promise((r) => el.addEventListener('navtalk-status', (e) => e.detail.status === 'failed' && r(performance.now())));
      const appended = performance.now();
      document.body.append(el);
      const result = { start: from === 'failed' ? await failed : appended, view: await view };
      el.remove();
      return result;
    },
    /** Captions of a muted video: from its metadata (when its duration is known) to its first cue. */
    async captions(attrs) {
      const el = avatar(attrs);
      document.body.append(el);
      await customElements.whenDefined('navtalk-avatar');
      await el.updateComplete;
      const video = el.shadowRoot.querySelector('video');
      const start = video.readyState >= 1 ? performance.now() : await new Promise((r) => video.addEventListener('loadedmetadata', () => r(performance.now()), { once: true }));
      const track = video.textTracks[0];
      while (!track.cues?.length) await new Promise((r) => setTimeout(r, 1));
      const view = performance.now();
      el.remove();
      return { start, view };
    },
  };
  window.benchReady = true;
</script></body></html>`;

type Timing = { start: number; view: number };
type Kind = 'panel' | 'error' | 'captions';

/**
 * The states that need the lazy chunk (dist/navtalk-avatar-chunks/), each with the chunk cold (a fresh browser context:
 * nothing cached, the chunk fetched from the site) and warm (the same page again, the chunk already loaded): the
 * time from the state's start to its view on screen. The difference is what waiting for the chunk costs that state.
 */
export async function chunkWait({ browser, bundle, log }: BenchContext, runs: number): Promise<Figure> {
  const site = await serveSite({ '/chunks.html': PAGE }, bundle);
  const proxy = await startBuildProxy([site.origin]);
  // A task long enough that the loading panel is due while it runs.
  proxy.mock.configure({ timing: { processingAfterMs: 100, doneAfterMs: 1500 } });
  const endpoint = proxy.endpoint;
  const video = `${proxy.mock.url}/samples/source.mp4`;
  let n = 0;
  /** Each state's avatar; a fresh script for each run, so that nothing is a cache hit. */
  const cases: Record<string, { kind: Kind; attrs: () => Record<string, string>; from?: string; before?: () => void }> = {
    'loading panel (a generation runs)': { kind: 'panel', attrs: () => ({ endpoint, trigger: 'load', character: 'navtalk.Leo', text: `Panel ${n++}`, voice: 'echo' }) },
    'invalid input (error view)': { kind: 'error', attrs: () => ({ endpoint, trigger: 'load', character: 'navtalk.Leo', text: `Bad voice ${n++}`, voice: 'nobody' }) },
    'pre-rendered video gone, no inputs (error view)': { kind: 'error', attrs: () => ({ endpoint, trigger: 'load', 'result-url': `${site.origin}/gone-${n++}.mp4` }) },
    'NavTalk failed the task (error view)': {
      kind: 'error', from: 'failed', attrs: () => ({ endpoint, trigger: 'load', character: 'navtalk.Leo', text: `Fails ${n++}`, voice: 'echo' }),
      before: () => proxy.mock.configure({ faults: { outcome: 'failed' } }),
    },
    'captions of a muted pre-rendered video': { kind: 'captions', attrs: () => ({ 'result-url': video, trigger: 'load', muted: '', text: `Captions ${n++}. Read along.` }) },
  };
  const rows: string[][] = [];
  const raw: string[] = [];
  const costs: number[] = [];
  try {
    for (const [name, { kind, attrs, from, before }] of Object.entries(cases)) {
      proxy.mock.configure({ faults: {} });
      before?.();
      const cold: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext();
        const page: Page = await context.newPage();
        await page.goto(`${site.origin}/chunks.html`);
        await page.waitForFunction('window.benchReady === true');
        await page.evaluate('window.bench.warmMedia()');
        for (const into of [cold, warm]) {
          const t = (await page.evaluate(`window.bench.${kind}(${JSON.stringify(attrs())}, ${JSON.stringify(from)})`)) as Timing;
          into.push(t.view - t.start);
        }
        await context.close();
      }
      log(`chunk wait, ${name}: cold ${cold.map((v) => v.toFixed(0)).join(' ')} ms; warm ${warm.map((v) => v.toFixed(0)).join(' ')} ms`);
      raw.push(`- ${name}: cold ${cold.map((v) => v.toFixed(1)).join(', ')}; warm ${warm.map((v) => v.toFixed(1)).join(', ')} (ms)`);
      costs.push(median(cold) - median(warm));
      rows.push([name, ms(median(cold)), ms(Math.max(...cold)), ms(median(warm)), ms(costs.at(-1)!)]);
    }
  } finally {
    await proxy.close();
    await site.close();
  }
  const worst = Math.max(...costs);
  return {
    title: '1b. No state waits for a chunk',
    summary: [{
      figure: '1b. worst state, view delay with the chunk cold minus warm (median)', ours: `${worst.toFixed(0)} ms`, baseline: 'the chunk warm',
      ratio: '-', goal: '< 50 ms (not visible)', met: worst < 50,
    }],
    body: `
Each state whose view needs the lazy chunk, on loopback in headless Chromium: the built bundle served by a static
site, the Node proxy (src/proxy) with the NavTalk mock (tasks of 1.5 s). **Cold**: a fresh browser context (empty
cache), so the chunk is fetched when the avatar first needs it; **warm**: a second avatar of the same kind on the
same page. Before either, the page loads a first (missing) video, so that starting the browser's media stack is not
counted as the chunk's cost. Each value is the time from the state's start to its view being on screen (a frame after it is in the
shadow DOM), ${runs} runs each. The loading panel is due 400 ms after the request goes out (the element holds it back
that long so that a quick answer does not flash it) and ticks every 250 ms, so its delay is mostly that tick. The
chunk is fetched as soon as a generation starts (and a video fails, or a muted one needs captions), in parallel with
the checks of the inputs: what the cold column adds over the warm one is what waiting for it costs.

${table(['state', 'cold, median', 'cold, worst', 'warm, median', 'cold - warm'], rows)}

Raw runs:

${raw.join('\n')}
`,
  };
}
