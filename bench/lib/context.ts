import type { Browser } from 'playwright-core';

/** What every figure gets from bench/run.ts. */
export interface BenchContext {
  browser: Browser;
  /** The frozen Worker's wrangler config (see freeze), for startStack. */
  workerConfig: string;
  /** The soak's baseline Worker's frozen config (see freeze). */
  baselineConfig: string;
  /** The CDN bundle's snapshot (see freeze), served to the pages and weighed. */
  bundle: string;
  /** A progress line, also kept for the report's raw runs. */
  log(line: string): void;
}
