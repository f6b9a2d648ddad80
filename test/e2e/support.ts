/** Shared by the end-to-end, start, fault and static suites: a Chromium, a static page server, page probes, a proxy to build through. */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { configFromEnv, createProxyHandler, MemoryResultStore } from '../../src/proxy/index.js';
// @ts-expect-error: a plain .mjs script without types
import { findChromium } from '../../scripts/find-chromium.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium() as string, headless: true, args: CHROMIUM_ARGS });
}

export interface StaticSite {
  origin: string;
  close(): Promise<void>;
}

/** Content types of the site's own files, by extension (pages are HTML). */
const SITE_TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css' };

/** Where the CDN bundle's entry imports its lazy chunks from, relative to its own URL (vite.config.ts). */
export const BUNDLE_CHUNKS = 'navtalk-avatar-chunks';

/** The built CDN bundle: its entry file (dist/navtalk-avatar.js, unless another copy is given). */
const DIST_BUNDLE = new URL('../../dist/navtalk-avatar.js', import.meta.url).pathname;

/** Copies the CDN bundle (its entry, the entry's source map and its chunks folder) into `dir`, as a site deploys it. */
export function copyBundle(dir: string, bundlePath = DIST_BUNDLE): void {
  cpSync(bundlePath, join(dir, 'navtalk-avatar.js'));
  if (existsSync(`${bundlePath}.map`)) cpSync(`${bundlePath}.map`, join(dir, 'navtalk-avatar.js.map'));
  cpSync(join(dirname(bundlePath), BUNDLE_CHUNKS), join(dir, BUNDLE_CHUNKS), { recursive: true });
}

/**
 * Serves the built CDN bundle at /navtalk-avatar.js (its chunks beside it, in /navtalk-avatar-chunks/) and the given
 * files (HTML pages, or .js and .css), like a marketing site would. `bundlePath`: another copy of the bundle, with its
 * chunks folder beside it (the benchmarks serve a snapshot, since a build elsewhere empties dist/). `headers` go on
 * every answer, read when it is made (a policy naming a server started afterwards).
 */
export async function serveSite(
  pages: Record<string, string>,
  bundlePath = DIST_BUNDLE,
  headers: Record<string, string> = {},
): Promise<StaticSite> {
  if (!existsSync(bundlePath)) throw new Error(`${bundlePath} is missing: run \`npm run build\` first.`);
  const bundle = readFileSync(bundlePath);
  const chunks = join(dirname(bundlePath), BUNDLE_CHUNKS);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const chunk = path.match(new RegExp(`^/${BUNDLE_CHUNKS}/([\\w.-]+\\.js)$`))?.[1];
    if (path === '/navtalk-avatar.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(bundle);
    } else if (chunk !== undefined && existsSync(join(chunks, chunk))) {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(readFileSync(join(chunks, chunk)));
    } else if (pages[path] !== undefined) {
      res.writeHead(200, { ...headers, 'content-type': SITE_TYPES[path.split('.').pop()!] ?? 'text/html' }).end(pages[path]);
    } else {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A page that loads the CDN bundle and holds one tag. */
export const pageWith = (tag: string) =>
  `<!doctype html><html lang="en"><title>e2e</title><script type="module" src="/navtalk-avatar.js"></script><body>${tag}</body></html>`;

/** Waits until the element's generated video has played past `seconds`; returns what the page saw. */
export async function waitForPlayback(page: Page, selector: string, seconds = 0.3, timeout = 30_000) {
  await page.waitForFunction(
    ({ selector, seconds }) => {
      const video = document.querySelector(selector)?.shadowRoot?.querySelector('video');
      return !!video && video.currentTime > seconds;
    },
    { selector, seconds },
    { timeout, polling: 100 },
  );
  return page.evaluate((selector) => {
    const el = document.querySelector(selector) as HTMLElement & { status: string; resultUrl: string };
    const video = el.shadowRoot!.querySelector('video')!;
    return { status: el.status, resultUrl: el.resultUrl, currentTime: video.currentTime, src: video.currentSrc };
  }, selector);
}

/** The portable proxy (with a result store) in front of the NavTalk mock, over node:http: what a build pre-renders through. */
export interface BuildProxy {
  mock: MockNavTalk;
  origin: string;
  /** The proxy's endpoint URL. */
  endpoint: string;
  /** Every request the proxy received (method and URL), in order. */
  requests: string[];
  /** While true, the proxy's kept videos answer as an HTML page (a download must refuse them). */
  breakVideos: boolean;
  /** Stops the proxy and the mock. */
  close(): Promise<void>;
}

/** Starts a BuildProxy that accepts its own origin and `origins`. */
export async function startBuildProxy(origins: string[] = []): Promise<BuildProxy> {
  const mock = await startMockNavTalk({ timing: { processingAfterMs: 50, doneAfterMs: 200 } });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const proxy = createProxyHandler({
    config: configFromEnv({
      NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: [origin, ...origins].join(','),
      TRUSTED_MEDIA_ORIGINS: mock.url, RATE_LIMIT_PER_MINUTE: '0', UPSTREAM_POLL_INTERVAL_MS: '50',
    }),
    results: new MemoryResultStore(),
    log: () => {},
  });
  const state: BuildProxy = {
    mock, origin, endpoint: `${origin}/api/navtalk`, requests: [], breakVideos: false,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await mock.close();
    },
  };
  server.on('request', async (req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    if (state.breakVideos && req.url?.includes('video=')) return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Not a video</p>');
    const body = req.method === 'POST' ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
    const response = await proxy(new Request(`${origin}${req.url}`, { method: req.method!, headers: req.headers as Record<string, string>, body, duplex: 'half' } as RequestInit));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return state;
}
