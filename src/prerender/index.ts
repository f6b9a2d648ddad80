import { basename, resolve } from 'node:path';
import { DEFAULT_VOICES, FIELDS, attributeOf, requestFromAttributes, validateGenerateRequest, type FieldName } from '../protocol/index.js';
import { signRequest } from '../proxy/signing.js';
import { RenderError, renderRequest, requestHash } from '../cli/prerender.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CACHE_FILE, ResultCache, place, staticUrl } from '../cli/static.js';

/**
 * `navtalk-avatar/prerender`: pre-rendering for frameworks whose tags live in components (a Next.js server
 * component, an Astro page's frontmatter, a SvelteKit `load`), which `navtalk-avatar prerender` cannot see in HTML
 * files. Give it the tag's inputs at build time; put what it returns on the tag.
 */

/** The element's inputs, by attribute name (`character`, `text`, `voice`, `image-url`, `bbox-shift`, ...). */
export type AvatarInputs = {
  [F in Exclude<FieldName, 'signature'> as (typeof FIELDS)[F]]?: string | number | null;
};

interface CommonOptions {
  /** The deployed proxy's URL (absolute). */
  endpoint: string;
  /** The Origin sent to the proxy (one of its ALLOWED_ORIGINS). Default: the endpoint's origin. */
  origin?: string;
  /** Signs the request (and returns the tag's `signature`), for a proxy in AUTH_MODE=signed. Default: process.env.SIGNING_SECRET. */
  signingSecret?: string;
  /** Longest wait for the video, in ms (default 300 s). */
  timeoutMs?: number;
  /** Voices the proxy accepts, if it extends NavTalk's list (ALLOWED_VOICES). */
  voices?: Iterable<string>;
  /** Where made videos are remembered, by request hash (default navtalk-avatar.prerendered.json in the working folder). */
  cacheFile?: string;
  /** Where downloaded videos are kept between builds (default navtalk-avatar.videos in the working folder). */
  cacheDir?: string;
  /** For requests to the proxy and downloads. */
  fetch?: typeof fetch;
}

export type PrerenderAvatarOptions = CommonOptions & (
  /** The result-url is the proxy's kept copy. */
  | { outDir?: undefined; base?: undefined }
  /**
   * Static export: the video is written into `outDir` (a folder of the site's build output) under the hash of its
   * bytes, and the result-url is `base` + its name: the URL path (or absolute URL) at which `outDir` is served.
   */
  | { outDir: string; base: string }
);

export interface PrerenderedAvatar {
  /** For the tag's `result-url`. */
  resultUrl: string;
  /** For the tag's `result-hash` (what `navtalk-avatar check` compares with its inputs). */
  resultHash: string;
  /** For the tag's `signature`, when signing: a video that cannot load is generated again, which a signed proxy only does for a signed tag. */
  signature?: string;
  /** With `outDir`: the file written. */
  file?: string;
}

export { RenderError as PrerenderError };

/** One cache per cache file and folder in this process, so concurrent pages share requests, downloads and writes. */
const caches = new Map<string, Promise<ResultCache>>();

/**
 * Makes (or finds) the video for an avatar's inputs through the deployed proxy, and with `outDir` writes it into the
 * site's files. Throws a PrerenderError (`code`, `message`) when the inputs are invalid, the video cannot be made or
 * it cannot be downloaded: the build should fail rather than ship a page half done.
 */
export async function prerenderAvatar(inputs: AvatarInputs, options: PrerenderAvatarOptions): Promise<PrerenderedAvatar> {
  const voices = options.voices ? new Set(options.voices) : DEFAULT_VOICES;
  const checked = validateGenerateRequest(requestFromAttributes((name) => inputs[name as keyof AvatarInputs]?.toString()), attributeOf, voices);
  if (!checked.ok) throw new RenderError('invalid_input', checked.message);
  const request = checked.value;
  const signingSecret = options.signingSecret ?? process.env.SIGNING_SECRET;
  const render = () => renderRequest(request, {
    endpoint: options.endpoint, origin: options.origin ?? new URL(options.endpoint).origin,
    ...(signingSecret ? { signingSecret } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const cacheFile = resolve(options.cacheFile ?? DEFAULT_CACHE_FILE);
  const cacheDir = resolve(options.cacheDir ?? DEFAULT_CACHE_DIR);
  const key = `${cacheFile}\n${cacheDir}`;
  if (!caches.has(key)) caches.set(key, ResultCache.open(cacheFile, cacheDir));
  const cache = await caches.get(key)!;

  const resultHash = await requestHash(request);
  const signature = signingSecret ? { signature: await signRequest(request, signingSecret) } : {};
  if (options.outDir === undefined) return { resultUrl: (await cache.result(resultHash, render)).resultUrl, resultHash, ...signature };
  const file = await place(await cache.file(resultHash, render, options.fetch), options.outDir);
  return { resultUrl: staticUrl('', options.outDir, basename(file), options.base), resultHash, ...signature, file };
}
