/**
 * `npm run bench`: every figure of issue 6 on the local stack (the built CDN bundle in Chromium, the Worker under
 * wrangler dev, the NavTalk mock), then BENCHMARKS.md. Loopback only; every loop is bounded in count and time.
 *
 * BENCH_SOAK_SECONDS shortens the soak (default 600) and BENCH_ONLY=weight,cached,... runs some figures, for trying
 * things out: such runs write reports/BENCHMARKS.partial.md, never BENCHMARKS.md.
 */
import { writeFileSync } from 'node:fs';
import { launchChromium } from '../test/e2e/support.js';
import { cachedVideo } from './figures/cached-video.js';
import { chunkWait } from './figures/chunk-wait.js';
import { detection } from './figures/detection.js';
import { durability } from './figures/durability.js';
import { fieldMix } from './figures/field-mix.js';
import { coreWebVitals } from './figures/lighthouse.js';
import { memory } from './figures/memory.js';
import { nodeDetection } from './figures/node-detection.js';
import { nodeRedis } from './figures/node-redis.js';
import { staticResult } from './figures/static-result.js';
import { soak } from './figures/soak.js';
import { spike } from './figures/spike.js';
import { throughput } from './figures/throughput.js';
import { weight } from './figures/weight.js';
import type { BenchContext } from './lib/context.js';
import { loadAverage, machine } from './lib/machine.js';
import { renderReport, type Figure } from './lib/report.js';
import { freeze } from './lib/freeze.js';

const FULL_SOAK_SECONDS = 600;
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? FULL_SOAK_SECONDS);
if (!Number.isInteger(soakSeconds) || soakSeconds < 10 || soakSeconds > FULL_SOAK_SECONDS) {
  throw new Error(`BENCH_SOAK_SECONDS must be a whole number from 10 to ${FULL_SOAK_SECONDS}`);
}

/** The figures in report order, with the repetitions each uses. */
const FIGURES: Record<string, (ctx: BenchContext) => Promise<Figure>> = {
  weight: (ctx) => weight(ctx),
  chunks: (ctx) => chunkWait(ctx, 5),
  cached: (ctx) => cachedVideo(ctx, 15),
  detection: (ctx) => detection(ctx, 10, [1000, 250]),
  'field-mix': (ctx) => fieldMix(ctx, { fieldArrivals: 150, holdOutArrivals: 120, fixedArrivals: 60, fixedIntervals: [1000, 2000] }),
  spike: (ctx) => spike(ctx, [1, 10, 100, 1000], 3),
  throughput: (ctx) => throughput(ctx, 10, 3),
  memory: (ctx) => memory(ctx, 5),
  durability: (ctx) => durability(ctx, 30, 1000),
  'node-redis': (ctx) => nodeRedis(ctx, 10, 3, 1000),
  'node-detection': (ctx) => nodeDetection(ctx, 8, 3),
  static: (ctx) => staticResult(ctx, 15),
  lighthouse: (ctx) => coreWebVitals(ctx, 5),
  soak: (ctx) => soak(ctx, soakSeconds),
};
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
for (const name of only ?? []) if (!FIGURES[name]) throw new Error(`unknown figure ${name} (known: ${Object.keys(FIGURES).join(', ')})`);
const full = !only && soakSeconds === FULL_SOAK_SECONDS;

const started = Date.now();
const loadAtStart = loadAverage();
const runLog: string[] = [];
const log = (line: string) => {
  const stamped = `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`;
  runLog.push(stamped);
  console.log(stamped);
};

const frozen = freeze();
const browser = await launchChromium();
const figures: Figure[] = [];
try {
  const ctx: BenchContext = { browser, workerConfig: frozen.workerConfig, baselineConfig: frozen.baselineConfig, bundle: frozen.bundle, log };
  for (const [name, run] of Object.entries(FIGURES)) {
    if (only && !only.includes(name)) continue;
    log(`--- ${name}`);
    figures.push(await run(ctx));
  }
  const file = full ? 'BENCHMARKS.md' : 'reports/BENCHMARKS.partial.md';
  writeFileSync(file, renderReport({
    date: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
    durationS: (Date.now() - started) / 1000,
    machine: machine(browser, loadAtStart),
    figures,
    preamble: [
      'Each figure puts ours beside the natural baseline. The stack is the one `npm start` runs: the Worker (bundled once',
      'at the start of the run, so that edits to src/ cannot reload it mid-run) under `wrangler dev` on 127.0.0.1 with',
      '`AUTH_MODE=open`, the NavTalk mock (src/mock) in the bench process, the built `dist/navtalk-avatar.js` in headless',
      'Chromium, all on loopback. Each figure starts its own stack. Times on one shared machine: other work on it (see the',
      'load averages) shows up as spread, which is why medians are given. The raw runs are at the end.',
      full ? '' : `\n**Partial run** (${only ? `figures: ${only.join(', ')}; ` : ''}soak ${soakSeconds} s): not the committed figures.`,
    ].join('\n'),
  }) + `\n## Raw runs\n\n<details><summary>${runLog.length} lines</summary>\n\n\`\`\`\n${runLog.join('\n')}\n\`\`\`\n\n</details>\n`);
  log(`wrote ${file}`);
} finally {
  await browser.close();
  frozen.dispose();
}
