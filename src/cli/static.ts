import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { CopyError, DEFAULT_COPY_LIMITS, MemoryResultStore, copyVideo } from '../proxy/results.js';
import { RenderError, type Rendered } from './prerender.js';

/**
 * Static export: each pre-rendered video downloaded into the site's own files under a content-addressed name, so
 * the built site plays its avatars from its own origin with no proxy at all. Shared by `prerender --out`, the Vite
 * plugin's `emit` and `navtalk-avatar/prerender`.
 *
 * Two things are kept between builds, so a rebuild with unchanged scripts asks the proxy nothing and downloads
 * nothing: the cache file (request hash -> the proxy's result and the file's name) and the cache folder (the files).
 */

export const DEFAULT_CACHE_FILE = 'navtalk-avatar.prerendered.json';
export const DEFAULT_CACHE_DIR = 'navtalk-avatar.videos';

/** A remembered result: the proxy's URL, and with a static export the name of its file in the cache folder. */
export interface CacheEntry extends Rendered {
  file?: string;
}

/** `<32 hex digits of the SHA-256 of the bytes>.<mp4|mov|webm>`: the name says what the bytes must be. */
const STATIC_NAME = /^([0-9a-f]{32})\.(mp4|mov|webm)$/;
const EXTENSIONS: Record<string, string> = { 'video/mp4': 'mp4', 'video/quicktime': 'mov', 'video/webm': 'webm' };

async function contentHash(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether a file name is a static result's content-addressed name. */
export const isStaticName = (name: string) => STATIC_NAME.test(name);

/** 'ok', 'missing', or 'mismatch' (the bytes are not the ones its name hashes); a name that is no content hash is only checked to exist. */
export async function fileState(path: string): Promise<'ok' | 'missing' | 'mismatch'> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return 'missing';
  }
  const match = STATIC_NAME.exec(basename(path));
  return !match || match[1] === (await contentHash(bytes)) ? 'ok' : 'mismatch';
}

/** Writes next to the target and renames, so a reader (or a build stopped midway) never sees half a file. */
async function writeWhole(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Copies a result file into the site's output folder, unless the right bytes are already there. */
export async function place(source: string, outDir: string): Promise<string> {
  const target = join(outDir, basename(source));
  if ((await fileState(target)) !== 'ok') {
    await mkdir(outDir, { recursive: true });
    await copyFile(source, target);
  }
  return target;
}

/** A path as a URL path (for URLs written into pages). */
export const urlPath = (path: string) => path.split(sep).join('/');

/** The URL a page at `page` (a file path) gives a static result placed in `outDir`: under `base` when given, else relative to the page. */
export function staticUrl(page: string, outDir: string, name: string, base?: string): string {
  if (base !== undefined) return `${base.endsWith('/') ? base : `${base}/`}${name}`;
  const path = urlPath(relative(dirname(page), join(outDir, name)));
  return path.startsWith('.') ? path : `./${path}`;
}

/** The file a page's result-url names, when it is a static result: relative to the page, or under `base` in `outDir`. */
export function staticFileOf(page: string, url: string, outDir?: string, base?: string): string | undefined {
  if (outDir !== undefined && base !== undefined) {
    const prefix = base.endsWith('/') ? base : `${base}/`;
    if (url.startsWith(prefix)) return join(outDir, decodeURIComponent(url.slice(prefix.length)));
  }
  if (/^[a-z][a-z0-9+.-]*:|^\/|^#/i.test(url)) return undefined;
  return join(dirname(page), decodeURIComponent(url.split(/[?#]/)[0]!));
}

/** Downloads a video with the proxy's own checks (type, size, exact length, retries on transient faults). */
async function download(url: string, fetchFn: typeof fetch): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: string }> {
  const store = new MemoryResultStore();
  try {
    await copyVideo(fetchFn, url, store, 'video', DEFAULT_COPY_LIMITS);
  } catch (error) {
    throw new RenderError('download_failed', `the video could not be downloaded from ${url}: ${error instanceof CopyError ? error.message : String(error)}`);
  }
  const { bytes, info } = store.videos.get('video')!;
  return { bytes: bytes as Uint8Array<ArrayBuffer>, contentType: info.contentType };
}

/** The cache file and folder of one build: results by request hash, and their files. */
export class ResultCache {
  private writing = Promise.resolve();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  private constructor(readonly cacheFile: string, readonly cacheDir: string, private readonly entries: Record<string, CacheEntry>) {}

  static async open(cacheFile: string, cacheDir: string): Promise<ResultCache> {
    return new ResultCache(cacheFile, cacheDir, await readEntries(cacheFile));
  }

  /** The proxy's result for a request: remembered, or made now by `render`. */
  result(hash: string, render: () => Promise<Rendered>): Promise<Rendered> {
    return this.once(`result:${hash}`, async () => {
      if (!this.entries[hash]) await this.remember(hash, await render());
      return this.entries[hash]!;
    });
  }

  /** The request's video as a file in the cache folder: the one remembered if its bytes are intact, else asked for and downloaded now. */
  file(hash: string, render: () => Promise<Rendered>, fetchFn: typeof fetch = fetch): Promise<string> {
    return this.once(`file:${hash}`, async () => {
      const known = this.entries[hash]?.file;
      if (known && (await fileState(join(this.cacheDir, known))) === 'ok') return join(this.cacheDir, known);
      // Ask again rather than trust a remembered URL: a script the proxy has made answers at once.
      const rendered = await render();
      const { bytes, contentType } = await download(rendered.resultUrl, fetchFn);
      const name = `${await contentHash(bytes)}.${EXTENSIONS[contentType] ?? 'mp4'}`;
      await writeWhole(join(this.cacheDir, name), bytes);
      await this.remember(hash, { ...rendered, file: name });
      return join(this.cacheDir, name);
    });
  }

  /** One piece of work per key at a time: two pages with the same script share one request and one download. */
  private once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const started = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /** Records an entry and writes the cache file, merged with what is on disk (another build process may share it). */
  private remember(hash: string, entry: CacheEntry): Promise<void> {
    this.entries[hash] = entry;
    // After a failed write the next one still runs (and fails on its own if the cause remains).
    this.writing = this.writing.catch(() => {}).then(async () => {
      const merged = { ...(await readEntries(this.cacheFile)), ...this.entries };
      await writeWhole(this.cacheFile, `${JSON.stringify(merged, null, 2)}\n`);
    });
    return this.writing;
  }
}

async function readEntries(cacheFile: string): Promise<Record<string, CacheEntry>> {
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}
