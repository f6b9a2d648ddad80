import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import sirv from 'sirv';
import { prerenderAvatar } from '../../src/prerender/index.js';
import { copyBundle, startBuildProxy } from '../../test/e2e/support.js';
import { freshPage, probe } from '../lib/browser.js';
import { BENCH_PAGES } from '../lib/pages.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { median, ms, percentile, ratio } from '../lib/stats.js';

const SCRIPT = { character: 'navtalk.Leo', text: 'A line shipped as one of the site\'s own files.', voice: 'echo' };

/**
 * Figure 10: a statically exported avatar (`result-url` on a file of the site itself, as `prerender --out` leaves it)
 * beside a bare `<video>` of the same file, both from the site's own origin through a plain static file server, with
 * no proxy running. Each measurement in a fresh browser context (a first visit), then a repeat view on the same page.
 */
export async function staticResult({ browser, bundle, log }: BenchContext, runs: number): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), 'navtalk-bench-static-'));
  // Build time: the video made through a proxy and exported into the site; then the proxy and the mock are gone.
  const proxy = await startBuildProxy();
  let made;
  try {
    made = await prerenderAvatar(SCRIPT, {
      endpoint: proxy.endpoint, outDir: join(dir, 'site/avatars'), base: '/avatars/',
      cacheFile: join(dir, 'cache.json'), cacheDir: join(dir, 'cache'),
    });
  } finally {
    await proxy.close();
  }
  for (const [path, html] of Object.entries(BENCH_PAGES)) {
    mkdirSync(dirname(join(dir, 'site', path)), { recursive: true });
    writeFileSync(join(dir, 'site', path), html);
  }
  copyBundle(join(dir, 'site'), bundle);
  // A content-addressed file never changes: served immutable, as a site's hashed assets are.
  const server = createServer(sirv(join(dir, 'site'), {
    setHeaders: (res, path) => res.setHeader('cache-control', path.startsWith('/avatars/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  log(`static result: ${made.resultUrl} (${basename(made.file!)}) on ${origin}, the proxy stopped`);
  try {
    type Visit = 'first' | 'repeat';
    type Frame = { frame: number; loadstart: number; fetches?: number };
    const results: Record<string, Record<Visit, Frame[]>> = { avatar: { first: [], repeat: [] }, bare: { first: [], repeat: [] } };
    const measure: Record<string, (page: Parameters<typeof probe>[0]) => Promise<Frame>> = {
      // The stopped proxy stays the endpoint: a request to it would fail the run below.
      avatar: async (page) => {
        const result = await probe<Frame>(page, 'avatarFrame', { endpoint: proxy.endpoint, ...SCRIPT, 'result-url': made.resultUrl, 'result-hash': made.resultHash });
        if (result.fetches !== 0) throw new Error(`the static result's avatar made ${result.fetches} requests`);
        return result;
      },
      bare: (page) => probe<Frame>(page, 'bareFrame', made.resultUrl),
    };
    const names = Object.keys(measure);
    for (let run = 0; run < runs; run++) {
      for (const name of names.map((_, i) => names[(i + run) % names.length]!)) {
        const foreign: string[] = [];
        const { context, page } = await freshPage(browser, `${origin}/bench.html`);
        page.on('request', (request) => { if (new URL(request.url()).origin !== origin) foreign.push(request.url()); });
        try {
          for (const visit of ['first', 'repeat'] as const) results[name]![visit].push(await measure[name]!(page));
        } finally {
          await context.close();
        }
        if (foreign.length) throw new Error(`the static page made cross-origin requests: ${foreign.join(', ')}`);
      }
      log(`static result run ${run + 1}: ${names.map((name) => `${name} ${JSON.stringify([results[name]!.first.at(-1), results[name]!.repeat.at(-1)])}`).join(', ')}`);
    }
    const frame = (name: string, visit: Visit) => median(results[name]![visit].map((r) => r.frame));
    const met = (visit: Visit) => frame('avatar', visit) <= 1.2 * frame('bare', visit);
    const stats = (label: string, values: number[]) => [label, ms(median(values)), ms(percentile(values, 90)), ms(Math.min(...values)), ms(Math.max(...values))];
    const rows = (['first', 'repeat'] as const).flatMap((visit) => [
      stats(`${visit} visit, static result avatar: append to first frame`, results.avatar![visit].map((r) => r.frame)),
      stats(`${visit} visit, static result avatar: append to its video's \`loadstart\``, results.avatar![visit].map((r) => r.loadstart)),
      stats(`${visit} visit, bare video of the same file: append to \`loadstart\``, results.bare![visit].map((r) => r.loadstart)),
      stats(`${visit} visit, bare video of the same file: append to first frame`, results.bare![visit].map((r) => r.frame)),
    ]);
    const gap = (visit: Visit) => frame('avatar', visit) - frame('bare', visit);
    const note = (visit: Visit) => `${visit === 'first' ? 'First visit' : 'Repeat view'}: the static result's avatar takes ${ratio(frame('avatar', visit), frame('bare', visit))} the time of a bare video of the same file (${ms(Math.abs(gap(visit)))} ${gap(visit) < 0 ? 'less' : 'more'} at the median): ${met(visit) ? 'the goal (<= 1.2x) is met' : '**missed**'}.`;
    const loadstart = (name: string, visit: Visit) => ms(median(results[name]![visit].map((r) => r.loadstart)));
    return {
      title: '11. Static result: first frame from the site\'s own files',
      summary: (['first', 'repeat'] as const).map((visit) => ({
        figure: `11. static result avatar beside a bare video of the same file, first frame (${visit} visit)`,
        ours: ms(frame('avatar', visit)), baseline: ms(frame('bare', visit)), ratio: ratio(frame('avatar', visit), frame('bare', visit)), goal: '<= 1.2x', met: met(visit),
      })),
      body: `
The script's video made at build time through a proxy and exported into the site, as \`navtalk-avatar prerender --out\`
(here through \`navtalk-avatar/prerender\`, the same code) leaves it: \`${made.resultUrl.replace(/[0-9a-f]{32}/, '<hash>')}\`, a file of the
site named by the hash of its bytes. Then the proxy and the mock are stopped, and the site (the bench page, the CDN
bundle and the video) is served by a plain static file server (sirv; the video \`immutable\`). Ours: \`<navtalk-avatar
trigger="load" autoplay muted result-url="…">\` with its inputs (its endpoint the stopped proxy), appended to a page that
has already loaded the bundle, timed from the append to the first \`requestVideoFrameCallback\` of its video. Baseline: a
bare \`<video muted autoplay playsinline preload="auto">\` of the same URL, appended and timed the same way. ${runs} runs of
each, alternating which goes first, each in a fresh browser context: a first visit (empty HTTP cache), then a repeat
view on the same page (the video from the HTTP cache). No run made a request to the proxy or to another origin (the
probe counts \`fetch()\` calls and the page's requests are watched; either stops the benchmark).

${table(['', 'median', 'p90', 'min', 'max'], rows)}

${note('first')}
${note('repeat')}
${met('first') && met('repeat') ? '' : `Why: with nothing to ask, both start fetching at about the same time (\`loadstart\` ${loadstart('avatar', 'first')} against ${loadstart('bare', 'first')} on a first visit, ${loadstart('avatar', 'repeat')} against ${loadstart('bare', 'repeat')} on a repeat view); what is left is the element's first render on the main thread (figure 2 has the trace), which weighs most against a short first frame on a busy machine (see the load averages).\n`}Compared with figure 2's result-url on the Worker's copy, the same page now needs no server of ours at view time, and
its video comes from the page's own origin (no CORS, no second connection).`,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
