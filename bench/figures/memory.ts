import { startStack } from '../../scripts/lib/stack.js';
import { serveSite } from '../../test/e2e/support.js';
import { freshPage, heapAfterGc, probe } from '../lib/browser.js';
import { BENCH_PAGES } from '../lib/pages.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { MB, median, num, ratio } from '../lib/stats.js';

const COUNT = 50;

/**
 * Figure 6: the JS heap of a page with 50 elements after each has played, beside a page with 50 bare `<video>`
 * elements of the same files played the same way; after two forced garbage collections (CDP).
 */
export async function memory({ browser, workerConfig, bundle, log }: BenchContext, runs: number): Promise<Figure> {
  const site = await serveSite(BENCH_PAGES, bundle);
  // 50 new scripts from one page (one address): the rate limit is raised for them.
  const stack = await startStack({ origins: [site.origin], config: workerConfig, vars: { RATE_LIMIT_PER_MINUTE: '1000', UPSTREAM_POLL_INTERVAL_MS: '200' } });
  stack.mock!.configure({ timing: { processingAfterMs: 200, doneAfterMs: 1000 } });
  const stamp = `run ${Date.now()}`;
  const samples: Record<'ours' | 'bare' | 'bundle', { used: number; nodes: number }[]> = { ours: [], bare: [], bundle: [] };
  let urls: string[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      // The first run makes the 50 videos; later runs are cache hits, as most page views would be.
      {
        const { context, page } = await freshPage(browser, `${site.origin}/bench.html`);
        const seen = await probe<{ played: number; urls: string[] }>(page, 'manyAvatars', { endpoint: `${stack.workerUrl}/`, n: COUNT, stamp });
        if (seen.played !== COUNT) throw new Error(`only ${seen.played} of ${COUNT} elements played`);
        urls = seen.urls;
        samples.ours.push(await heapAfterGc(page));
        await context.close();
      }
      {
        const { context, page } = await freshPage(browser, `${site.origin}/bare.html`);
        const seen = await probe<{ played: number }>(page, 'manyVideos', urls);
        if (seen.played !== COUNT) throw new Error(`only ${seen.played} of ${COUNT} videos played`);
        samples.bare.push(await heapAfterGc(page));
        await context.close();
      }
      {
        // The bundle alone, no element: what Lit and the element's code cost before any instance.
        const { context, page } = await freshPage(browser, `${site.origin}/bench.html`);
        await page.evaluate('customElements.whenDefined("navtalk-avatar")');
        samples.bundle.push(await heapAfterGc(page));
        await context.close();
      }
      log(`memory run ${run + 1}: ${JSON.stringify({ ours: samples.ours.at(-1), bare: samples.bare.at(-1), bundle: samples.bundle.at(-1) })}`);
    }
  } finally {
    await stack.stop();
    await site.close();
  }
  const heap = (key: keyof typeof samples) => median(samples[key].map((s) => s.used));
  const nodes = (key: keyof typeof samples) => median(samples[key].map((s) => s.nodes));
  const perElement = (heap('ours') - heap('bundle')) / COUNT;
  return {
    title: '6. Memory',
    summary: [{
      figure: `6. JS heap, ${COUNT} players after playing`, ours: MB(heap('ours')), baseline: MB(heap('bare')),
      ratio: ratio(heap('ours'), heap('bare')), goal: '(none set)', met: null,
    }],
    body: `
A page with ${COUNT} \`<navtalk-avatar>\` (${COUNT} different scripts, \`muted\`, \`trigger="load"\`): once all are ready,
each is played in turn with \`play()\` (the element lets one avatar speak at a time, so each start pauses the one
before). Baseline: a page without the bundle holding ${COUNT} bare \`<video muted playsinline preload="auto">\` of the same
${COUNT} video URLs, played in turn the same way (each \`play()\` awaited, the previous paused). Then two forced garbage
collections (CDP \`HeapProfiler.collectGarbage\`) and CDP \`Performance.getMetrics\`: \`JSHeapUsedSize\` and \`Nodes\`
(DOM nodes, shadow roots included). The run is repeated ${runs} times, each page in a fresh browser context; medians.
The first run makes the ${COUNT} videos (the element waits for them), later runs are cache hits. "Bundle alone" is the
element's page with the CDN bundle loaded and no element.

${table(['page', 'JS heap used', 'DOM nodes'], [
  [`${COUNT} elements (ours)`, MB(heap('ours')), num(nodes('ours'))],
  [`${COUNT} bare videos`, MB(heap('bare')), num(nodes('bare'))],
  ['bundle alone, no element', MB(heap('bundle')), num(nodes('bundle'))],
])}

Per element, over the bundle alone: about ${num(perElement / 1000, 1)} kB of JS heap. The issue sets no goal for this figure.
Video buffers and decoders live outside the JS heap and are the same for both pages.
`,
  };
}
