import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'vite';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { kB, ratio } from '../lib/stats.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const GOAL_GZIP = 10_000;

const sizes = (bytes: Buffer) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
});

/** `lit` alone, bundled as dist/navtalk-avatar.js is (vite.config.ts, bundle mode: ESM, es2022, minified). */
async function litAlone(): Promise<Buffer> {
  // Inside node_modules so that `lit` resolves; ignored by git.
  const dir = join(ROOT, 'node_modules/.cache/navtalk-bench-lit');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'entry.js'), "export * from 'lit';\n");
  await build({
    configFile: false, logLevel: 'silent', root: dir,
    build: {
      outDir: join(dir, 'out'), target: 'es2022', sourcemap: false,
      lib: { entry: join(dir, 'entry.js'), formats: ['es'], fileName: () => 'lit.js' },
      rolldownOptions: { output: { minify: true } },
    },
  });
  const bytes = readFileSync(join(dir, 'out/lit.js'));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

/**
 * Where the minified bytes of the bundle come from, by source (from its source map): each generated segment counts
 * up to the next one. Sources are grouped: Lit's packages, and our files by folder.
 */
function bytesBySource(code: string, mapJson: string): Map<string, number> {
  const map = JSON.parse(mapJson) as { sources: string[]; mappings: string };
  const group = (source: string) => {
    const lit = /node_modules\/((?:@lit\/)?[^/]+)\//.exec(source);
    if (lit) return lit[1]!.includes('lit') ? 'Lit (lit, lit-html, lit-element, @lit/reactive-element)' : lit[1]!;
    return /src\/.+/.exec(source)?.[0] ?? source;
  };
  const totals = new Map<string, number>();
  const lines = code.split('\n');
  decode(map.mappings).forEach((segments, line) => {
    const length = lines[line]?.length ?? 0;
    segments.forEach((segment, i) => {
      const end = segments[i + 1]?.[0] ?? length;
      const key = segment.length > 1 ? group(map.sources[segment[1]!]!) : '(unmapped)';
      totals.set(key, (totals.get(key) ?? 0) + end - segment[0]);
    });
  });
  return totals;
}

/** Figure 1: the CDN bundle's weight beside Lit alone. */
export async function weight({ bundle }: BenchContext): Promise<Figure> {
  const code = readFileSync(bundle);
  const ours = sizes(code);
  const parts = [...bytesBySource(code.toString('utf8'), readFileSync(`${bundle}.map`, 'utf8'))]
    .sort((a, b) => b[1] - a[1]);
  const lit = sizes(await litAlone());
  const met = ours.gzip <= GOAL_GZIP;
  const own = ours.gzip - lit.gzip;
  return {
    title: '1. Weight',
    summary: [
      { figure: '1. dist/navtalk-avatar.js, gzip', ours: kB(ours.gzip), baseline: `${kB(lit.gzip)} (Lit alone)`, ratio: ratio(ours.gzip, lit.gzip), goal: '<= 10 kB', met },
      { figure: '1. dist/navtalk-avatar.js, brotli', ours: kB(ours.brotli), baseline: `${kB(lit.brotli)} (Lit alone)`, ratio: ratio(ours.brotli, lit.brotli), goal: '(none set)', met: null },
    ],
    body: `
\`dist/navtalk-avatar.js\` as \`npm run build\` makes it (the self-registering CDN bundle, Lit included), beside
\`export * from 'lit'\` bundled the same way (Vite 8 library mode, ESM, es2022, minified by rolldown). gzip at level
9, brotli at quality 11 (node:zlib). 1 kB = 1,000 bytes, as size-limit counts. Sizes are exact: one measurement.

${table(['', 'minified', 'gzip', 'brotli'], [
  ['navtalk-avatar.js (ours, Lit included)', kB(ours.raw), kB(ours.gzip), kB(ours.brotli)],
  ['Lit alone', kB(lit.raw), kB(lit.gzip), kB(lit.brotli)],
])}

Where the minified bytes of our bundle come from (its source map; gzip does not split by source, so this is the
minified share):

${table(['source', 'minified bytes', 'share'], parts.map(([source, bytes]) => [source, bytes.toLocaleString('en-US'), `${((100 * bytes) / ours.raw).toFixed(1)} %`]))}

${met
  ? 'The bundle is within the 10 kB gzip goal.'
  : `**Missed**: ${kB(ours.gzip)} gzip > 10 kB. Why: Lit alone is ${kB(lit.gzip)} gzip, so the element's own code adds about ${(own / 1000).toFixed(1)} kB gzip on top of it; the table above shows where its bytes go (the element, its validation of NavTalk's 9 method combinations and ranges with readable messages, the task runner, captions, strings and styles). The issue of the element caps it at 14 kB (size-limit in \`npm test\`). What would close it: move what the first paint does not need behind a dynamic \`import()\` (captions, the validation messages, the loading and error UI) so the first chunk stays under 10 kB; or ship the element without Lit for hosts that already load it (the library build leaves \`lit\` external: then only the element's own ~${(own / 1000).toFixed(1)} kB counts).`}
`,
  };
}
