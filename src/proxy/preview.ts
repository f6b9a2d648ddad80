/**
 * Character previews through the proxy (`GET {endpoint}?preview=NAME`): NavTalk's preview still, fetched once and
 * kept in the result store beside the videos, so a page's visitors load it from the site's own proxy and never from
 * NavTalk's host (a strict Content-Security-Policy then names no third party). Previews cost NavTalk nothing, so
 * there is no rate limit or budget here; what protects NavTalk is one fetch per name at a time, a few fetches at
 * once, and a brief memory of names it does not know.
 */
import { FIELD_CHECKS, characterPreviewUrl } from '../protocol/index.js';
import { readAtMost } from './bytes.js';
import { streamOf, type ResultStore, type StoredVideoInfo } from './results.js';
import { proxyError, type ProxyError, type ProxyLog } from './tasks.js';

/** Largest preview kept; NavTalk's are well under it. */
export const PREVIEW_MAX_BYTES = 2_000_000;
/** How long a name NavTalk answered 404 for is answered 404 without asking again. */
export const PREVIEW_MISSING_MS = 300_000;
/**
 * Browsers and CDNs keep a preview a week: the URL stays the same when NavTalk redraws a character (rare), so not
 * immutable; its ETag makes a revalidation after that cheap.
 */
export const PREVIEW_CACHE_CONTROL = 'public, max-age=604800';
/** Upstream fetches at once per process (per isolate on the Worker), and requests waiting for one. */
export const PREVIEW_FETCHES = 4;
export const PREVIEW_WAITING = 32;
/** How many unknown names are remembered: the oldest is forgotten first. */
const MISSING_NAMES = 1000;
/** Where no result store is given, how many previews are kept in memory (NavTalk has a few dozen characters). */
export const MEMORY_PREVIEWS = 64;

/** Raster images only: an SVG could run script if opened on the proxy's own origin. */
const IMAGE_TYPE = /^image\/(png|jpeg|gif|webp|avif)$/;

const PREFIX = 'preview.';
/** A preview's key in the result store: never a task id's shape (task ids have no "."), readable by the operator. */
export const previewKey = (name: string): string => `${PREFIX}${name}`;
export const isPreviewKey = (key: string): boolean => key.startsWith(PREFIX) && FIELD_CHECKS.character_name(key.slice(PREFIX.length));

/** What a preview request comes to: in the store, bytes the store would not take (served once), or an error. */
export type PreviewOutcome =
  | { stored: StoredVideoInfo }
  | { bytes: Uint8Array<ArrayBuffer>; contentType: string }
  | { error: ProxyError; missing?: boolean };

export interface PreviewDeps {
  /** The result store the videos are kept in, or a bounded one in memory. */
  store: ResultStore;
  baseUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
  log: ProxyLog;
}

const missingError = (name: string): ProxyError =>
  proxyError('not_found', `NavTalk has no preview image for the character ${JSON.stringify(name)}.`);
const BUSY = proxyError('unavailable', 'Too many preview images are being fetched right now; try again shortly.', 1);

/** Gets previews into the store: `load(name)` for a name the protocol's rule already accepted. */
export function previewLoader(deps: PreviewDeps): (name: string) => Promise<PreviewOutcome> {
  const { store, now, log } = deps;
  const doFetch = deps.fetch;
  const missing = new Map<string, number>();
  const pending = new Map<string, Promise<PreviewOutcome>>();
  let active = 0;
  const waiting: (() => void)[] = [];

  /** A fetch slot, handed straight to the next waiter when released; false when too many already wait. */
  async function slot(): Promise<boolean> {
    if (active < PREVIEW_FETCHES) {
      active++;
      return true;
    }
    if (waiting.length >= PREVIEW_WAITING) return false;
    await new Promise<void>((resolve) => waiting.push(resolve));
    return true;
  }
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  const failed = (name: string, why: string): PreviewOutcome => {
    log('warn', 'preview_failed', { character: name.slice(0, 64), why });
    return { error: proxyError('upstream_failed', "NavTalk's preview image could not be fetched; try again shortly.") };
  };

  async function fetchAndKeep(name: string): Promise<PreviewOutcome> {
    if (!(await slot())) return { error: BUSY };
    try {
      try {
        // Headers built from nothing: no browser header reaches NavTalk.
        const response = await doFetch(characterPreviewUrl(name, deps.baseUrl), { headers: { accept: 'image/*' }, signal: AbortSignal.timeout(deps.timeoutMs) });
        if (response.status === 404 || response.status === 410) {
          await response.body?.cancel();
          if (missing.size >= MISSING_NAMES) missing.delete(missing.keys().next().value!);
          missing.set(name, now() + PREVIEW_MISSING_MS);
          return { error: missingError(name), missing: true };
        }
        if (!response.ok || !response.body) {
          await response.body?.cancel();
          return failed(name, `HTTP ${response.status}`);
        }
        const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!IMAGE_TYPE.test(type)) {
          await response.body.cancel();
          return failed(name, `content type ${JSON.stringify(type.slice(0, 60))}`);
        }
        if (Number(response.headers.get('content-length')) > PREVIEW_MAX_BYTES) {
          await response.body.cancel();
          return failed(name, 'too large');
        }
        const bytes = await readAtMost(response.body, PREVIEW_MAX_BYTES);
        if (!bytes) return failed(name, 'too large');
        try {
          await store.put(previewKey(name), streamOf(bytes), { size: bytes.byteLength, contentType: type, meta: { method: 'preview', character: name } });
          const stored = await store.head(previewKey(name));
          if (stored) return { stored };
        } catch (error) {
          log('warn', 'preview_not_kept', { error: String(error instanceof Error ? error.message : error).slice(0, 200) });
        }
        return { bytes, contentType: type };
      } catch (error) {
        return failed(name, (error as { name?: string } | null)?.name === 'TimeoutError' ? 'timeout' : 'network');
      }
    } finally {
      release();
    }
  }

  return async (name) => {
    const until = missing.get(name);
    if (until !== undefined) {
      if (until > now()) return { error: missingError(name), missing: true };
      missing.delete(name);
    }
    const stored = await store.head(previewKey(name));
    if (stored) return { stored };
    let flight = pending.get(name);
    if (!flight) {
      flight = fetchAndKeep(name).finally(() => pending.delete(name));
      pending.set(name, flight);
    }
    return flight;
  };
}
