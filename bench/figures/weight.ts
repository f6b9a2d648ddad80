import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'vite';
import { BUNDLE_CHUNKS } from '../../test/e2e/support.js';
import { terser } from '../../vite.config.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { kB, ratio } from '../lib/stats.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const GOAL_ENTRY = 10_000;
const GOAL_ALL = 16_000;

const sizes = (bytes: Buffer) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
});

/** `lit` alone, bundled as dist/navtalk-avatar.js is (vite.config.ts, bundle mode: ESM, es2022, minified by Rolldown then terser). */
async function litAlone(): Promise<Buffer> {
  // Inside node_modules so that `lit` resolves; ignored by git.
  const dir = join(ROOT, 'node_modules/.cache/navtalk-bench-lit');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'entry.js'), "export * from 'lit';\n");
  await build({
    configFile: false, logLevel: 'silent', root: dir, plugins: [terser()],
    build: {
      outDir: join(dir, 'out'), target: 'es2022', sourcemap: true,
      lib: { entry: join(dir, 'entry.js'), formats: ['es'], fileName: () => 'lit.js' },
      rolldownOptions: { output: { minify: true } },
    },
  });
  const bytes = readFileSync(join(dir, 'out/lit.js'));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

/**
 * Where the minified bytes of a file come from, by source (from its source map): each generated segment counts
 * up to the next one. Sources are grouped: Lit's packages, and our files.
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

interface Weighed {
  name: string;
  raw: number;
  gzip: number;
  brotli: number;
  /** Minified bytes by source, largest first. */
  parts: [string, number][];
}

function weigh(path: string, name: string): Weighed {
  const code = readFileSync(path);
  return { name, ...sizes(code), parts: [...bytesBySource(code.toString('utf8'), readFileSync(`${path}.map`, 'utf8'))].sort((a, b) => b[1] - a[1]) };
}

const sum = (files: Weighed[], key: 'raw' | 'gzip' | 'brotli') => files.reduce((total, file) => total + file[key], 0);
const sources = (file: Weighed) =>
  table(['source', 'minified bytes', 'share'], file.parts.map(([source, bytes]) => [source, bytes.toLocaleString('en-US'), `${((100 * bytes) / file.raw).toFixed(1)} %`]));

/** Figure 1: the CDN bundle's weight (its first-paint entry, its chunks, and the one-file build) beside Lit alone. */
export async function weight({ bundle }: BenchContext): Promise<Figure> {
  const entry = weigh(bundle, 'navtalk-avatar.js (the entry: first paint, Lit included)');
  const chunkDir = join(dirname(bundle), BUNDLE_CHUNKS);
  const chunks = readdirSync(chunkDir).filter((f) => f.endsWith('.js')).sort()
    .map((f) => weigh(join(chunkDir, f), `${BUNDLE_CHUNKS}/${f} (loaded on demand)`));
  const all = [entry, ...chunks];
  const single = weigh(join(dirname(bundle), 'navtalk-avatar.single.js'), 'navtalk-avatar.single.js (the same code in one file)');
  const lit = sizes(await litAlone());
  const total = sum(all, 'gzip');
  return {
    title: '1. Weight',
    summary: [
      { figure: '1. first paint: dist/navtalk-avatar.js, gzip', ours: kB(entry.gzip), baseline: `${kB(lit.gzip)} (Lit alone)`, ratio: ratio(entry.gzip, lit.gzip), goal: '<= 10 kB', met: entry.gzip <= GOAL_ENTRY },
      { figure: '1. everything: the entry and its chunks, gzip (each file)', ours: kB(total), baseline: `${kB(lit.gzip)} (Lit alone)`, ratio: ratio(total, lit.gzip), goal: '<= 16 kB', met: total <= GOAL_ALL },
      { figure: '1. first paint: dist/navtalk-avatar.js, brotli', ours: kB(entry.brotli), baseline: `${kB(lit.brotli)} (Lit alone)`, ratio: ratio(entry.brotli, lit.brotli), goal: '(none set)', met: null },
    ],
    body: `
The CDN bundle as \`npm run build\` makes it: \`dist/navtalk-avatar.js\`, the entry a page loads (it registers the tag,
reads the attributes, renders the poster and plays a video made in advance; Lit included), and the chunks beside it
in \`dist/${BUNDLE_CHUNKS}/\` that it imports when first needed (one, \`later\`: the request code, the loading and error
views and the cues of a muted video's captions, when a generation starts or a video is muted). Beside them the one-file build
for hosts that serve a single file, and \`export * from 'lit'\` bundled the same way (Vite 8 library mode, ESM, es2022,
minified by Rolldown, then terser). gzip at level 9, brotli at quality 11 (node:zlib), each file alone, as a browser
fetches it and as size-limit counts (1 kB = 1,000 bytes). Sizes are exact: one measurement.

${table(['file', 'minified', 'gzip', 'brotli'], [
  ...[...all, single].map((file) => [file.name, kB(file.raw), kB(file.gzip), kB(file.brotli)]),
  ['entry and chunks, together', kB(sum(all, 'raw')), kB(total), kB(sum(all, 'brotli'))],
  ['Lit alone', kB(lit.raw), kB(lit.gzip), kB(lit.brotli)],
])}

Where the minified bytes of the entry come from (its source map; gzip does not split by source, so this is the
minified share):

${sources(entry)}

And of the chunks:

${chunks.map((chunk) => `${chunk.name}:\n\n${sources(chunk)}`).join('\n\n')}
`,
  };
}
