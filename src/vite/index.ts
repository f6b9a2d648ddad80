import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { DEFAULT_VOICES } from '../protocol/index.js';
import { RenderError, UNKEPT_WARNING, applyPlan, planHtml, pool, renderRequest, type Rendered } from '../cli/prerender.js';

export interface NavtalkPrerenderOptions {
  /** The deployed proxy's URL. */
  endpoint: string;
  /** The Origin sent to the proxy (one of its ALLOWED_ORIGINS). Default: the endpoint's origin. */
  origin?: string;
  /** Signs each request and tag, for a proxy in AUTH_MODE=signed. Default: process.env.SIGNING_SECRET. */
  signingSecret?: string;
  /** Where made videos are remembered, by request hash, relative to Vite's root. Commit it: a rebuild with unchanged scripts then asks nothing. */
  cacheFile?: string;
  /** Videos made at a time (default 4). */
  concurrency?: number;
  /** Longest wait for one video, in ms (default 300 s). */
  timeoutMs?: number;
  /** Voices the proxy accepts, if it extends NavTalk's list (ALLOWED_VOICES). */
  voices?: string[];
  fetch?: typeof fetch;
}

type Cache = Record<string, Rendered>;

/**
 * `navtalk-avatar/vite`: pre-renders the <navtalk-avatar> tags of the pages Vite builds (transformIndexHtml). Each
 * tag with inputs gets `result-url` (and `result-hash`) in the built page, so visitors play the video with no proxy
 * call. Made videos are remembered in a cache file by request hash; a build fails, naming the tags, when a video
 * cannot be made (a page is never shipped half pre-rendered).
 */
export function navtalkPrerender(options: NavtalkPrerenderOptions): Plugin {
  let cachePath = '';
  let cache: Cache = {};
  const origin = options.origin ?? new URL(options.endpoint).origin;
  const signingSecret = options.signingSecret ?? process.env.SIGNING_SECRET;
  const voices = options.voices ? new Set(options.voices) : DEFAULT_VOICES;

  return {
    name: 'navtalk-avatar-prerender',
    apply: 'build',
    configResolved(config) {
      cachePath = resolve(config.root, options.cacheFile ?? 'navtalk-avatar.prerendered.json');
      try {
        cache = JSON.parse(readFileSync(cachePath, 'utf8')) as Cache;
      } catch {
        cache = {};
      }
    },
    transformIndexHtml: {
      order: 'post',
      async handler(html, context) {
        const plan = await planHtml(html, voices);
        const needed = plan.tags.filter((t) => t.needs);
        await pool(needed, options.concurrency ?? 4, async ({ tag, hash, outcome }) => {
          if (!tag.request.ok) return;
          try {
            const rendered = cache[hash!] ?? await renderRequest(tag.request.value, {
              endpoint: options.endpoint, origin,
              ...(signingSecret ? { signingSecret } : {}),
              ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
              ...(options.fetch ? { fetch: options.fetch } : {}),
            });
            cache[hash!] = rendered;
            Object.assign(outcome, { status: 'rendered', resultUrl: rendered.resultUrl });
            if (!rendered.kept) this.warn(`${context.path}:${outcome.line}: ${UNKEPT_WARNING}`);
          } catch (error) {
            Object.assign(outcome, { status: 'failed', error: error instanceof RenderError ? `${error.code}: ${error.message}` : String(error) });
          }
        });
        if (needed.length) {
          mkdirSync(dirname(cachePath), { recursive: true });
          writeFileSync(cachePath, `${JSON.stringify(cache, null, 2)}\n`);
        }
        const failed = plan.tags.filter((t) => t.outcome.status === 'failed');
        if (failed.length) {
          throw new Error(`navtalk-avatar: could not pre-render ${failed.map((t) => `${context.path}:${t.outcome.line}:${t.outcome.column} (${t.outcome.error})`).join(', ')}`);
        }
        return applyPlan(plan, signingSecret);
      },
    },
  };
}

export default navtalkPrerender;
