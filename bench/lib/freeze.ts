import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { copyBundle } from '../../test/e2e/support.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A wrangler.jsonc (the root one unless given; a relative path is from the root) as an object. */
export function wranglerConfig(path = 'wrangler.jsonc'): Record<string, unknown> & { vars?: Record<string, string>; compatibility_date: string } {
  const text = readFileSync(resolve(ROOT, path), 'utf8');
  // JSONC: drop whole-line and trailing // comments (no string in this file has " //" in it).
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/[^"\n]*$/gm, ''));
}

/** The Worker's production defaults, as wrangler.jsonc ships them (the bench reports the values it ran with). */
export const workerDefaults = () => wranglerConfig().vars!;

/**
 * What the bench measures, copied once at its start: others build and edit in this work tree while it runs.
 * - The Worker, bundled now, with a wrangler config that points at the bundle (no_bundle): wrangler dev reloads
 *   when a source file changes, which would restart workerd in the middle of a figure (or of the soak's series).
 *   The soak's baseline Worker (bench/baseline-worker) too.
 * - dist/navtalk-avatar.js, its source map and its chunks folder, and the one-file build: `npm run build` elsewhere
 *   empties dist/ for a moment.
 */
export interface Frozen {
  /** The Worker's wrangler config, for startStack({config}). */
  workerConfig: string;
  /** The soak's baseline Worker's, likewise. */
  baselineConfig: string;
  /** The CDN bundle's copy; its source map is beside it (+ '.map'), its chunks folder (BUNDLE_CHUNKS) and the one-file build. */
  bundle: string;
  dispose(): void;
}

/** Bundles the Worker of a wrangler config into `outdir` (as index.js); answers a config there that runs the bundle. */
function bundleWorker(config: string, outdir: string): string {
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', config, '--outdir', outdir], {
    cwd: ROOT, stdio: 'ignore', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  });
  const { $schema: _schema, ...settings } = wranglerConfig(config);
  const frozen = join(outdir, 'wrangler.jsonc');
  writeFileSync(frozen, JSON.stringify({ ...settings, main: 'index.js', no_bundle: true }, null, 2));
  return frozen;
}

export function freeze(): Frozen {
  const dir = mkdtempSync(join(tmpdir(), 'navtalk-bench-'));
  copyBundle(dir);
  for (const file of ['navtalk-avatar.single.js', 'navtalk-avatar.single.js.map']) cpSync(join(ROOT, 'dist', file), join(dir, file));
  const bundle = join(dir, 'navtalk-avatar.js');
  return {
    workerConfig: bundleWorker('wrangler.jsonc', join(dir, 'worker')),
    baselineConfig: bundleWorker('bench/baseline-worker/wrangler.jsonc', join(dir, 'baseline-worker')),
    bundle,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
