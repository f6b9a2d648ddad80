import { readFile } from 'node:fs/promises';
import { basename, posix, resolve } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { DEFAULT_VOICES } from '../protocol/index.js';
import { RenderError, UNKEPT_WARNING, applyPlan, planHtml, pool, renderRequest } from '../cli/prerender.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CACHE_FILE, ResultCache, staticUrl } from '../cli/static.js';

export interface NavtalkPrerenderOptions {
  /** The deployed proxy's URL. */
  endpoint: string;
  /** The Origin sent to the proxy (one of its ALLOWED_ORIGINS). Default: the endpoint's origin. */
  origin?: string;
  /** Signs each request and tag, for a proxy in AUTH_MODE=signed. Default: process.env.SIGNING_SECRET. */
  signingSecret?: string;
  /**
   * Downloads each video into the build as a Vite asset (in `build.assetsDir`, named by the hash of its bytes, its URL
   * under `base`), so the built site plays its avatars from its own files with no proxy at all. Default false: the tags
   * point at the proxy's kept copy.
   */
  emit?: boolean;
  /** Where made videos are remembered, by request hash, relative to Vite's root. Commit it: a rebuild with unchanged scripts then asks nothing. */
  cacheFile?: string;
  /** With `emit`: where downloaded videos are kept between builds, relative to Vite's root; a rebuild takes them from here and downloads nothing. */
  cacheDir?: string;
  /** Videos made at a time (default 4). */
  concurrency?: number;
  /** Longest wait for one video, in ms (default 300 s). */
  timeoutMs?: number;
  /** Voices the proxy accepts, if it extends NavTalk's list (ALLOWED_VOICES). */
  voices?: string[];
  fetch?: typeof fetch;
}

/**
 * `navtalk-avatar/vite`: pre-renders the <navtalk-avatar> tags of the pages Vite builds (transformIndexHtml). Each
 * tag with inputs gets `result-url` (and `result-hash`) in the built page, so visitors play the video with no proxy
 * call; with `emit`, the video itself is one of the build's assets. Made videos are remembered in a cache file by
 * request hash; a build fails, naming the tags, when a video cannot be made or downloaded (a page is never shipped
 * half pre-rendered).
 */
export function navtalkPrerender(options: NavtalkPrerenderOptions): Plugin {
  let config: ResolvedConfig;
  let cache: ResultCache;
  /** Assets to emit: their file name in the build -> the file in the cache folder. */
  const assets = new Map<string, string>();
  const origin = options.origin ?? new URL(options.endpoint).origin;
  const signingSecret = options.signingSecret ?? process.env.SIGNING_SECRET;
  const voices = options.voices ? new Set(options.voices) : DEFAULT_VOICES;

  return {
    name: 'navtalk-avatar-prerender',
    apply: 'build',
    async configResolved(resolved) {
      config = resolved;
      cache = await ResultCache.open(
        resolve(config.root, options.cacheFile ?? DEFAULT_CACHE_FILE), resolve(config.root, options.cacheDir ?? DEFAULT_CACHE_DIR),
      );
    },
    transformIndexHtml: {
      order: 'post',
      async handler(html, context) {
        const plan = await planHtml(html, voices);
        await pool(plan.tags.filter((t) => t.needs), options.concurrency ?? 4, async ({ tag, hash, outcome }) => {
          if (!tag.request.ok) return;
          const request = tag.request.value;
          const render = () => renderRequest(request, {
            endpoint: options.endpoint, origin,
            ...(signingSecret ? { signingSecret } : {}),
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
          try {
            if (options.emit) {
              const file = await cache.file(hash!, render, options.fetch);
              const name = posix.join(config.build.assetsDir, basename(file));
              assets.set(name, file);
              // A relative base ('./') makes each page's URLs relative to the page, as Vite's own assets are.
              const relativeBase = config.base === '' || config.base === './';
              const url = staticUrl(context.path, `/${config.build.assetsDir}`, basename(file), relativeBase ? undefined : `${config.base}${config.build.assetsDir}`);
              Object.assign(outcome, { status: 'rendered', resultUrl: url });
            } else {
              const rendered = await cache.result(hash!, render);
              Object.assign(outcome, { status: 'rendered', resultUrl: rendered.resultUrl });
              if (!rendered.kept) this.warn(`${context.path}:${outcome.line}: ${UNKEPT_WARNING}`);
            }
          } catch (error) {
            Object.assign(outcome, { status: 'failed', error: error instanceof RenderError ? `${error.code}: ${error.message}` : String(error) });
          }
        });
        const failed = plan.tags.filter((t) => t.outcome.status === 'failed');
        if (failed.length) {
          throw new Error(`navtalk-avatar: could not pre-render ${failed.map((t) => `${context.path}:${t.outcome.line}:${t.outcome.column} (${t.outcome.error})`).join(', ')}`);
        }
        return applyPlan(plan, signingSecret);
      },
    },
    generateBundle: {
      // After Vite's HTML plugin, whose generateBundle runs the transformIndexHtml hooks that fill `assets`.
      order: 'post',
      async handler() {
        for (const [fileName, file] of assets) this.emitFile({ type: 'asset', fileName, source: await readFile(file) });
        assets.clear();
      },
    },
  };
}

export default navtalkPrerender;
